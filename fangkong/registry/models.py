from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction
from fangkong.lib.masking import MaskedPersonalData


class DwellingType(models.TextChoices):
    OWNED = "owned", _("自有住房")
    RENTED = "rented", _("租住")
    DORMITORY = "dormitory", _("集体宿舍")
    SHOP = "shop", _("商住两用")
    OTHER = "other", _("其他")


class Household(models.Model):
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="households", verbose_name=_("所属网格")
    )
    address = models.CharField(_("地址"), max_length=200)
    # natural_key(address): lists order 1组2号 before 1组101号; written wherever the address is.
    address_key = models.CharField(max_length=400, default="", editable=False)
    dwelling_type = models.CharField(
        _("房屋类型"), max_length=20, choices=DwellingType.choices, default=DwellingType.OWNED
    )
    notes = models.CharField(_("备注"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["node__path", "address_key", "id"]
        verbose_name = _("户")

    def __str__(self):
        return self.address


class UnitKind(models.TextChoices):
    SCHOOL = "school", _("学校")
    ENTERPRISE = "enterprise", _("企业")
    BANK = "bank", _("银行")
    MARKET = "market", _("市场")
    HOTEL = "hotel", _("宾馆（隔离点）")
    CLINIC = "clinic", _("医疗机构")
    GOVERNMENT = "government", _("机关事业单位")
    OTHER = "other", _("其他")


class Unit(models.Model):
    """A school, enterprise, market … attached to a node of the tree."""

    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="units", verbose_name=_("所属辖区")
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("单位")

    def __str__(self):
        return self.name


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class DocumentType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAU = "hk_macau", _("港澳居民来往内地通行证")
    TAIWAN = "taiwan", _("台湾居民来往大陆通行证")
    OTHER = "other", _("其他证件")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    TENANT = "tenant", _("租户")
    OTHER = "other", _("其他")


class Verification(models.TextChoices):
    NONE = "none", _("未核查")
    IN_PERSON = "in_person", _("入户核查")
    BY_PHONE = "by_phone", _("电话核查")


class Person(MaskedPersonalData, models.Model):
    """Someone registered on the grid (实有人口). One row per person in the whole installation:
    the document number is unique. `node` and `household` say where they live now; Residence keeps
    where they lived before."""

    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="persons", verbose_name=_("所属网格")
    )
    household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("户"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(max_length=200, db_index=True)
    name_initials = models.CharField(max_length=50, db_index=True)
    sex = models.CharField(_("性别"), max_length=10, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    document_type = models.CharField(
        _("证件类型"), max_length=20, choices=DocumentType.choices, default=DocumentType.RESIDENT_ID
    )
    id_number = models.CharField(_("证件号码"), max_length=40)
    id_last4 = models.CharField(max_length=4, db_index=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    phone_last4 = models.CharField(max_length=4, blank=True, db_index=True)
    relation = models.CharField(
        _("与户主关系"), max_length=20, choices=Relation.choices, default=Relation.OTHER
    )
    occupation = models.CharField(_("职业"), max_length=50, blank=True)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        verbose_name=_("工作单位"),
    )
    notes = models.CharField(_("备注"), max_length=300, blank=True)
    verification = models.CharField(
        _("核查状态"), max_length=20, choices=Verification.choices, default=Verification.NONE
    )
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("核查人"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["node__path", "name_pinyin", "id"]
        verbose_name = _("人员")
        constraints = [
            models.UniqueConstraint(fields=["document_type", "id_number"], name="one_person_per_document"),
        ]
        indexes = [
            models.Index(fields=["node", "name_pinyin", "id"]),
            # The people verified by a moment, or during a day, read from the index alone
            # (reporting/indicators.py, reporting/population.py).
            models.Index(fields=["verification", "verified_at"], name="person_verified"),
        ]

    def __str__(self):
        return self.masked_name  # a stray {{ person }} shows no more than this


class Residence(models.Model):
    """Where a person was registered from `started_at` until `ended_at` (open while current)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="residences")
    node = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("迁移原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["person", "started_at"]
        # With the person, the registered count of a subtree reads the index alone (reporting.indicators).
        indexes = [
            models.Index(fields=["node", "started_at", "ended_at", "person"], name="residence_covering"),
            # The residences ended during a day (reporting/population.py; those begun during a day are
            # found through residence_covering). Only the ended ones, and no index on started_at alone:
            # SQLite, which keeps no statistics, then read a grid's residents through all of them.
            models.Index(
                fields=["ended_at"], name="residence_ended", condition=models.Q(ended_at__isnull=False)
            ),
        ]
        # A person lives in one place at a time: one open residence, and a move closes it no earlier than
        # it began (a clock set back would otherwise open the next one inside it). The indicators count
        # residences, not distinct people, on this guarantee.
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(ended_at__isnull=True), name="one_open_residence"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="residence_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.node} {self.started_at:%Y-%m-%d}–{self.ended_at or ''}"
