"""The demo county's vaccination: sites at every township, doses by the rules, and the coverage page agrees
with a plain count."""

from django.utils import timezone

from fangkong.registry import demo as registry_demo
from fangkong.vaccination import demo, queries
from fangkong.vaccination.models import Dose, Site


def test_the_demo_county_has_sites_and_doses_that_the_figures_agree_on(db):
    today = timezone.localdate()
    registry_demo.load_demo(households=60, seed=7, today=today)
    context = registry_demo.demo_context(create_staff=False)
    counts = demo.load(context=context, seed=7)
    assert counts["sites"] == len(context.townships) == Site.objects.count()
    assert counts["doses"] == Dose.objects.count() > 0
    assert demo.load(context=context, seed=7) is None  # once
    whole, children = queries.coverage(context.county, today)
    full = set(Dose.objects.filter(reaches_full=True).values_list("person_id", flat=True))
    residents = set(queries.residents_at(context.county.path, today).values_list("person_id", flat=True))
    assert whole.total.registered == len(residents) and whole.total.full == len(full & residents)
    assert sum(c.total.full for c in children) == whole.total.full
    assert 50 < whole.total.pct("full") < 100
