"""The demo county's cold chain: a warehouse and township stores with their 库长, lots released or not
by their documents, one positive sample whose lot is sealed and whose workers owe a test."""

from decimal import Decimal

from django.utils import timezone

from fangkong.coldchain import demo, queries
from fangkong.coldchain.models import ColdStore, Holding, Lot, Movement, Sample, TraceTest
from fangkong.registry import demo as registry_demo


def test_the_demo_cold_chain(db):
    registry_demo.load_demo(households=60, seed=7, today=timezone.localdate())
    context = registry_demo.demo_context(create_staff=False)
    counts = demo.load(context=context, seed=7)
    assert counts["stores"] == ColdStore.objects.count() == 4
    assert counts["lots"] == Lot.objects.count() == 4
    assert counts["movements"] + counts["lots"] == Movement.objects.count()
    assert demo.load(context=context, seed=7) is None
    assert Lot.objects.filter(released_at__isnull=False).count() == 3
    positive = Sample.objects.get(result="positive")
    assert positive.lot.sealed_by == positive
    assert TraceTest.objects.filter(sample=positive).count() >= 1
    for lot in Lot.objects.all():  # quantity conserved: what is held plus what was sold is the lot
        t = queries.trace(lot, with_workers=False)
        held = sum(Holding.objects.filter(lot=lot).values_list("quantity", flat=True), Decimal(0))
        assert held + t.sold == lot.quantity
