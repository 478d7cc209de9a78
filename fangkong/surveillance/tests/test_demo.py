"""The demo county's early warning: a clinic at every township, weeks of visits, and one township's jump
raising its alarm (with its county's), recounted from the visits."""

import statistics

from django.utils import timezone

from fangkong.grid.models import Jurisdiction
from fangkong.registry import demo as registry_demo
from fangkong.surveillance import demo, rules
from fangkong.surveillance.models import ClinicVisits, FeverClinic, SignalAlert, TownshipBoundaries


def test_the_demo_has_clinics_visits_and_one_alarm(db):
    today = timezone.localdate()
    registry_demo.load_demo(households=30, seed=7, today=today)
    context = registry_demo.demo_context(create_staff=False)
    counts = demo.load(context=context, seed=7)
    assert counts["clinics"] == len(context.townships) == FeverClinic.objects.count()
    assert counts["visit_days"] == ClinicVisits.objects.count()
    assert demo.load(context=context, seed=7) is None  # once
    # the five-colour map's boundaries: a schematic square for every township, said to be schematic
    stored = TownshipBoundaries.objects.get(county=context.county)
    townships = set(Jurisdiction.objects.filter(parent=context.county).values_list("code", flat=True))
    assert counts["township_boundaries"] == len(townships) == stored.features > 3
    assert set(stored.codes()) == townships and stored.source.startswith("示意图")
    jumped = FeverClinic.objects.order_by("pk").first()
    alarmed = set(SignalAlert.objects.values_list("node_id", flat=True))
    assert jumped.node_id in alarmed
    assert not alarmed & {c.node_id for c in FeverClinic.objects.exclude(pk=jumped.pk)}
    # the township's alarm recounted: yesterday's visits above the C1 bound of the 7 days before
    days = list(ClinicVisits.objects.filter(clinic=jumped).order_by("day").values_list("visits", flat=True))
    baseline = days[-8:-1]
    assert days[-1] > statistics.mean(baseline) + rules.z_alpha(0.001) * statistics.stdev(baseline)
