"""Disinfection (消杀, DOMAIN.md §16): places to disinfect, of a type whose required frequency the policy
sets, and the entries of the 消杀记录表 (§11): start and end time, area or object, agent and
concentration, method, contact time, who did it and who checked it. An entry counts on the day (Asia/
Shanghai) it started."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction
from fangkong.registry.models import Unit


class PlaceKind(models.TextChoices):
    PUBLIC_TOILET = "public_toilet", _("公共厕所")
    MARKET = "market", _("农贸市场")
    LIFT = "lift", _("电梯")
    BUS = "bus", _("公交车")
    CLASSROOM = "classroom", _("教室")
    QUARANTINE_SITE = "quarantine_site", _("隔离点")
    WASTE_STATION = "waste_station", _("垃圾中转站")
    OFFICE = "office", _("办公场所")
    SQUARE = "square", _("广场")
    OTHER = "other", _("其他")


class DisinfectionMethod(models.TextChoices):
    SPRAY = "spray", _("喷洒")
    WIPE = "wipe", _("擦拭")
    SOAK = "soak", _("浸泡")
    MIST = "mist", _("气溶胶喷雾")
    UV = "uv", _("紫外线照射")
    OTHER = "other", _("其他")


class Place(models.Model):
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="disinfection_places", verbose_name=_("所属辖区")
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=PlaceKind.choices)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属单位")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["node__path", "name"]
        verbose_name = _("消杀场所")
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="disinfection_place_node_name")]

    def __str__(self):
        return self.name


class Entry(models.Model):
    """One row of the 消杀记录表."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="entries", verbose_name=_("场所"))
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"))
    target = models.CharField(_("区域/对象"), max_length=100, blank=True)
    area_m2 = models.DecimalField(_("面积（平方米）"), max_digits=10, decimal_places=1, null=True, blank=True)
    agent = models.CharField(_("消毒剂"), max_length=50)
    concentration = models.CharField(_("浓度"), max_length=50, blank=True)
    method = models.CharField(_("方式"), max_length=20, choices=DisinfectionMethod.choices)
    contact_minutes = models.PositiveIntegerField(_("作用时间（分钟）"), null=True, blank=True)
    done_by = models.CharField(_("消毒人员"), max_length=50)
    checked_by = models.CharField(_("复核人"), max_length=50, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    import_key = models.CharField(max_length=64, blank=True, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("消杀记录")
        indexes = [models.Index(fields=["place", "started_at"])]

    def __str__(self):
        return f"{self.place} {self.started_at:%Y-%m-%d %H:%M}"
