"""Schools (DOMAIN.md §15): the education bureau over a county's schools, schools at a node of the grid,
their classes and rosters, the morning and noon checks (晨午检) with their marked pupils, illness absences
(因病缺勤追踪), the 14 days of monitoring before opening (一人一档) and the class alerts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction
from fangkong.lib.masking import mask_id_number
from fangkong.registry.models import Person


class EducationBureau(models.Model):
    """The education bureau (教育局) of a county: its members see every school of the county and its
    checks, and nothing else of the county (a scope over schools, not a membership of the grid)."""

    county = models.OneToOneField(
        Jurisdiction, on_delete=models.PROTECT, related_name="education_bureau", verbose_name=_("所属区县")
    )
    name = models.CharField(_("名称"), max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="education_bureaus")

    class Meta:
        verbose_name = _("教育局")

    def __str__(self):
        return self.name


class Stage(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("幼儿园")
    PRIMARY = "primary", _("小学")
    MIDDLE = "middle", _("初中")
    HIGH = "high", _("高中")
    NINE_YEAR = "nine_year", _("九年一贯制")
    VOCATIONAL = "vocational", _("中职")
    OTHER = "other", _("其他")


class School(models.Model):
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="schools", verbose_name=_("所属辖区")
    )
    name = models.CharField(_("学校名称"), max_length=100)
    stage = models.CharField(_("学段"), max_length=20, choices=Stage.choices)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    opening_date = models.DateField(_("开学日期"), null=True, blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="schools", verbose_name=_("学校人员")
    )

    class Meta:
        ordering = ["node__path", "name"]
        verbose_name = _("学校")
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="one_school_name_per_node")]

    def __str__(self):
        return self.name


class SchoolClass(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="classes")
    grade = models.CharField(_("年级"), max_length=20)
    grade_order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("班级"), max_length=30)
    head_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("班主任"),
    )

    class Meta:
        ordering = ["school", "grade_order", "grade", "name"]
        verbose_name = _("班级")
        constraints = [
            models.UniqueConstraint(fields=["school", "grade", "name"], name="one_class_name_per_grade")
        ]

    def __str__(self):
        return f"{self.grade}{self.name}"


class MemberKind(models.TextChoices):
    PUPIL = "pupil", _("学生")
    STAFF = "staff", _("教职工")


class Member(models.Model):
    """A pupil of a class or a staff member of a school, linked to the registry person with the same ID
    number where there is one."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="members")
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=MemberKind.choices, default=MemberKind.PUPIL)
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=10, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=40, blank=True)
    guardian_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["school_class", "kind", "id"]
        verbose_name = _("花名册")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "id_number"], condition=~models.Q(id_number=""), name="one_member_per_id"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number) if self.id_number else ""


class Slot(models.TextChoices):
    MORNING = "morning", _("晨检")
    NOON = "noon", _("午检")


