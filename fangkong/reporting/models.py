"""Daily and zero reports, who is expected to send them, and reminders. Every figure of a report is computed by `indicators.py`; a report stores a
snapshot of them as submitted, so a later correction of the records does not rewrite history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction
from fangkong.registry.models import Unit


class ReportingUnit(models.Model):
    """Someone who owes a daily report: a village or community (its subtree's figures), or a unit such
    as a school or enterprise attached to a node. Configured per node by its admins."""

    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="reporting_units", verbose_name=_("辖区")
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    name = models.CharField(_("报告单位"), max_length=100)
    active_from = models.DateField(_("起报日期"))
    active_until = models.DateField(_("停报日期"), null=True, blank=True)

    class Meta:
        ordering = ["node__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["node", "unit"], name="one_reporting_unit_per_node_and_unit")
        ]
        verbose_name = _("报告单位")

    def __str__(self):
        return self.name


class DailyReport(models.Model):
    """The report of one unit for one day. A correction adds a revision; the latest is `is_current`."""

    reporting_unit = models.ForeignKey(ReportingUnit, on_delete=models.PROTECT, related_name="reports")
    day = models.DateField(_("报告日期"))
    revision = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    is_zero = models.BooleanField(_("零报告"), default=False)
    indicators = models.JSONField(_("指标（提交时）"), default=dict)
    activities = models.JSONField(_("工作开展情况"), default=dict)
    note = models.CharField(_("备注"), max_length=1000, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    correction_reason = models.CharField(_("更正原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["-day", "reporting_unit", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporting_unit", "day", "revision"], name="one_revision_number_per_report"
            ),
            models.UniqueConstraint(
                fields=["reporting_unit", "day"],
                condition=models.Q(is_current=True),
                name="one_current_report_per_day",
            ),
        ]
        indexes = [models.Index(fields=["day", "is_current"])]
        verbose_name = _("日报告")

    def __str__(self):
        return f"{self.reporting_unit} {self.day:%Y-%m-%d}"


class Reminder(models.Model):
    """A note to a user (a missing report, …), shown on their pages until read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    key = models.CharField(max_length=100, blank=True)  # e.g. "missing:<unit>:<day>": one reminder per cause
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~models.Q(key=""), name="one_reminder_per_cause"
            )
        ]
        verbose_name = _("提醒")

    def __str__(self):
        return self.text


class KeptFigures(models.Model):
    """The dashboard's figures of a node's subtree for a closed day, kept so that a page does not recount
    a year of records each time it is opened (reporting/kept.py). Valid while no record that reaches back
    to the day has been written since: `seen_records` and `seen_residents` are what ChangedDay held for
    the days up to `day` when the figures were counted, and a family of figures whose sum differs from
    ChangedDay's now is counted again."""

    node = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    figures = models.JSONField(default=dict)  # {code: value} and the residents' counts (kept.py)
    seen_records = models.BigIntegerField()
    seen_residents = models.BigIntegerField()
    kept_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node", "day"], name="one_kept_figures_per_node_and_day")
        ]

    def __str__(self):
        return f"{self.node} {self.day:%Y-%m-%d}"


class ChangedDay(models.Model):
    """How many times the records of a closed day (or changes that reach back to it) have been written, in
    two families: `records` (screenings, measures, follow-ups: the dashboard's charted and cumulative
    figures) and `residents` (residences, verifications, doses: the residents' counts), so that a late
    follow-up recounts the one and not the other. Kept up by database triggers on the records the kept
    figures count (migration 0006), so that no write path — an action, an import's bulk insert, an UPDATE
    of many rows — can change a closed day unseen. Writes for today or later change no closed day and are
    not counted. On PostgreSQL a transaction bumps a day's family once (see the migration)."""

    day = models.DateField(primary_key=True)
    records = models.BigIntegerField(default=0)
    residents = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.day:%Y-%m-%d}: {self.records} + {self.residents}"
