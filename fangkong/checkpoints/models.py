"""Checkpoints (卡口, DOMAIN.md §10): the posts, their duty shifts and the passages recorded there."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction
from fangkong.healthcodes.models import Colour, Identity


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
        db_table = "codes_checkpoint"  # the table of before the split of codes/
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
        db_table = "codes_dutyshift"  # the table of before the split of codes/
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
        db_table = "codes_passage"  # the table of before the split of codes/
        ordering = ["-at"]
        indexes = [models.Index(fields=["checkpoint", "at"])]
        verbose_name = _("卡口通行记录")

    def __str__(self):
        return f"{self.checkpoint} {self.at:%Y-%m-%d %H:%M} {self.get_direction_display()}"
