"""Health codes (健康码, DOMAIN.md §6): who a resident is to the codes, risk areas, manual colours and
appeals, and the counters behind the attempt limits.

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
        db_table = "codes_identity"  # the table of before the split of codes/
        verbose_name = _("码上身份")

    def __str__(self):
        return self.masked_name  # a stray {{ identity }} shows no more than this


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
        db_table = "codes_riskarea"  # the table of before the split of codes/
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
        db_table = "codes_manualcolour"  # the table of before the split of codes/
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
        db_table = "codes_appeal"  # the table of before the split of codes/
        ordering = ["-created_at"]
        verbose_name = _("赋码申诉")

    def __str__(self):
        return f"{self.identity} {self.get_status_display()}"


class IdentifyAttempt(models.Model):
    """A resident identifying on a phone (name, ID number, phone). Counted in the database, like failed
    logins, so the limit holds across server processes: guessing the name that goes with a known ID number
    would otherwise show a stranger's colour."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, db_index=True)
    device = models.CharField(max_length=32, blank=True, db_index=True)
    ok = models.BooleanField(default=False)

    class Meta:
        db_table = "codes_identifyattempt"  # the table of before the split of codes/

    def __str__(self):
        return f"{self.device or self.ip} {self.at:%Y-%m-%d %H:%M}"


class VerificationCount(models.Model):
    """Health-code verifications of one account in one clock minute, for the per-minute limit. In the
    database, like identification attempts, so the limit holds across server processes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    minute = models.BigIntegerField()  # minutes since 1970-01-01 UTC
    count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "codes_verificationcount"  # the table of before the split of codes/
        constraints = [
            models.UniqueConstraint(fields=["user", "minute"], name="one_verification_count_per_minute")
        ]

    def __str__(self):
        return f"{self.user_id} {self.minute}: {self.count}"
