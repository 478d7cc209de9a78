"""Venue codes and check-ins, health codes, risk areas and checkpoints (DOMAIN.md §5, §6, §10).

A resident who scans a code or shows one need not be in the registry (a visitor from another county):
`Identity` is the person as the codes know them — ID number, name, phone — linked to the registry's
`Person` when one has that ID number, so their screenings and measures count for their colour.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction
from fangkong.lib.masking import MaskedPersonalData
from fangkong.registry.models import Person


class Colour(models.TextChoices):
    GREEN = "green", _("绿码")
    YELLOW = "yellow", _("黄码")
    RED = "red", _("红码")


class Identity(MaskedPersonalData, models.Model):
    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    person = models.OneToOneField(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="identity"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("码上身份")

    def __str__(self):
        return self.masked_name  # a stray {{ identity }} shows no more than this


class VenueKind(models.TextChoices):
    SHOP = "shop", _("商超门店")
    MARKET = "market", _("农贸市场")
    RESTAURANT = "restaurant", _("餐饮")
    SCHOOL = "school", _("学校")
    ENTERPRISE = "enterprise", _("企业")
    OFFICE = "office", _("机关办公场所")
    CLINIC = "clinic", _("医疗机构")
    STATION = "station", _("交通站点")
    COMPOUND = "compound", _("居民小区")
    OTHER = "other", _("其他")


class Venue(models.Model):
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="venues", verbose_name=_("所属辖区")
    )
    name = models.CharField(_("场所名称"), max_length=100)
    kind = models.CharField(_("场所类型"), max_length=20, choices=VenueKind.choices)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    dwell_minutes = models.PositiveSmallIntegerField(
        _("默认停留时间（分钟）"), null=True, blank=True
    )  # empty: the policy's default for the kind
    code = models.CharField(
        max_length=24, unique=True
    )  # random, unguessable: the poster's QR points at /r/v/<code>/
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["node__path", "name"]
        verbose_name = _("场所")

    def __str__(self):
        return self.name


class CheckIn(models.Model):
    """One scan of a venue code. Kept for the policy's retention period, then purged."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="checkins")
    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="checkins")
    at = models.DateTimeField(_("扫码时间"), db_index=True)
    checked_out_at = models.DateTimeField(_("离开时间"), null=True, blank=True)
    scanned_by = models.ForeignKey(
        Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("代扫人")
    )  # set when a family member checked this person in
    source = models.CharField(max_length=10, default="phone")  # phone | kiosk | batch
    client_id = models.CharField(
        max_length=64, null=True, blank=True, unique=True
    )  # idempotent device uploads
    colour_shown = models.CharField(max_length=10, choices=Colour.choices, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["venue", "at"]), models.Index(fields=["identity", "at"])]
        verbose_name = _("扫码记录")

    def __str__(self):
        return f"{self.identity} {self.venue} {self.at:%Y-%m-%d %H:%M}"


class RiskLevel(models.TextChoices):
    HIGH = "high", _("高风险")
    MEDIUM = "medium", _("中风险")


class RiskArea(models.Model):
    """A medium or high-risk area: a node of the tree, or a named place elsewhere with its division code."""

    level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel.choices)
    node = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("辖区"),
    )
    division_code = models.CharField(_("区划代码"), max_length=12, blank=True, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("解除日期"), null=True, blank=True)
    declared_by = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="declared_risk_areas", verbose_name=_("发布辖区")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("风险区")

    def __str__(self):
        return f"{self.name}（{self.get_level_display()}）"


