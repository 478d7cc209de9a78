from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction
from fangkong.policy.models import Kind, Policy, Reason
from fangkong.registry.models import Person, Unit

ARRIVAL_REASONS = (Reason.ARRIVAL, Reason.ARRIVAL_HIGH, Reason.ARRIVAL_MEDIUM, Reason.INBOUND)


class Screening(models.Model):
    """Why someone is a key person. `reference_date` is the last exposure or the arrival: day 1 of any
    measure that follows is the day after it."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="screenings")
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("排查辖区")
    )
    reason = models.CharField(_("排查原因"), max_length=20, choices=Reason.choices)
    screened_on = models.DateField(_("排查日期"))
    reference_date = models.DateField(_("末次暴露或抵达日期"), null=True, blank=True)
    origin_province = models.CharField(_("来源省"), max_length=2, blank=True)
    origin_city = models.CharField(_("来源市"), max_length=4, blank=True)
    origin_county = models.CharField(_("来源县"), max_length=6, blank=True)
    origin_text = models.CharField(_("从何地返回"), max_length=100, blank=True)
    departed_on = models.DateField(_("出发日期"), null=True, blank=True)
    arrived_on = models.DateField(_("抵达日期"), null=True, blank=True)
    transport = models.CharField(_("交通方式"), max_length=50, blank=True)
    trip_number = models.CharField(_("车次航班"), max_length=50, blank=True)
    route = models.CharField(_("途经地"), max_length=200, blank=True)
    contact_of = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("接触对象")
    )
    contact_of_text = models.CharField(_("接触对象（姓名）"), max_length=100, blank=True)
    notes = models.CharField(_("备注"), max_length=300, blank=True)
    source_key = models.CharField(max_length=64, blank=True, db_index=True)  # idempotent imports
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-screened_on", "-id"]
        verbose_name = _("排查记录")
        indexes = [
            models.Index(fields=["node", "screened_on"]),
            models.Index(fields=["person", "screened_on"]),
        ]

    def __str__(self):
        return f"{self.person} {self.get_reason_display()} {self.screened_on:%Y-%m-%d}"


class QuarantineSite(models.Model):
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="quarantine_sites", verbose_name=_("所属辖区")
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("单位")
    )
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("集中隔离点")

    def __str__(self):
        return self.name


class Room(models.Model):
    site = models.ForeignKey(QuarantineSite, on_delete=models.CASCADE, related_name="rooms")
    number = models.CharField(_("房间号"), max_length=20)
    capacity = models.PositiveSmallIntegerField(_("床位"), default=1)

    class Meta:
        ordering = ["site", "number"]
        constraints = [models.UniqueConstraint(fields=["site", "number"], name="one_room_number_per_site")]

    def __str__(self):
        return f"{self.site} {self.number}"


class Measure(models.Model):
    """What is done about a key person, from `started_at` until `released_at` (active while empty).
    `planned_end` is computed from the policy in force at the start; `policy` and `policy_label` say
    which one, so the period can be explained later even after the policy changed."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="measures")
    screening = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.PROTECT, related_name="measures"
    )
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("管控辖区")
    )
    kind = models.CharField(_("措施"), max_length=20, choices=Kind.choices)
    started_at = models.DateTimeField(_("开始时间"))
    planned_end = models.DateTimeField(_("计划解除时间"), null=True, blank=True)
    period_days = models.PositiveSmallIntegerField(_("期限（天）"), null=True, blank=True)
    policy = models.ForeignKey(Policy, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    policy_label = models.CharField(_("所依据政策"), max_length=200, blank=True)
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.PROTECT, related_name="measures", verbose_name=_("房间")
    )
    released_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    release_reason = models.CharField(_("解除原因"), max_length=200, blank=True)
    transferred_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="transferred_from"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("管控措施")
        indexes = [
            models.Index(fields=["node", "started_at"]),
            models.Index(fields=["released_at"]),
            models.Index(fields=["person", "started_at"]),
        ]

    def __str__(self):
        return f"{self.person} {self.get_kind_display()}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None