class Check(models.Model):
    """One class's morning or noon check on a day, with its counts (学校晨午检记录表: 应到、实到、因病缺勤人数、
    症状人数). Nobody symptomatic: the check is the class's zero report. `version` rises with each save, so
    an edit started on an older version is refused rather than silently overwriting."""

    school_class = models.ForeignKey(SchoolClass, on_delete=models.PROTECT, related_name="checks")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="checks")
    day = models.DateField(_("日期"))
    slot = models.CharField(_("时段"), max_length=10, choices=Slot.choices)
    enrolled = models.PositiveIntegerField(_("应到"))
    present = models.PositiveIntegerField(_("实到"))
    absent_illness = models.PositiveIntegerField(_("因病缺勤人数"))
    absent_other = models.PositiveIntegerField(_("其他缺勤人数"))
    symptomatic = models.PositiveIntegerField(_("症状人数"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-day", "school_class", "slot"]
        verbose_name = _("晨午检")
        constraints = [
            models.UniqueConstraint(fields=["school_class", "day", "slot"], name="one_check_per_class_slot")
        ]
        indexes = [models.Index(fields=["school", "day"]), models.Index(fields=["day"])]

    def __str__(self):
        return f"{self.school_class} {self.day:%Y-%m-%d} {self.get_slot_display()}"

    @property
    def zero_report(self) -> bool:
        return self.symptomatic == 0

    @property
    def entry_list(self) -> list:
        return list(self.entries.select_related("member").order_by("member_id"))


class Status(models.TextChoices):
    ABSENT_ILLNESS = "absent_illness", _("因病缺勤")
    ABSENT_OTHER = "absent_other", _("其他缺勤")
    SYMPTOMATIC = "symptomatic", _("到校有症状")


class CheckEntry(models.Model):
    """A pupil marked at a check: absent (for illness or otherwise) or present with symptoms."""

    school_check = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="entries")
    day = models.DateField(_("日期"))  # the check's, kept here so a day's entries are one filter
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="check_entries")
    status = models.CharField(_("情况"), max_length=20, choices=Status.choices)
    symptoms = models.JSONField(_("症状"), default=list, blank=True)
    temperature = models.DecimalField(_("体温"), max_digits=3, decimal_places=1, null=True, blank=True)
    saw_doctor = models.BooleanField(_("是否就诊"), default=False)
    diagnosis = models.CharField(_("诊断"), max_length=100, blank=True)

    class Meta:
        ordering = ["school_check", "member"]
        verbose_name = _("晨午检登记")
        constraints = [
            models.UniqueConstraint(fields=["school_check", "member"], name="one_entry_per_member")
        ]

    def __str__(self):
        return f"{self.member} {self.get_status_display()}"


class Absence(models.Model):
    """Illness-absence tracking (因病缺勤追踪): opened by the first check that marks a pupil absent for
    illness, closed by the return with or without the return certificate (复课证明)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="absences")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="absences")
    first_day = models.DateField(_("缺勤日期"))
    reason = models.CharField(_("缺勤原因"), max_length=100, blank=True)
    onset = models.DateField(_("发病时间"), null=True, blank=True)
    saw_doctor = models.BooleanField(_("是否就诊"), default=False)
    diagnosis = models.CharField(_("诊断"), max_length=100, blank=True)
    expected_return = models.DateField(_("预计返校日期"), null=True, blank=True)
    returned_on = models.DateField(_("返校时间"), null=True, blank=True)
    certificate = models.BooleanField(_("复课证明"), default=False)
    certificate_note = models.CharField(_("证明说明"), max_length=100, blank=True)

    class Meta:
        ordering = ["-first_day", "member"]
        verbose_name = _("因病缺勤追踪")

    def __str__(self):
        return f"{self.member} {self.first_day:%Y-%m-%d}"


class PreOpeningEntry(models.Model):
    """One day of the 14 days of health monitoring before opening (开学前14天健康监测), per pupil or staff."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="pre_opening")
    day = models.DateField(_("日期"))
    temperature = models.DecimalField(_("体温"), max_digits=3, decimal_places=1, null=True, blank=True)
    symptoms = models.JSONField(_("症状"), default=list, blank=True)
    away = models.CharField(_("离开本地情况"), max_length=100, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["member", "day"]
        verbose_name = _("开学前健康监测")
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="one_pre_opening_entry_per_day")
        ]

    def __str__(self):
        return f"{self.member} {self.day:%Y-%m-%d}"


class ClassAlert(models.Model):
    """A class where the policy's number of pupils with the same symptom was reached within its days:
    seen by the school, the education bureau and the township (the school's node and above)."""

    school_class = models.ForeignKey(SchoolClass, on_delete=models.PROTECT, related_name="alerts")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="alerts")
    symptom = models.CharField(_("症状"), max_length=20)
    day = models.DateField(_("日期"))
    window_start = models.DateField()
    pupils = models.PositiveIntegerField(_("人数"))
    summary = models.CharField(_("情况"), max_length=200)
    raised_at = models.DateTimeField(_("报告时间"))
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(_("处置结果"), max_length=200, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("班级症状预警")

    def __str__(self):
        return self.summary
