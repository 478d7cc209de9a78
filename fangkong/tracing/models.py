"""Cases, their investigation and their contacts (DOMAIN.md §5, §12).

A case is a person (or, when they are not registered here, a code identity) with a history of events:
suspected, confirmed, asymptomatic, excluded, discharged, died. The case's `kind` and `outcome` are the
state after its latest event, kept for lists; reports count by the state on day D from the events.

A candidate is someone who may have been exposed: co-present with the case at a venue (from check-ins),
a household member, or named by the case. The investigator decides each one; a decision as close or
secondary contact creates the screening and the measure the policy prescribes.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction
from fangkong.healthcodes.models import Identity
from fangkong.measures.models import Measure, Screening
from fangkong.registry.models import Person
from fangkong.venues.models import Venue


class CaseKind(models.TextChoices):
    SUSPECTED = "suspected", _("疑似病例")
    CONFIRMED = "confirmed", _("确诊病例")
    ASYMPTOMATIC = "asymptomatic", _("无症状感染者")


class Outcome(models.TextChoices):
    EXCLUDED = "excluded", _("排除")
    DISCHARGED = "discharged", _("出院")
    DIED = "died", _("死亡")


class EventKind(models.TextChoices):
    """What can happen to a case; the first event is its kind when reported."""

    SUSPECTED = "suspected", _("报告疑似病例")
    CONFIRMED = "confirmed", _("确诊")
    ASYMPTOMATIC = "asymptomatic", _("报告无症状感染者")
    EXCLUDED = "excluded", _("排除")
    DISCHARGED = "discharged", _("出院（解除隔离）")
    DIED = "died", _("死亡")


class ClinicalType(models.TextChoices):
    MILD = "mild", _("轻型")
    ORDINARY = "ordinary", _("普通型")
    SEVERE = "severe", _("重型")
    CRITICAL = "critical", _("危重型")


class Source(models.TextChoices):
    LOCAL = "local", _("本土")
    ABROAD = "abroad", _("境外输入")
    OTHER_PROVINCE = "other_province", _("外省输入")


class Case(models.Model):
    number = models.CharField(_("病例编号"), max_length=30, unique=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("人员")
    )
    identity = models.ForeignKey(
        Identity,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("码证身份"),
    )  # the person's code identity, or the only link when they are not registered here
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="cases", verbose_name=_("报告辖区")
    )  # where the case lives or was found: the part of the tree that sees it
    kind = models.CharField(_("病例类别"), max_length=20, choices=CaseKind.choices)
    outcome = models.CharField(_("转归"), max_length=20, choices=Outcome.choices, blank=True)
    clinical_type = models.CharField(_("临床分型"), max_length=20, choices=ClinicalType.choices, blank=True)
    source = models.CharField(_("感染来源"), max_length=20, choices=Source.choices, default=Source.LOCAL)
    origin_text = models.CharField(_("输入来源地"), max_length=100, blank=True)
    onset_on = models.DateField(_("发病日期"), null=True, blank=True)
    sampled_at = models.DateTimeField(_("采样时间"), null=True, blank=True)
    diagnosed_at = models.DateTimeField(_("诊断时间"))
    reported_at = models.DateTimeField(_("网络直报时间"), null=True, blank=True)
    isolated_at = models.DateTimeField(_("隔离管控时间"), null=True, blank=True)
    found_by_routine_testing = models.BooleanField(_("常规检测发现"), default=False)
    last_negative_at = models.DateTimeField(
        _("末次阴性采样时间"), null=True, blank=True
    )  # found by routine testing: the look-back window starts here (DOMAIN.md §5)
    hospital = models.CharField(_("收治医院"), max_length=100, blank=True)
    core_investigation_done_at = models.DateTimeField(_("核心信息流调完成时间"), null=True, blank=True)
    investigation_done_at = models.DateTimeField(_("流调报告完成时间"), null=True, blank=True)
    infected_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="infected",
        verbose_name=_("传染来源病例"),
    )
    notes = models.CharField(_("备注"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-diagnosed_at", "-id"]
        verbose_name = _("病例")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(identity__isnull=False),
                name="case_has_person_or_identity",
            )
        ]

    def __str__(self):
        return self.number


class CaseEvent(models.Model):
    """One transition of a case (DOMAIN.md §12), with its time: every one is kept."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["kind", "at"])]
        verbose_name = _("病例转归记录")

    def __str__(self):
        return f"{self.case} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class EntryKind(models.TextChoices):
    HOME = "home", _("居住地")
    WORKPLACE = "workplace", _("工作单位")
    VEHICLE = "vehicle", _("交通工具")
    MEAL = "meal", _("聚餐")
    GATHERING = "gathering", _("聚集活动")
    VENUE = "venue", _("场所")
    OTHER = "other", _("其他")