class CaretakerRole(models.TextChoices):
    CADRE = "cadre", _("包保干部")
    GRID_WORKER = "grid_worker", _("网格员")
    DOCTOR = "doctor", _("村医（医务人员）")
    POLICE = "police", _("民警")


class Caretaker(models.Model):
    """包保: one of the two to four people responsible for someone under a measure."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="caretakers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="caretaking")
    role = models.CharField(_("包保角色"), max_length=20, choices=CaretakerRole.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["measure", "user"], name="one_caretaker_row_per_user")]
        verbose_name = _("包保责任人")

    def __str__(self):
        return f"{self.user} {self.get_role_display()}"


class Slot(models.TextChoices):
    MORNING = "morning", _("上午")
    EVENING = "evening", _("下午")


class FollowUp(models.Model):
    """A temperature and symptom check. `slot_date` and `slot` say which of the twice-daily checks it
    answers; `taken_at` when it was taken. Every reading is kept: a slot may have several (a second
    check an hour after a fever, the resident's own report after the caretaker's), and a later normal
    reading never erases an abnormal one. Missed slots are derived, never stored."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="follow_ups")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="follow_ups")
    slot_date = models.DateField(_("日期"))
    slot = models.CharField(_("时段"), max_length=10, choices=Slot.choices)
    taken_at = models.DateTimeField(_("测量时间"))
    temperature = models.DecimalField(_("体温（℃）"), max_digits=3, decimal_places=1)
    symptoms = models.JSONField(_("症状"), default=list, blank=True)
    is_abnormal = models.BooleanField(default=False)
    self_reported = models.BooleanField(_("本人上报"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["-slot_date", "-taken_at"]
        indexes = [
            models.Index(fields=["slot_date", "slot"]),
            models.Index(fields=["taken_at"]),
            models.Index(fields=["measure", "slot_date", "slot"], name="follow_up_measure_slot"),
        ]
        verbose_name = _("随访记录")

    def __str__(self):
        return f"{self.person} {self.slot_date:%Y-%m-%d} {self.get_slot_display()} {self.temperature}℃"


class AlertKind(models.TextChoices):
    FEVER = "fever", _("发热或症状")
    OUTING = "outing", _("擅自外出")


class Alert(models.Model):
    """Fever or a symptom at a follow-up, or a person under a measure seen out (a red code at a venue):
    seen by the caretakers, the township and the county at once; one seen out also by the area of the
    place (`place`) where they were seen."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="alerts")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(_("类别"), max_length=10, choices=AlertKind.choices, default=AlertKind.FEVER)
    follow_up = models.OneToOneField(FollowUp, null=True, on_delete=models.PROTECT, related_name="alert")
    place = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("地点"),
    )
    # What raised it (e.g. "checkin:42"), so that the same event raises one alert however often it is sent.
    reference = models.CharField(max_length=40, blank=True)
    raised_at = models.DateTimeField(db_index=True)
    summary = models.CharField(_("情况"), max_length=200)
    resolved_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    resolution = models.CharField(_("处置结果"), max_length=200, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("预警")
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~models.Q(reference=""), name="one_alert_per_reference"
            )
        ]

    def __str__(self):
        return f"{self.person} {self.summary}"


class TestResult(models.Model):
    """A nucleic-acid test of a person (核酸检测); release from a measure may require negatives."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待出结果")
        NEGATIVE = "negative", _("阴性")
        POSITIVE = "positive", _("阳性")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="test_results")
    sampled_at = models.DateTimeField(_("采样时间"))
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sampled_at"]
        verbose_name = _("核酸检测")

    def __str__(self):
        return f"{self.person} {self.sampled_at:%Y-%m-%d} {self.get_outcome_display()}"
