"""Venues (场所) and their check-ins (扫码登记, DOMAIN.md §5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction
from fangkong.healthcodes.models import Colour, Identity


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
        db_table = "codes_venue"  # the table of before the split of codes/
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
        db_table = "codes_checkin"  # the table of before the split of codes/
        ordering = ["-at"]
        indexes = [
            # The co-presence search (tracing/search.py) reads who was at a venue around a time from this
            # index alone; it replaces the plain (venue, at) index, so a check-in still updates two.
            models.Index(fields=["venue", "at", "identity", "checked_out_at"], name="checkin_venue_at_cover"),
            models.Index(fields=["identity", "at"]),
        ]
        verbose_name = _("扫码记录")

    def __str__(self):
        return f"{self.identity} {self.venue} {self.at:%Y-%m-%d %H:%M}"
