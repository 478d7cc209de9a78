"""The text people write into a node's situation report, kept between reports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction


class SituationNotes(models.Model):
    """存在问题 and 下一步工作 of a node's situation report: written by people, kept between reports."""

    node = models.OneToOneField(Jurisdiction, on_delete=models.CASCADE, related_name="situation_notes")
    issuer = models.CharField(_("发文单位"), max_length=100, blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下一步工作"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "reporting_situationnotes"  # the table of before the situation report had its own app
        verbose_name = _("情况报告文字")

    def __str__(self):
        return f"{self.node}"
