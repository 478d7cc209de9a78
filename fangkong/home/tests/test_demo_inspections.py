"""The demo county's inspections and command, loaded with the rest of its weeks of work: there is
something on every page of the two apps, and it was made by the rules (no time in the future)."""

from django.test import TestCase, override_settings
from django.utils import timezone

from fangkong.command import queries as command_queries
from fangkong.command.models import DutyShift, Task, WorkingGroup
from fangkong.home.management.commands.load_demo import load_activity
from fangkong.inspections.models import Inspection, OrderStatus, Rectification
from fangkong.registry import demo as registry_demo


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

    def test_it_inspects_orders_and_closes(self):
        parts = self.parts["inspections"]
        assert parts["inspections"] > 5 and parts["orders"] > 0
        # The market supervision's own inspections (markets/demo.py) are counted by its part.
        markets = self.parts["markets"]["inspections"]
        assert Inspection.objects.count() == parts["inspections"] + parts["reinspections"] + markets
        assert not Inspection.objects.filter(inspected_at__gt=self.now).exists()
        assert Rectification.objects.filter(status=OrderStatus.CLOSED).exists()

    def test_it_sets_up_the_command_and_someone_is_on_duty(self):
        assert WorkingGroup.objects.filter(node=self.context.county).count() == 8
        assert Task.objects.exists()
        assert DutyShift.objects.filter(handed_over_at__isnull=False).exists()
        assert command_queries.on_duty(self.context.county, self.now) is not None
        assert self.parts["command"] is not None and load_activity(now=self.now)["command"] is None  # once