class TrajectoryEntry(models.Model):
    """A place and time the investigator adds to the case's trajectory; check-ins and checkpoint passages
    come from their own records and are not copied here."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("类别"), max_length=20, choices=EntryKind.choices)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=200)
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("场所")
    )
    vehicle = models.CharField(_("车次/车牌"), max_length=50, blank=True)
    seat = models.CharField(_("座位"), max_length=20, blank=True)
    notes = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("活动轨迹")

    def __str__(self):
        return f"{self.case} {self.place} {self.starts_at:%Y-%m-%d %H:%M}"


class CandidateSource(models.TextChoices):
    VENUE = "venue", _("场所时空交集")
    HOUSEHOLD = "household", _("同住人员")
    NAMED = "named", _("病例提供")


class Decision(models.TextChoices):
    PENDING = "pending", _("待判定")
    CLOSE = "close", _("密切接触者")
    SECONDARY = "secondary", _("密接的密接")
    GENERAL = "general", _("一般接触者")
    CLEARED = "cleared", _("排除")


class Candidate(models.Model):
    """Someone who may have been exposed to a case: found by the co-presence search at a venue, living in
    the case's household, or named by the case. `via` is the close contact through whom a secondary
    candidate was found (their search window, DOMAIN.md §5)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="candidates")
    via = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="secondary")
    source = models.CharField(_("来源"), max_length=20, choices=CandidateSource.choices)
    identity = models.ForeignKey(
        Identity, null=True, blank=True, on_delete=models.PROTECT, related_name="candidacies"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="candidacies"
    )
    # Named people not found in the registry or among identities: what the case said.
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    relation = models.CharField(_("与病例关系"), max_length=100, blank=True)
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("场所")
    )
    exposed_from = models.DateTimeField(_("接触开始"), null=True, blank=True)
    exposed_until = models.DateTimeField(_("末次接触"), null=True, blank=True)
    overlap_minutes = models.PositiveIntegerField(_("重叠时长（分钟）"), default=0)
    decision = models.CharField(_("判定"), max_length=20, choices=Decision.choices, default=Decision.PENDING)
    decided_at = models.DateTimeField(_("判定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    screening = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    measure = models.ForeignKey(Measure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    handed_over_at = models.DateTimeField(
        _("协查移交时间"), null=True, blank=True
    )  # outside the county: on the hand-over list (协查函)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-overlap_minutes", "id"]
        indexes = [
            models.Index(fields=["identity", "decision"]),
            models.Index(fields=["person", "decision"]),
            models.Index(fields=["decision", "decided_at"]),
        ]
        constraints = [
            # A search run again finds the same rows: one per case, way in, who and where.
            models.UniqueConstraint(
                fields=["case", "source", "identity", "venue"],
                condition=models.Q(via__isnull=True, identity__isnull=False, venue__isnull=False),
                name="one_candidate_per_venue",
            ),
            models.UniqueConstraint(
                fields=["via", "identity", "venue"],
                condition=models.Q(via__isnull=False, identity__isnull=False, venue__isnull=False),
                name="one_secondary_candidate_per_venue",
            ),
            models.UniqueConstraint(
                fields=["case", "source", "person"],
                condition=models.Q(via__isnull=True, person__isnull=False, venue__isnull=True),
                name="one_candidate_per_person",
            ),
        ]
        verbose_name = _("待判定人员")

    def __str__(self):
        return f"{self.case} {self.person or self.identity or self.name}"


class Clock(models.TextChoices):
    """The §12 clocks of a case."""

    REPORT = "report", _("2小时内网络直报")
    CORE = "core", _("4小时内完成核心信息流调")
    INVESTIGATION = "investigation", _("24小时内完成流调报告")
    CONTACTS = "contacts", _("24小时内密接判定并管控")


class ClockAlert(models.Model):
    """A §12 clock that ran out, raised once (the scheduled job and the case page both check)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clock_alerts")
    clock = models.CharField(_("时限"), max_length=20, choices=Clock.choices)
    due_at = models.DateTimeField(_("应完成时间"))
    raised_at = models.DateTimeField(_("预警时间"))
    resolved_at = models.DateTimeField(_("处置时间"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [models.UniqueConstraint(fields=["case", "clock"], name="one_alert_per_clock")]
        verbose_name = _("时限预警")

    def __str__(self):
        return f"{self.case} {self.get_clock_display()}"
