from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction

from .presets import DEFAULT_PRESET, PRESETS

# The words the protocols are written in: a policy's regimes take each screening reason through steps
# of these kinds of measure. Measures records screenings and measures with them.


class Reason(models.TextChoices):
    ARRIVAL = "arrival", _("外地返乡（来返）")
    ARRIVAL_HIGH = "arrival_high", _("高风险区来返")
    ARRIVAL_MEDIUM = "arrival_medium", _("中风险区来返")
    CLOSE_CONTACT = "close_contact", _("密切接触者")
    SECONDARY_CONTACT = "secondary_contact", _("密接的密接")
    INBOUND = "inbound", _("入境人员")
    FEVER = "fever", _("卡口或诊所发现发热")
    TIP_OFF = "tip_off", _("群众举报")
    SELF_DECLARED = "self_declared", _("主动申报")


class Kind(models.TextChoices):
    CENTRAL_QUARANTINE = "central_quarantine", _("集中隔离医学观察")
    HOME_QUARANTINE = "home_quarantine", _("居家隔离医学观察")
    HOME_MONITORING = "home_monitoring", _("居家健康监测")
    SELF_MONITORING = "self_monitoring", _("自我健康监测")
    HOSPITAL = "hospital", _("送医")


class Policy(models.Model):
    """The rules in force for a node's subtree from `effective_from` on (DOMAIN.md §4). The policy for a
    node on a date is the one of its nearest ancestor-or-self that has one effective then; the newest
    `effective_from` wins at that node. `values` has the shape of a preset in presets.py."""

    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="policies", verbose_name=_("辖区")
    )
    effective_from = models.DateField(_("生效日期"))
    preset = models.CharField(
        _("基于预设"),
        max_length=20,
        choices=[(k, v["label"]) for k, v in PRESETS.items()],
        default=DEFAULT_PRESET,
    )
    values = models.JSONField(_("参数"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["node__path", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["node", "effective_from"], name="one_policy_per_node_and_day")
        ]
        verbose_name = _("防控政策")
        db_table = "measures_policy"  # the table it had in measures, kept so the move copied no row

    def __str__(self):
        return f"{self.node} {self.effective_from:%Y-%m-%d} {self.get_preset_display()}"
