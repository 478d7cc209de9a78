"""Early warning (DOMAIN.md §17): fever clinics and their daily visits, the signals the aberration detection
computed per node, series and day, and the alerts their alarms raised."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction


class FeverClinic(models.Model):
    """A fever clinic (发热门诊) or fever sentinel clinic (发热哨点诊室), placed at the node it serves."""

    name = models.CharField(_("名称"), max_length=100)
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="fever_clinics", verbose_name=_("所在辖区")
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["node__path", "name"]
        verbose_name = _("发热门诊")
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="one_clinic_name_per_node")]

    def __str__(self):
        return self.name


class EntrySource(models.TextChoices):
    DESK = "desk", _("录入")
    IMPORT = "import", _("台账导入")
    API = "api", _("接口")


class ClinicVisits(models.Model):
    """The visits of one clinic on one day. A day with no row was not reported (not zero)."""

    clinic = models.ForeignKey(FeverClinic, on_delete=models.PROTECT, related_name="days")
    day = models.DateField(_("日期"))
    visits = models.PositiveIntegerField(_("就诊人次"))
    source = models.CharField(_("来源"), max_length=10, choices=EntrySource.choices, default=EntrySource.DESK)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"))

    class Meta:
        ordering = ["-day", "clinic"]
        verbose_name = _("发热门诊就诊")
        constraints = [
            models.UniqueConstraint(fields=["clinic", "day"], name="one_visit_count_per_clinic_day")
        ]

    def __str__(self):
        return f"{self.clinic} {self.day:%Y-%m-%d} {self.visits}"


class Signal(models.Model):
    """One EARS method's verdict on one series of one node for one day, as the detection run computed it."""

    node = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    series = models.CharField(_("监测序列"), max_length=40)
    day = models.DateField(_("日期"))
    method = models.CharField(_("方法"), max_length=4)
    value = models.IntegerField(_("数值"), null=True)  # None: the day was not reported
    upper = models.FloatField(_("上限"), null=True)  # None: too few reported days before it
    alarm = models.BooleanField(_("预警"), default=False)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "node__path", "series", "method"]
        verbose_name = _("预警信号")
        indexes = [models.Index(fields=["day", "alarm"])]
        constraints = [
            models.UniqueConstraint(
                fields=["node", "series", "day", "method"], name="one_signal_per_method_day"
            )
        ]

    def __str__(self):
        return f"{self.node} {self.series} {self.day:%Y-%m-%d} {self.method}"


class SignalAlert(models.Model):
    """An alarm of a series on a day, to the node and its parent (one per node, series and day)."""

    node = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(Jurisdiction, null=True, on_delete=models.PROTECT, related_name="+")
    series = models.CharField(_("监测序列"), max_length=40)
    day = models.DateField(_("日期"))
    value = models.IntegerField(_("数值"))
    upper = models.FloatField(_("上限"))
    methods = models.CharField(_("方法"), max_length=20)
    summary = models.CharField(_("情况"), max_length=200)
    raised_at = models.DateTimeField(db_index=True)
    resolved_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    resolution = models.CharField(_("处置结果"), max_length=200, blank=True)

    class Meta:
        ordering = ["-day", "node__path"]
        verbose_name = _("监测预警")
        constraints = [
            models.UniqueConstraint(fields=["node", "series", "day"], name="one_signal_alert_per_series_day")
        ]

    def __str__(self):
        return self.summary


class RiskStatus(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    OVERRIDDEN = "overridden", _("已调整")


class RiskDecision(models.Model):
    """The level a §7 preset gives an area (a county under the 2020 rule; where cases live and went under
    the later ones) on a day, with the days it steps down; the county confirms it or sets another level
    (with a reason), which declares the health codes' risk areas (healthcodes.RiskArea)."""

    node = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("地区"))
    county = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    preset = models.CharField(_("规则"), max_length=10)
    day = models.DateField(_("日期"))
    level = models.CharField(_("按规则"), max_length=10)
    reason = models.CharField(_("依据"), max_length=200)
    steps = models.JSONField(_("降级日期"), default=list)  # [["2022-06-17", "medium"], ["2022-06-20", "low"]]
    status = models.CharField(
        _("状态"), max_length=12, choices=RiskStatus.choices, default=RiskStatus.PROPOSED
    )
    decided_level = models.CharField(_("确定等级"), max_length=10, blank=True)
    note = models.CharField(_("调整理由"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    risk_areas = models.JSONField(default=list)  # the healthcodes.RiskArea ids the decision declared
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "node__path"]
        verbose_name = _("风险区划定")
        constraints = [
            models.UniqueConstraint(fields=["node", "preset", "day"], name="one_risk_decision_per_node_day")
        ]

    def __str__(self):
        return f"{self.node} {self.day:%Y-%m-%d} {self.level}"


class TownshipBoundaries(models.Model):
    """The township boundaries a county uploaded for its five-colour map (surveillance/boundaries.py): a
    GeoJSON FeatureCollection of MultiPolygons, each named by its township's code. One per county; a new
    upload replaces it."""

    county = models.OneToOneField(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("县（区）")
    )
    geojson = models.JSONField(_("边界"))
    drawing = models.JSONField(default=dict)  # boundaries.svg_map of the features, drawn once at upload
    features = models.PositiveIntegerField(_("乡镇数"))
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    source = models.CharField(_("数据来源"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("乡镇边界")

    def __str__(self):
        return f"{self.county.name}乡镇边界"

    def codes(self) -> list[str]:
        return [f["properties"]["code"] for f in self.geojson.get("features", [])]
