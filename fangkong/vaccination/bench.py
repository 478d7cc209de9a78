"""`fangkong bench vaccination`: coverage by node and age band over the bench county (registry/bench.py).
Every resident aged 3 or more gets a history by their place in the county's order (none, one dose, the
two-dose series, or the series and a booster of the inactivated vaccine), written in bulk with the flags
the rules would set (what is timed is the reading, not the writing). Then timed: `queries.coverage` for
the county, the coverage page of the county and of its largest township, and the not-fully-vaccinated list
of the largest village, as a user's browser asks for them. The county's figures are checked against a
recount of the histories written (an independent route: the plan, not the database)."""

import datetime as dt
import statistics
import time

from django.db import transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from fangkong.grid.models import Jurisdiction, Level
from fangkong.registry.bench import ensure_county
from fangkong.registry.models import Person
from fangkong.registry.population import refresh_planner_statistics

from . import actions, queries, rules
from .models import Dose, Site

BATCH = 5000
# Per ten residents (by their order): 2 with no dose, 1 with the first dose only, 4 with the series, 3 with
# the series and a booster.
PLAN = ("none", "none", "first", "full", "full", "full", "full", "booster", "booster", "booster")
DAYS_AGO = (400, 370, 150)  # the first, second and booster doses


def _histories(*, admin, county, day: dt.date, progress) -> dict:
    """Doses for the county's residents by PLAN; returns the expected county tally (who reached what)."""
    sites = {}
    for township in Jurisdiction.objects.filter(parent=county, level=Level.TOWNSHIP):
        sites[township.path] = Site.objects.filter(node=township).first() or actions.create_site(
            actor=admin, node=township, name=f"{township.name}基准接种点"
        )
    product = actions.products_at(county, day)["bibp"]
    eligible = rules.years_before(day, rules.ELIGIBLE_AGE)
    first_day = day - dt.timedelta(days=DAYS_AGO[0])
    people = (
        Person.objects.filter(node__path__startswith=county.path)
        .order_by("node__path", "pk")
        .values_list("pk", "node__path", "birth_date")
    )
    expected = {"first": 0, "full": 0, "booster": 0}
    rows = []
    for i, (pk, path, birth) in enumerate(people.iterator(chunk_size=BATCH)):
        if birth is not None and (birth > eligible or birth > first_day):
            continue
        plan = PLAN[i % len(PLAN)]
        if plan == "none":
            continue
        site = sites[next(p for p in sites if path.startswith(p))]
        doses = {"first": 1, "full": 2, "booster": 3}[plan]
        for n in range(1, doses + 1):
            rows.append(
                Dose(
                    person_id=pk,
                    site=site,
                    product="bibp",
                    kind=product.kind,
                    manufacturer=product.manufacturer,
                    dose_number=n,
                    given_on=day - dt.timedelta(days=DAYS_AGO[n - 1]),
                    reaches_first=n == 1,
                    reaches_full=n == 2,
                    reaches_booster=n == 3,
                )
            )
        expected["first"] += 1
        expected["full"] += doses >= 2
        expected["booster"] += doses >= 3
        if len(rows) >= BATCH:
            with transaction.atomic():
                Dose.objects.bulk_create(rows)
            rows = []
            progress(f"接种记录：{expected['first']} 人……")
    with transaction.atomic():
        Dose.objects.bulk_create(rows)
    return expected


def _time(fn, repeat: int) -> dict:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def _get(client, url):
    def fetch():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return fetch


def run_vaccination_bench(*, persons: int, repeat: int = 5, seed: int | None = None, progress=print) -> dict:
    bench = ensure_county(persons=persons, progress=progress, **({} if seed is None else {"seed": seed}))
    county, admin = bench.county, bench.users["county_admin"]
    day = timezone.localdate()
    Dose.objects.filter(person__node__path__startswith=county.path).delete()  # a run starts from none
    started = time.perf_counter()
    expected = _histories(admin=admin, county=county, day=day, progress=progress)
    refresh_planner_statistics()
    setup_s = round(time.perf_counter() - started, 1)
    whole, children = queries.coverage(county, day)
    measured = {"first": whole.total.first, "full": whole.total.full, "booster": whole.total.booster}
    township = max(children, key=lambda row: row.total.registered).node
    village = (
        Jurisdiction.objects.filter(path__startswith=county.path, level=Level.VILLAGE)
        .annotate(people=Count("children__persons"))
        .order_by("-people", "code")
        .first()
    )
    client = Client()
    client.force_login(admin)
    with override_settings(DEBUG=False):
        figures = {
            "coverage_query_county": _time(lambda: queries.coverage(county, day), repeat),
            "coverage_page_county": _time(_get(client, reverse("vaccination_coverage")), repeat),
            "coverage_page_township": _time(
                _get(client, reverse("vaccination_coverage") + f"?node={township.code}"), repeat
            ),
            "unvaccinated_page_village": _time(
                _get(client, reverse("vaccination_unvaccinated") + f"?node={village.code}"), repeat
            ),
        }
    return {
        "persons": persons,
        "registered": whole.total.registered,
        "doses": Dose.objects.filter(person__node__path__startswith=county.path).count(),
        "setup_s": setup_s,
        "county": measured,
        "recount": expected,
        "recount_agrees": measured == expected,
        "township": {"name": township.name, "registered": max(c.total.registered for c in children)},
        "village": {"name": village.name, "people": village.people},
        **figures,
    }
