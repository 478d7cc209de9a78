"""Inspections (督查) and rectification (整改), DOMAIN.md §14, §16.

A checklist template is a list of items (复工复产检查表: 体温检测、进出登记、口罩 …); a template belongs to
a node and is offered to that node's subtree (a template with no node is a preset offered everywhere).
An inspection looks at one object, a registry unit or a venue (the market supervision of §14 inspects
businesses the same way), at a moment, by named inspectors, and records each item passed or failed
with a note and a photo. The item's text is copied into the result, so editing a template never
rewrites what was found. A failed item becomes a rectification order with a deadline and an owner;
a re-inspection closes it, or the order is escalated up the tree once it is overdue (rules.py).
An object may be closed (停业整顿) and reopened; each is an audited action.

Every record is seen in the subtree of the inspected object's node (`node`, copied from the object).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction
from fangkong.registry.models import Unit
from fangkong.venues.models import Venue


class ChecklistTemplate(models.Model):
    node = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属辖区"),
    )  # empty: a preset offered to every jurisdiction
    name = models.CharField(_("检查表名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("检查表")

    def __str__(self):
        return self.name


class ChecklistItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    text = models.CharField(_("检查内容"), max_length=200)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["template", "position", "id"]
        verbose_name = _("检查项")

    def __str__(self):
        return self.text


class InspectionKind(models.TextChoices):
    ROUTINE = "routine", _("检查")
    REINSPECTION = "reinspection", _("复查")


class InspectedObject(models.Model):
    """What an inspection, an order or a closure is about: a registry unit or a venue, exactly one."""

    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属辖区")
    )  # the object's node when the record was made: the part of the tree that sees it
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("场所")
    )

    class Meta:
        abstract = True

    @property
    def target(self):
        return self.unit if self.unit_id else self.venue

    @property
    def target_name(self) -> str:
        target = self.target
        return target.name if target is not None else ""


def one_object(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(unit__isnull=False, venue__isnull=True) | Q(unit__isnull=True, venue__isnull=False),
        name=name,
    )


class Inspection(InspectedObject):
    template = models.ForeignKey(
        ChecklistTemplate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("检查表"),
    )  # empty for a re-inspection, which looks at the orders' items only
    kind = models.CharField(
        _("类别"), max_length=20, choices=InspectionKind.choices, default=InspectionKind.ROUTINE
    )
    inspected_at = models.DateTimeField(_("检查时间"), db_index=True)
    inspectors = models.CharField(_("检查人员"), max_length=200)
    note = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    import_key = models.CharField(max_length=64, blank=True, db_index=True)  # a ledger row re-imported
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-inspected_at", "-id"]
        verbose_name = _("检查记录")
        constraints = [one_object("inspection_one_object")]

    def __str__(self):
        return f"{self.target_name} {self.inspected_at:%Y-%m-%d}"

    @property
    def failed_count(self) -> int:
        return sum(1 for result in self.results.all() if not result.passed)


class Result(models.Model):
    """One item of an inspection: passed or failed, with a note and a photo."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(
        ChecklistItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("检查内容"), max_length=200)  # the item's text when inspected
    passed = models.BooleanField(_("合格"))
    note = models.CharField(_("问题描述"), max_length=500, blank=True)
    photo = models.CharField(max_length=80, blank=True)  # a file under VAR_DIR/inspections/ (photos.py)
    order = models.ForeignKey(
        "Rectification", null=True, blank=True, on_delete=models.SET_NULL, related_name="checks"
    )  # for a re-inspection: the order this result looked at again

    class Meta:
        ordering = ["inspection", "position", "id"]
        verbose_name = _("检查结果")

    def __str__(self):
        return self.text


class OrderStatus(models.TextChoices):
    OPEN = "open", _("整改中")
    CLOSED = "closed", _("已整改")


class Rectification(InspectedObject):
    """An order to fix one failed item (整改通知), until a re-inspection finds it fixed."""

    finding = models.OneToOneField(Result, on_delete=models.PROTECT, related_name="rectification")
    problem = models.CharField(_("存在问题"), max_length=500)
    requirement = models.CharField(_("整改要求"), max_length=500, blank=True)
    ordered_on = models.DateField(_("下达日期"), db_index=True)
    deadline = models.DateField(_("整改期限"))
    owner = models.CharField(_("整改责任人"), max_length=50)
    owner_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    escalated_to = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("已上报至"),
    )  # overdue: the node above that now follows it (rules.escalation_node)
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="closed_orders"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("整改单")
        constraints = [one_object("rectification_one_object")]

    def __str__(self):
        return f"{self.target_name}：{self.problem}"[:200]


class Closure(InspectedObject):
    """A unit or venue closed (停业整顿) until it is reopened."""

    reason = models.CharField(_("关停原因"), max_length=300)
    closed_at = models.DateTimeField(_("关停时间"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField(_("恢复营业时间"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopen_note = models.CharField(_("恢复说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["-closed_at", "-id"]
        verbose_name = _("停业整顿")
        constraints = [
            one_object("closure_one_object"),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(reopened_at__isnull=True), name="closure_one_open_per_unit"
            ),
            models.UniqueConstraint(
                fields=["venue"], condition=Q(reopened_at__isnull=True), name="closure_one_open_per_venue"
            ),
        ]

    def __str__(self):
        return f"{self.target_name} {self.closed_at:%Y-%m-%d}"
