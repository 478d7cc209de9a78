"""The demo county's market supervision, loaded with the rest of its weeks of work: pharmacies with
purchases and weekly reports, fever-medicine buyers passed to their communities, gatherings, market
inspections; nothing in the future, and loaded once."""

from django.test import TestCase, override_settings
from django.utils import timezone

from fangkong.home.management.commands.load_demo import load_activity
from fangkong.markets import queries
from fangkong.markets.models import FeverFollowUp, Gathering, Pharmacy, Purchase, WeeklySales
from fangkong.registry import demo as registry_demo
from fangkong.reporting import indicators


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class TestTheDemo(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.now = timezone.now()
        registry_demo.load_demo(
            households=120, seed=registry_demo.DEFAULT_SEED, today=timezone.localdate(cls.now)
        )
        cls.parts = load_activity(now=cls.now)
        cls.context = registry_demo.demo_context(create_staff=False)

    def test_it_has_something_on_every_page(self):
        part = self.parts["markets"]
        assert part["pharmacies"] == Pharmacy.objects.count() > 0
        assert part["purchases"] == Purchase.objects.count() > 0
        assert part["followups"] == FeverFollowUp.objects.count() > 0
        assert WeeklySales.objects.count() == part["weekly"] > 0
        assert Gathering.objects.count() == part["gatherings"] > 0
        assert not Purchase.objects.filter(purchased_at__gt=self.now).exists()
        assert Purchase.objects.filter(person__isnull=True, drug_class="fever").exists()
        today = timezone.localdate(self.now)
        figures = queries.market_figures(self.context.county, today - timezone.timedelta(days=30), today)
        assert figures["visits"] == part["inspections"] > 0
        values = indicators.compute(self.context.county, today - timezone.timedelta(days=1))
        assert values["gatherings_cancelled_total"] > 0
        assert load_activity(now=self.now)["markets"] is None  # once
