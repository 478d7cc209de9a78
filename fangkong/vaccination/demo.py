"""Vaccination for the demo county (registry/demo.py): a site at each township's health centre and
the doses of its residents over the year before the demo is loaded, as the 2021–2022 campaign went —
most adults vaccinated, the elderly less (the reason for the 60+ figure), children from age 3, a few
postponed or contraindicated. Repeatable: one `random.Random` per seed; bulk writes with one audit
row per site, through actions.write_doses."""

import datetime as dt
import random

from django.db.models import Case, DateTimeField, F, Value, When
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.measures.rules import local_midnight
from fangkong.registry.models import Person

from . import actions, rules
from .models import Dose, Site

# (share vaccinated, share of them completing, share of those boosted) by age band.
UPTAKE = {
    "3_11": (0.80, 0.95, 0.0),
    "12_17": (0.90, 0.97, 0.3),
    "18_59": (0.93, 0.97, 0.6),
    "60_plus": (0.70, 0.85, 0.4),
}
PRODUCTS = [("bibp", 0.45), ("coronavac", 0.35), ("ad5", 0.12), ("zf2001", 0.08)]
DEFERRAL_REASONS = [
    ("postponed", "发热，待痊愈后接种"),
    ("postponed", "孕期，暂缓接种"),
    ("contraindicated", "既往疫苗严重过敏史"),
    ("contraindicated", "正在接受化疗"),
]


def is_loaded(context) -> bool:
    return Site.objects.filter(node__path__startswith=context.county.path).exists()


def _product(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for code, share in PRODUCTS:
        total += share
        if roll < total:
            return code
    return PRODUCTS[0][0]


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    if is_loaded(context):
        return None
    now = now or timezone.now()
    today = timezone.localdate(now)
    rng = random.Random(f"{seed}:vaccination")
    actor = context.users["county"]
    counts = {"sites": 0, "doses": 0, "deferrals": 0}
    for township in context.townships:
        site = actions.create_site(actor=actor, node=township, name=f"{township.name}卫生院预防接种门诊")
        counts["sites"] += 1
        products = actions.products_at(township, today)
        rows = []
        people = Person.objects.filter(node__path__startswith=township.path).order_by("pk")
        for person in people.iterator(chunk_size=2000):
            if person.birth_date is None:
                continue
            band = rules.band_of(rules.age_on(person.birth_date, today))
            if band is None:
                continue
            vaccinated, completing, boosted = UPTAKE[band]
            if rng.random() >= vaccinated:
                if rng.random() < 0.1:
                    kind, reason = rng.choice(DEFERRAL_REASONS)
                    actions.record_deferral(
                        actor=actor,
                        person=person,
                        kind=kind,
                        reason=reason,
                        decided_on=today - dt.timedelta(days=rng.randint(1, 200)),
                    )
                    counts["deferrals"] += 1
                continue
            code = _product(rng)
            product = products[code]
            day = today - dt.timedelta(days=rng.randint(240, 400))
            if rules.age_on(person.birth_date, day) < rules.ELIGIBLE_AGE:
                day = today - dt.timedelta(days=rng.randint(2, 30))
            doses = 1 if rng.random() >= completing else product.primary_doses
            lot = f"{day:%Y%m}{rng.randint(1, 40):02d}"
            for _ in range(doses):
                if day >= today:  # the story ends before today, as the other demos' do
                    break
                rows.append({"person": person, "product": code, "given_on": day, "lot": lot})
                day += dt.timedelta(days=max(product.min_interval_days, 21) + rng.randint(0, 30))
            if doses == product.primary_doses and rng.random() < boosted:
                booster = day + dt.timedelta(days=product.booster_after_days + rng.randint(0, 60))
                if booster < today:
                    rows.append({"person": person, "product": _product(rng), "given_on": booster})
        written = actions.write_doses(actor=actor, site=site, rows=rows, products=products)
        # Entered on the day given (18:00), as a site's ledger is, so that reports as of a past moment
        # count the doses of their time (reporting/vaccination.py counts what was entered by then).
        days = sorted({r["given_on"] for r in rows})
        if days:
            Dose.objects.filter(site=site).update(
                created_at=Case(
                    *[
                        When(given_on=day, then=Value(local_midnight(day) + dt.timedelta(hours=18)))
                        for day in days
                    ],
                    default=F("created_at"),
                    output_field=DateTimeField(),
                )
            )
        record(
            actor=actor,
            action=Action.IMPORT,
            target=site,
            node_path=site.node.path,
            ledger="演示数据",
            doses=written,
        )
        counts["doses"] += written
    counts["full"] = Dose.objects.filter(
        reaches_full=True, site__node__path__startswith=context.county.path
    ).count()
    return counts
