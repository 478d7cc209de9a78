from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction

from .presets import DEFAULT_PRESET, PRESETS


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
