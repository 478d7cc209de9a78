"""Epidemic-prevention supplies (防疫物资, DOMAIN.md §16): items, stores at nodes of the tree, batches with
expiry, and the movements of the 出入库台账 (§11): receipts (下拨 / 自购 / 捐赠 with the donor), issues to
units (领用, with the approver), transfers between stores (调拨: one line out, one line in) and stock-takes
(盘点: the difference between what was counted and the book balance).

A movement's `quantity` is signed: what it adds to the store's balance. The balance of a store and item
at the end of a date is the sum of its movements dated on or before it. `Stock` keeps the current balance
of each store and item: the row an issue locks, so that two issues of the same store and item run one
after the other and a balance never goes below zero (the check constraint is the last guard)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction
from fangkong.registry.models import Unit


class Item(models.Model):
    """A kind of supply: 医用外科口罩, N95口罩, 防护服 … with its unit of count and the balance below which a
    store is short of it."""

    name = models.CharField(_("物资名称"), max_length=60)
    spec = models.CharField(_("规格"), max_length=60, blank=True)
    unit = models.CharField(_("单位"), max_length=10)
    threshold = models.DecimalField(_("警戒库存"), max_digits=14, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "spec"]
        verbose_name = _("物资品种")
        constraints = [models.UniqueConstraint(fields=["name", "spec"], name="supplies_item_name_spec")]

    def __str__(self):
        return f"{self.name}（{self.spec}）" if self.spec else self.name


class StoreKind(models.TextChoices):
    COUNTY_RESERVE = "county_reserve", _("县级储备库")
    TOWNSHIP = "township", _("乡镇（街道）物资点")
    VILLAGE = "village", _("村（社区）物资点")
    UNIT = "unit", _("单位物资点")


class Store(models.Model):
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="supply_stores", verbose_name=_("所属辖区")
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=StoreKind.choices)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    keeper = models.CharField(_("保管人"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["node__path", "name"]
        verbose_name = _("物资库点")
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="supplies_store_node_name")]

    def __str__(self):
        return self.name


class Batch(models.Model):
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="batches")
    number = models.CharField(_("批号"), max_length=50)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        ordering = ["expires_on", "number"]
        verbose_name = _("批次")
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="supplies_batch_item_number")]

    def __str__(self):
        return self.number


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("入库")
    ISSUE = "issue", _("领用出库")
    TRANSFER_OUT = "transfer_out", _("调出")
    TRANSFER_IN = "transfer_in", _("调入")
    STOCKTAKE = "stocktake", _("盘点差额")


class SupplySource(models.TextChoices):
    ALLOCATED = "allocated", _("下拨")
    BOUGHT = "bought", _("自购")
    DONATED = "donated", _("捐赠")


class Movement(models.Model):
    """One line of the 出入库台账."""

    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="movements", verbose_name=_("库点")
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="movements", verbose_name=_("物资"))
    batch = models.ForeignKey(
        Batch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="movements",
        verbose_name=_("批号"),
    )
    kind = models.CharField(_("类别"), max_length=20, choices=MovementKind.choices)
    on = models.DateField(_("日期"))
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=2)  # signed: + in, − out
    document = models.CharField(_("单据号"), max_length=50, blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=SupplySource.choices, blank=True)
    donor = models.CharField(_("捐赠方"), max_length=100, blank=True)
    donor_public = models.BooleanField(_("公开致谢"), default=True)
    recipient_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("领用单位")
    )
    recipient = models.CharField(_("领用单位"), max_length=100, blank=True)  # as written, or the unit's name
    receiver = models.CharField(_("领用人"), max_length=50, blank=True)
    approver = models.CharField(_("审批人"), max_length=50, blank=True)
    handler = models.CharField(_("经手人"), max_length=50, blank=True)
    other_store = models.ForeignKey(
        Store, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("对方库点")
    )
    counted = models.DecimalField(_("实盘数量"), max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    import_key = models.CharField(max_length=64, blank=True, db_index=True)  # a ledger row, for re-import
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("出入库记录")
        indexes = [
            models.Index(fields=["store", "item", "on"]),
            models.Index(fields=["kind", "on"]),
            models.Index(fields=["on"]),  # the movements after a day (queries.later)
        ]

    def __str__(self):
        return f"{self.on:%Y-%m-%d} {self.get_kind_display()} {self.item} {self.quantity}"

    @property
    def amount(self):
        """The quantity as the ledger writes it: positive in the 入库 or 出库 column."""
        return abs(self.quantity)


class Stock(models.Model):
    """The current balance of one item at one store (the sum of all its movements, whatever their date):
    locked by every write that changes it. `since` is the date of its earliest movement (None while it
    has none): the store has a line for the item on the days from then on. The balance at the end of a
    day is `quantity` less the movements dated after it (queries.area_stock)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="stocks")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="stocks")
    quantity = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    since = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("库存")
        # The lines under their item's threshold, item by item, and the totals by item, from the index
        # alone (queries.area_stock).
        indexes = [models.Index(fields=["item", "quantity", "store", "since"])]
        constraints = [
            models.UniqueConstraint(fields=["store", "item"], name="supplies_stock_store_item"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="supplies_stock_not_negative"),
        ]

    def __str__(self):
        return f"{self.store} {self.item} {self.quantity}"
