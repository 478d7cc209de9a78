"""The demo county's vaccination: sites at every township, doses by the rules, and the coverage page and
indicators agree on it."""

from django.utils import timezone

from fangkong.registry import demo as registry_demo
from fangkong.reporting.indicators import compute
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
    values = compute(
        context.county, today, codes=["registered_people", "vaccinated_full", "vaccinated_full_pct"]
    )
    assert whole.total.registered == values["registered_people"]
    assert (
        whole.total.full == values["vaccinated_full"]
        and whole.total.pct("full") == values["vaccinated_full_pct"]
    )
    assert sum(c.total.full for c in children) == whole.total.full
    assert 50 < whole.total.pct("full") < 100
