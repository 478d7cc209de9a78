"""The command (指挥部, DOMAIN.md §16): working groups with their members, tasks with an owner, a deadline
and a status, and the 24-hour duty roster: one shift a day with its leader on duty (领导带班), officers,
a log of what happened and its hand-over to the next shift.

Everything belongs to a node (the command's jurisdiction: county, township …) and is seen in its
subtree; a task is also seen above, so overdue tasks show up the tree.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction


class WorkingGroup(models.Model):
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属辖区")
    )
    name = models.CharField(_("组名"), max_length=50)
    duties = models.CharField(_("职责"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["node__path", "position", "id"]
        verbose_name = _("工作组")
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="command_group_unique_name")]

    def __str__(self):
        return self.name


class MemberRole(models.TextChoices):
    LEADER = "leader", _("组长")
    DEPUTY = "deputy", _("副组长")
    MEMBER = "member", _("成员")


class Member(models.Model):
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("职务"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    title = models.CharField(_("单位及职务"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    class Meta:
        ordering = ["group", "role", "id"]
        verbose_name = _("工作组成员")

    def __str__(self):
        return self.name


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待办")
    IN_PROGRESS = "in_progress", _("办理中")
    DONE = "done", _("已办结")
    CANCELLED = "cancelled", _("已撤销")


FINISHED = (TaskStatus.DONE, TaskStatus.CANCELLED)


class Task(models.Model):
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("承办辖区")
    )
    group = models.ForeignKey(
        WorkingGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("工作组"),
    )
    title = models.CharField(_("任务"), max_length=200)
    detail = models.TextField(_("内容"), blank=True)
    owner = models.CharField(_("责任人"), max_length=50)
    deadline = models.DateTimeField(_("完成时限"), db_index=True)
    status = models.CharField(_("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    note = models.CharField(_("办理情况"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    import_key = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("任务")

    def __str__(self):
        return self.title


class DutyShift(models.Model):
    """One 24-hour shift of a node's duty roster (24小时值班), from `starts_at` to `ends_at`."""

    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("值班辖区")
    )
    day = models.DateField(_("值班日期"))  # the day the shift starts
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    leader = models.CharField(_("带班领导"), max_length=50)
    leader_phone = models.CharField(_("带班领导电话"), max_length=20, blank=True)
    officers = models.CharField(_("值班人员"), max_length=200)
    phone = models.CharField(_("值班电话"), max_length=20, blank=True)
    log = models.TextField(_("值班记录"), blank=True)
    handover_note = models.TextField(_("交接事项"), blank=True)
    handed_over_at = models.DateTimeField(_("交班时间"), null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_by = models.CharField(_("接班人"), max_length=50, blank=True)

    class Meta:
        ordering = ["node__path", "-day"]
        verbose_name = _("值班")
        constraints = [models.UniqueConstraint(fields=["node", "day"], name="command_one_shift_a_day")]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.leader}"


class LogEntry(models.Model):
    """One line of a shift's duty log (值班日志): a call, an instruction, an event and what was done."""

    shift = models.ForeignKey(DutyShift, on_delete=models.CASCADE, related_name="entries")
    at = models.DateTimeField(_("时间"))
    text = models.CharField(_("事项"), max_length=500)
    action_taken = models.CharField(_("处理情况"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["shift", "at", "id"]
        verbose_name = _("值班日志")

    def __str__(self):
        return self.text[:50]
