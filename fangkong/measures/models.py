from django.conf import settings
from django.db import models

from fangkong.grid.models import Jurisdiction
from fangkong.registry.models import Person, Unit

from .presets import DEFAULT_PRESET, PRESETS


class Policy(models.Model):
    """The rules in force for a node's subtree from `effective_from` on (DOMAIN.md §4). The policy for a
    node on a date is the one of its nearest ancestor-or-self that has one effective then; the newest
    `effective_from` wins at that node. `values` has the shape of a preset in presets.py."""

    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="policies", verbose_name="辖区"
    )
    effective_from = models.DateField("生效日期")
    preset = models.CharField(
        "基于预设",
        max_length=20,
        choices=[(k, v["label"]) for k, v in PRESETS.items()],
        default=DEFAULT_PRESET,
    )
    values = models.JSONField("参数")
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["node__path", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["node", "effective_from"], name="one_policy_per_node_and_day")
        ]
        verbose_name = "防控政策"

    def __str__(self):
        return f"{self.node} {self.effective_from:%Y-%m-%d} {self.get_preset_display()}"


class Reason(models.TextChoices):
    ARRIVAL = "arrival", "外地返乡（来返）"
    ARRIVAL_HIGH = "arrival_high", "高风险区来返"
    ARRIVAL_MEDIUM = "arrival_medium", "中风险区来返"
    CLOSE_CONTACT = "close_contact", "密切接触者"
    SECONDARY_CONTACT = "secondary_contact", "密接的密接"
    INBOUND = "inbound", "入境人员"
    FEVER = "fever", "卡口或诊所发现发热"
    TIP_OFF = "tip_off", "群众举报"
    SELF_DECLARED = "self_declared", "主动申报"


ARRIVAL_REASONS = (Reason.ARRIVAL, Reason.ARRIVAL_HIGH, Reason.ARRIVAL_MEDIUM, Reason.INBOUND)


class Screening(models.Model):
    """Why someone is a key person. `reference_date` is the last exposure or the arrival: day 1 of any
    measure that follows is the day after it."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="screenings")
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name="排查辖区"
    )
    reason = models.CharField("排查原因", max_length=20, choices=Reason.choices)
    screened_on = models.DateField("排查日期")
    reference_date = models.DateField("末次暴露或抵达日期", null=True, blank=True)
    origin_province = models.CharField("来源省", max_length=2, blank=True)
    origin_city = models.CharField("来源市", max_length=4, blank=True)
    origin_county = models.CharField("来源县", max_length=6, blank=True)
    origin_text = models.CharField("从何地返回", max_length=100, blank=True)
    departed_on = models.DateField("出发日期", null=True, blank=True)
    arrived_on = models.DateField("抵达日期", null=True, blank=True)
    transport = models.CharField("交通方式", max_length=50, blank=True)
    trip_number = models.CharField("车次航班", max_length=50, blank=True)
    route = models.CharField("途经地", max_length=200, blank=True)
    contact_of = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="接触对象"
    )
    contact_of_text = models.CharField("接触对象（姓名）", max_length=100, blank=True)
    notes = models.CharField("备注", max_length=300, blank=True)
    source_key = models.CharField(max_length=64, blank=True, db_index=True)  # idempotent imports
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-screened_on", "-id"]
        verbose_name = "排查记录"
        indexes = [
            models.Index(fields=["node", "screened_on"]),
            models.Index(fields=["person", "screened_on"]),
        ]

    def __str__(self):
        return f"{self.person} {self.get_reason_display()} {self.screened_on:%Y-%m-%d}"


class Kind(models.TextChoices):
    CENTRAL_QUARANTINE = "central_quarantine", "集中隔离医学观察"
    HOME_QUARANTINE = "home_quarantine", "居家隔离医学观察"
    HOME_MONITORING = "home_monitoring", "居家健康监测"
    SELF_MONITORING = "self_monitoring", "自我健康监测"
    HOSPITAL = "hospital", "送医"


class QuarantineSite(models.Model):
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="quarantine_sites", verbose_name="所属辖区"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="单位"
    )
    name = models.CharField("名称", max_length=100)
    address = models.CharField("地址", max_length=200, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "集中隔离点"

    def __str__(self):
        return self.name


class Room(models.Model):
    site = models.ForeignKey(QuarantineSite, on_delete=models.CASCADE, related_name="rooms")
    number = models.CharField("房间号", max_length=20)
    capacity = models.PositiveSmallIntegerField("床位", default=1)

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
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name="管控辖区"
    )
    kind = models.CharField("措施", max_length=20, choices=Kind.choices)
    started_at = models.DateTimeField("开始时间")
    planned_end = models.DateTimeField("计划解除时间", null=True, blank=True)
    period_days = models.PositiveSmallIntegerField("期限（天）", null=True, blank=True)
    policy = models.ForeignKey(Policy, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    policy_label = models.CharField("所依据政策", max_length=200, blank=True)
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.PROTECT, related_name="measures", verbose_name="房间"
    )
    released_at = models.DateTimeField("解除时间", null=True, blank=True)
    release_reason = models.CharField("解除原因", max_length=200, blank=True)
    transferred_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="transferred_from"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "管控措施"
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
    CADRE = "cadre", "包保干部"
    GRID_WORKER = "grid_worker", "网格员"
    DOCTOR = "doctor", "村医（医务人员）"
    POLICE = "police", "民警"


class Caretaker(models.Model):
    """包保: one of the two to four people responsible for someone under a measure."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="caretakers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="caretaking")
    role = models.CharField("包保角色", max_length=20, choices=CaretakerRole.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["measure", "user"], name="one_caretaker_row_per_user")]
        verbose_name = "包保责任人"

    def __str__(self):
        return f"{self.user} {self.get_role_display()}"


