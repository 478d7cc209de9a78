"""Nucleic-acid testing (核酸检测, DOMAIN.md §13): sampling points, samples (a single tube or a pool of 5, 10
or 20 people), their members, lab results, re-tests, key groups and mass-testing rounds.

A person's own results are measures.TestResult rows (what release and the health code read): a member of a
sample gets one, pending from sampling on, made negative or positive by the tube's result — except that a
positive or invalid pool is never a person's result: those members' rows are removed and a re-test is asked
for (SampleMember.test_result keeps the link)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction
from fangkong.measures.models import TestResult
from fangkong.registry.models import Person
from fangkong.tracing.models import Case


class SamplingPoint(models.Model):
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属辖区")
    )
    name = models.CharField(_("采样点名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="sampling_points", verbose_name=_("采样人员")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("采样点")

    def __str__(self):
        return self.name


class Round(models.Model):
    """A mass-testing round (全员核酸) over a subtree: its target is the people registered there."""

    node = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("范围"))
    name = models.CharField(_("轮次名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("全员核酸轮次")

    def __str__(self):
        return self.name


class SampleKind(models.TextChoices):
    SINGLE = "single", _("单采")
    POOL = "pool", _("混采")


class Result(models.TextChoices):
    PENDING = "pending", _("待出结果")
    NEGATIVE = "negative", _("阴性")
    POSITIVE = "positive", _("阳性")
    INVALID = "invalid", _("无效（需重采）")


class Sample(models.Model):
    """One tube: a single sample (单采) or a pool (混采) of up to `capacity` people."""

    tube_code = models.CharField(_("试管编码"), max_length=40, unique=True)
    kind = models.CharField(_("采样方式"), max_length=10, choices=SampleKind.choices)
    capacity = models.PositiveSmallIntegerField(_("混管人数"), default=1)
    point = models.ForeignKey(
        SamplingPoint,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="samples",
        verbose_name=_("采样点"),
    )
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("采样辖区")
    )
    round = models.ForeignKey(
        Round, null=True, blank=True, on_delete=models.PROTECT, related_name="samples", verbose_name=_("轮次")
    )
    sampled_at = models.DateTimeField(_("采样时间"))
    sampled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices, default=Result.PENDING)
    result_at = models.DateTimeField(_("出结果时间"), null=True, blank=True)
    ct_orf1ab = models.DecimalField(
        _("Ct值（ORF1ab）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    ct_n = models.DecimalField(_("Ct值（N）"), max_digits=5, decimal_places=2, null=True, blank=True)
    lab = models.CharField(_("检测机构"), max_length=100, blank=True)
    result_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sampled_at"]
        verbose_name = _("样本")
        indexes = [models.Index(fields=["sampled_at"]), models.Index(fields=["round", "result"])]

    def __str__(self):
        return self.tube_code

    @property
    def is_pool(self) -> bool:
        return self.kind == SampleKind.POOL


class SampleMember(models.Model):
    """A person in a tube. `path` is the person's node path when sampled (where the round counts them)."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="samplings")
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=255)
    sampled_at = models.DateTimeField()
    test_result = models.OneToOneField(
        TestResult, null=True, blank=True, on_delete=models.SET_NULL, related_name="sampling"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("受检人员")
        constraints = [models.UniqueConstraint(fields=["sample", "person"], name="one_person_per_tube")]
        indexes = [
            models.Index(fields=["round", "path"]),
            models.Index(fields=["round", "person"]),
            models.Index(fields=["sampled_at"]),
        ]

    def __str__(self):
        return f"{self.sample} {self.person}"


class RoundCount(models.Model):
    """The kept figures of a round at one node path (members' `path`): people sampled there, and people
    whose tube has a result. The actions that add or remove a member or record a result recount the keys
    they touch in their own transaction (actions.recount_round_paths), under a lock on these rows; the
    progress page sums them instead of counting every member of the round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=255)
    sampled = models.PositiveIntegerField(default=0)
    back = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("轮次进度")
        constraints = [
            models.UniqueConstraint(fields=["round", "path"], name="testing_roundcount_round_path")
        ]

    def __str__(self):
        return f"{self.round} {self.path} {self.sampled}/{self.back}"


class RetestReason(models.TextChoices):
    POOL_POSITIVE = "pool_positive", _("混管阳性，单管复核")
    INVALID = "invalid", _("结果无效，重新采样")


class Retest(models.Model):
    """A new single sample asked of a person; done when one is taken after it was asked."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="retests")
    node = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=20, choices=RetestReason.choices)
    source = models.ForeignKey(
        Sample, on_delete=models.PROTECT, related_name="retests", verbose_name=_("原样本")
    )
    requested_at = models.DateTimeField(_("要求时间"))
    done_by = models.ForeignKey(Sample, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(_("复采时间"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("复核采样")
        constraints = [models.UniqueConstraint(fields=["person", "source"], name="one_retest_per_tube")]

    def __str__(self):
        return f"{self.person} {self.get_reason_display()}"


class ResultAlert(models.Model):
    """A positive tube, reported to the county: a single positive (with the suspected case it opened) or a
    positive pool (its members controlled and re-tested)."""

    sample = models.OneToOneField(Sample, on_delete=models.PROTECT, related_name="alert")
    county = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    raised_at = models.DateTimeField(_("报告时间"))
    summary = models.CharField(_("情况"), max_length=200)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("阳性报告")

    def __str__(self):
        return self.summary


class KeyGroup(models.TextChoices):
    COLD_CHAIN = "cold_chain", _("冷链从业人员")
    PORT = "port", _("口岸从业人员")
    MEDICAL = "medical", _("医务人员")
    DELIVERY = "delivery", _("快递外卖人员")
    MARKET = "market", _("农贸市场从业人员")


class KeyGroupMember(models.Model):
    """Someone tested regularly for their work (重点人群), at the frequency the policy sets for the group."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="key_groups")
    group = models.CharField(_("重点人群"), max_length=20, choices=KeyGroup.choices)
    since = models.DateField(_("纳入日期"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["group", "id"]
        verbose_name = _("重点人群")
        constraints = [models.UniqueConstraint(fields=["person", "group"], name="one_membership_per_group")]

    def __str__(self):
        return f"{self.person} {self.get_group_display()}"
