"""The vaccination ledger (DOMAIN.md §13): sites, doses given to registered people, and deferrals
(postponed or contraindicated, with a reason).

A dose keeps what the site wrote (product, kind, manufacturer, lot, dose number as written, date) and
what the rules made of it in the person's history (`counted`, `reaches_*`, `not_counted`): rules.py
decides, actions.py writes the result on every dose of the person whenever one of them changes, so the
indicators count milestones with one indexed filter instead of replaying every history. A change of the
policy's product table is applied with `fangkong recount_vaccinations`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction
from fangkong.registry.models import Person


class VaccineKind(models.TextChoices):
    INACTIVATED = "inactivated", _("灭活疫苗")
    ADENOVIRUS = "adenovirus", _("腺病毒载体疫苗")
    RECOMBINANT = "recombinant", _("重组蛋白疫苗")


class Site(models.Model):
    """A vaccination site (接种点): a clinic, a township hospital, a temporary site in a school hall."""

    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="vaccination_sites", verbose_name=_("所属辖区")
    )
    name = models.CharField(_("接种点名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["node__path", "name"]
        verbose_name = _("接种点")
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="one_vaccination_site_name")]

    def __str__(self):
        return self.name


class Dose(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="doses", verbose_name=_("受种者")
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="doses", verbose_name=_("接种点"))
    product = models.CharField(_("疫苗产品"), max_length=40)  # a key of the policy's product table
    kind = models.CharField(_("疫苗种类"), max_length=20, choices=VaccineKind.choices)
    manufacturer = models.CharField(_("生产企业"), max_length=100)
    lot = models.CharField(_("批号"), max_length=40, blank=True)
    dose_number = models.PositiveSmallIntegerField(_("剂次"))  # as the site wrote it
    given_on = models.DateField(_("接种日期"))
    # What the rules made of it in the person's history (rules.milestones).
    counted = models.BooleanField(default=True)
    not_counted = models.CharField(max_length=20, blank=True)
    reaches_first = models.BooleanField(default=False)
    reaches_full = models.BooleanField(default=False)
    reaches_booster = models.BooleanField(default=False)
    # The key an API client or a ledger row gave it: sending it again finds this dose.
    client_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "given_on", "pk"]
        verbose_name = _("接种记录")
        constraints = [
            # One dose a day: the same dose entered twice (typed, then imported) is one dose.
            models.UniqueConstraint(fields=["person", "given_on"], name="one_dose_per_person_day"),
        ]
        indexes = [
            models.Index(fields=["reaches_first", "given_on", "person"], name="dose_first"),
            models.Index(fields=["reaches_full", "given_on", "person"], name="dose_full"),
            models.Index(fields=["reaches_booster", "given_on", "person"], name="dose_booster"),
            models.Index(fields=["given_on", "site"], name="dose_day_site"),
        ]

    def __str__(self):
        return f"{self.person} {self.given_on:%Y-%m-%d} 第{self.dose_number}剂"


class DeferralKind(models.TextChoices):
    POSTPONED = "postponed", _("暂缓接种")
    CONTRAINDICATED = "contraindicated", _("禁忌")


class Deferral(models.Model):
    """Someone who should not be vaccinated now (暂缓, until a date) or at all (禁忌), and why."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="vaccination_deferrals", verbose_name=_("人员")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=DeferralKind.choices)
    reason = models.CharField(_("原因"), max_length=200)
    decided_on = models.DateField(_("判定日期"))
    until = models.DateField(_("暂缓至"), null=True, blank=True)
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("接种点")
    )
    client_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "-decided_on", "-pk"]
        verbose_name = _("暂缓或禁忌")

    def __str__(self):
        return f"{self.person} {self.get_kind_display()}"

    def in_force(self, day) -> bool:
        return self.decided_on <= day and (
            self.kind == DeferralKind.CONTRAINDICATED or self.until is None or self.until >= day
        )