class Slot(models.TextChoices):
    MORNING = "morning", "上午"
    EVENING = "evening", "下午"


class FollowUp(models.Model):
    """A temperature and symptom check. `slot_date` and `slot` say which of the twice-daily checks it
    answers; `taken_at` when it was taken. Missed slots are derived, never stored."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="follow_ups")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="follow_ups")
    slot_date = models.DateField("日期")
    slot = models.CharField("时段", max_length=10, choices=Slot.choices)
    taken_at = models.DateTimeField("测量时间")
    temperature = models.DecimalField("体温（℃）", max_digits=3, decimal_places=1)
    symptoms = models.JSONField("症状", default=list, blank=True)
    is_abnormal = models.BooleanField(default=False)
    self_reported = models.BooleanField("本人上报", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        ordering = ["-slot_date", "-taken_at"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "slot_date", "slot"], name="one_follow_up_per_slot")
        ]
        indexes = [models.Index(fields=["slot_date", "slot"]), models.Index(fields=["taken_at"])]
        verbose_name = "随访记录"

    def __str__(self):
        return f"{self.person} {self.slot_date:%Y-%m-%d} {self.get_slot_display()} {self.temperature}℃"


class Alert(models.Model):
    """Fever or a symptom at a follow-up: seen by the caretakers, the township and the county at once."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="alerts")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="alerts")
    follow_up = models.OneToOneField(FollowUp, null=True, on_delete=models.PROTECT, related_name="alert")
    raised_at = models.DateTimeField(db_index=True)
    summary = models.CharField("情况", max_length=200)
    resolved_at = models.DateTimeField("处置时间", null=True, blank=True)
    resolution = models.CharField("处置结果", max_length=200, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = "预警"

    def __str__(self):
        return f"{self.person} {self.summary}"


class TestResult(models.Model):
    """A nucleic-acid test of a person (核酸检测); release from a measure may require negatives."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "待出结果"
        NEGATIVE = "negative", "阴性"
        POSITIVE = "positive", "阳性"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="test_results")
    sampled_at = models.DateTimeField("采样时间")
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sampled_at"]
        verbose_name = "核酸检测"

    def __str__(self):
        return f"{self.person} {self.sampled_at:%Y-%m-%d} {self.get_outcome_display()}"
