"""Market supervision (市场监管), DOMAIN.md §14: pharmacies with their weekly sales report of the four
classes and their real-name purchases, the follow-up of fever-medicine buyers by their community, and
the gatherings (群体性聚餐) each township reports and cancels per day. Market inspections are records of
the inspections app, made with the market-supervision checklist preset (migrations/0002).

Scope: a pharmacy, its weekly reports and its purchases are seen in the subtree of the pharmacy's node; a
follow-up task in the subtree of the buyer's residence node (the community that follows them up); a
gathering count in the subtree of its township."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction
from fangkong.lib.masking import mask_id_number, mask_name, mask_phone
from fangkong.registry.models import Person, Unit


class DrugClass(models.TextChoices):
    FEVER = "fever", _("退热")
    COUGH = "cough", _("止咳")
    ANTIVIRAL = "antiviral", _("抗病毒")
    ANTIBIOTIC = "antibiotic", _("抗生素")


class Pharmacy(models.Model):
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属网格")
    )
    name = models.CharField(_("药店名称"), max_length=100)
    licence_no = models.CharField(_("药品经营许可证号"), max_length=50, unique=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("负责人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    unit = models.OneToOneField(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="pharmacy"
    )  # the registry unit an inspection of the pharmacy is about (created with the pharmacy)
    monitored = models.BooleanField(_("纳入销售监测"), default=True)  # sends the weekly report
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["node__path", "name", "id"]
        verbose_name = _("药店")

    def __str__(self):
        return self.name


class WeeklySales(models.Model):
    """药品销售监测周报: one pharmacy's sales of the four classes in one week (Monday to Sunday)."""

    pharmacy = models.ForeignKey(Pharmacy, on_delete=models.PROTECT, related_name="weekly")
    week_start = models.DateField(_("周起始日（周一）"), db_index=True)
    fever = models.PositiveIntegerField(_("退热药"), default=0)
    cough = models.PositiveIntegerField(_("止咳药"), default=0)
    antiviral = models.PositiveIntegerField(_("抗病毒药"), default=0)
    antibiotic = models.PositiveIntegerField(_("抗生素"), default=0)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week_start", "pharmacy"]
        verbose_name = _("药品销售监测周报")
        constraints = [models.UniqueConstraint(fields=["pharmacy", "week_start"], name="one_weekly_report")]

    def __str__(self):
        return f"{self.pharmacy} {self.week_start:%Y-%m-%d}"

    @property
    def total(self) -> int:
        return self.fever + self.cough + self.antiviral + self.antibiotic


class Purchase(models.Model):
    """A real-name purchase of a drug of the four classes (购药实名登记). `person` is the registered
    resident with this ID number, when there is one at the time of the purchase; `node` is the pharmacy's."""

    pharmacy = models.ForeignKey(Pharmacy, on_delete=models.PROTECT, related_name="purchases")
    node = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    purchased_at = models.DateTimeField(_("购药时间"), db_index=True)
    buyer_name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18, db_index=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    drug = models.CharField(_("药品名称"), max_length=100)
    drug_class = models.CharField(_("类别"), max_length=12, choices=DrugClass.choices)
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    symptoms = models.CharField(_("症状"), max_length=100, blank=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    found_at = models.DateTimeField(_("已找到时间"), null=True, blank=True)  # an unregistered buyer found
    found_note = models.CharField(_("查找结果"), max_length=200, blank=True)
    import_key = models.CharField(max_length=40, blank=True, db_index=True)  # a ledger row re-imported
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-purchased_at", "-id"]
        verbose_name = _("购药实名登记")
        indexes = [models.Index(fields=["node", "purchased_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["pharmacy", "import_key"], condition=~Q(import_key=""), name="purchase_imported_once"
            )
        ]

    def __str__(self):
        return f"{mask_name(self.buyer_name)} {self.drug}"

    @property
    def masked_name(self) -> str:
        return mask_name(self.buyer_name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    DONE = "done", _("已核查")


class FeverFollowUp(models.Model):
    """A fever-medicine buyer passed to the community they live in: a worklist item at the buyer's
    residence node (the node of the person when the purchase was entered), due by the policy's hours
    after the purchase (markets.fever_followup_hours, *unverified*), done when the community has
    contacted the buyer, with what it found."""

    purchase = models.OneToOneField(Purchase, on_delete=models.CASCADE, related_name="followup")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("居住网格")
    )
    due_at = models.DateTimeField(_("应核查时间"))
    status = models.CharField(_("状态"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    outcome = models.CharField(_("核查结果"), max_length=300, blank=True)
    done_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "due_at", "id"]
        verbose_name = _("购退热药人员核查")
        indexes = [models.Index(fields=["node", "status"])]

    def __str__(self):
        return f"{self.person} {self.purchase.drug}"


class Gathering(models.Model):
    """A township's gatherings (群体性聚餐: banquets, weddings, funerals …) of one day, as it reports
    them daily to the food safety office: how many were reported (planned and found) and how many
    cancelled (劝停/取消), with the tables cancelled."""

    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇（街道）")
    )
    day = models.DateField(_("日期"), db_index=True)
    reported = models.PositiveIntegerField(_("上报聚餐（起）"), default=0)
    cancelled = models.PositiveIntegerField(_("取消聚餐（起）"), default=0)
    tables_cancelled = models.PositiveIntegerField(_("劝停桌数"), default=0)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "node__path"]
        verbose_name = _("群体性聚餐")
        constraints = [
            models.UniqueConstraint(fields=["node", "day"], name="one_gathering_count_per_day"),
            models.CheckConstraint(
                condition=Q(cancelled__lte=models.F("reported")), name="cancelled_le_reported"
            ),
        ]

    def __str__(self):
        return f"{self.node} {self.day:%Y-%m-%d}"