class ManualColour(models.Model):
    """A colour set by hand, with a reason and an expiry; needs a permission and is audited."""

    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="manual_colours")
    colour = models.CharField(_("颜色"), max_length=10, choices=Colour.choices)
    reason = models.CharField(_("原因"), max_length=200)
    starts_at = models.DateTimeField(_("生效时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("赋码辖区")
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("人工赋码")

    def __str__(self):
        return f"{self.identity} {self.get_colour_display()}"


class Appeal(models.Model):
    """A resident's objection to their colour, from their code page; lands in a queue."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("已纠正")
        REJECTED = "rejected", _("维持原码")

    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="appeals")
    colour = models.CharField(_("申诉时颜色"), max_length=10, choices=Colour.choices)
    text = models.CharField(_("申诉理由"), max_length=500)
    node = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("受理辖区"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.CharField(_("处理意见"), max_length=500, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("赋码申诉")

    def __str__(self):
        return f"{self.identity} {self.get_status_display()}"


class CheckpointKind(models.TextChoices):
    ROAD = "road", _("道路卡口")
    GATE = "gate", _("小区（村）出入口")
    STATION = "station", _("车站码头")


class Checkpoint(models.Model):
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="checkpoints", verbose_name=_("所属辖区")
    )
    name = models.CharField(_("卡口名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=CheckpointKind.choices)
    address = models.CharField(_("位置"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["node__path", "name"]
        verbose_name = _("卡口")

    def __str__(self):
        return self.name


class DutyShift(models.Model):
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="shifts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="duty_shifts")
    starts_at = models.DateTimeField(_("上岗时间"))
    ends_at = models.DateTimeField(_("下岗时间"))

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("值守班次")

    def __str__(self):
        return f"{self.checkpoint} {self.user} {self.starts_at:%m-%d %H:%M}"


class Direction(models.TextChoices):
    IN = "in", _("进")
    OUT = "out", _("出")


class Outcome(models.TextChoices):
    PASS = "pass", _("放行")
    TURNED_BACK = "turned_back", _("劝返")
    FEVER_CLINIC = "fever_clinic", _("引导至发热门诊")
    HANDED_OVER = "handed_over", _("移交社区")


class Passage(models.Model):
    """One person or vehicle through a checkpoint (卡口登记表)."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="passages")
    at = models.DateTimeField(_("时间"), db_index=True)
    direction = models.CharField(_("进/出"), max_length=5, choices=Direction.choices)
    identity = models.ForeignKey(
        Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="passages"
    )
    plate = models.CharField(_("车牌号"), max_length=16, blank=True)
    passengers = models.PositiveSmallIntegerField(_("同车人数"), null=True, blank=True)
    temperature = models.DecimalField(_("体温（℃）"), max_digits=3, decimal_places=1, null=True, blank=True)
    origin = models.CharField(_("来自何地"), max_length=100, blank=True)
    destination = models.CharField(_("去往何地"), max_length=100, blank=True)
    purpose = models.CharField(_("事由"), max_length=100, blank=True)
    colour_seen = models.CharField(_("健康码颜色"), max_length=10, choices=Colour.choices, blank=True)
    outcome = models.CharField(_("处置结果"), max_length=20, choices=Outcome.choices, default=Outcome.PASS)
    # Decided when recorded, by the fever threshold of the policy then in force at the checkpoint.
    fever = models.BooleanField(_("发热"), default=False)
    screening = models.ForeignKey(
        "measures.Screening", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # the fever screening this passage created, when the person is in the registry
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_id = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["checkpoint", "at"])]
        verbose_name = _("卡口通行记录")

    def __str__(self):
        return f"{self.checkpoint} {self.at:%Y-%m-%d %H:%M} {self.get_direction_display()}"


class IdentifyAttempt(models.Model):
    """A resident identifying on a phone (name, ID number, phone). Counted in the database, like failed
    logins, so the limit holds across server processes: guessing the name that goes with a known ID number
    would otherwise show a stranger's colour."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, db_index=True)
    device = models.CharField(max_length=32, blank=True, db_index=True)
    ok = models.BooleanField(default=False)

    def __str__(self):
        return f"{self.device or self.ip} {self.at:%Y-%m-%d %H:%M}"


class VerificationCount(models.Model):
    """Health-code verifications of one account in one clock minute, for the per-minute limit. In the
    database, like identification attempts, so the limit holds across server processes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    minute = models.BigIntegerField()  # minutes since 1970-01-01 UTC
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "minute"], name="one_verification_count_per_minute")
        ]

    def __str__(self):
        return f"{self.user_id} {self.minute}: {self.count}"
