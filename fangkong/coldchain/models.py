"""Cold chain (冷链, DOMAIN.md §14): cold stores with their enterprise and 库长, the centralised supervision
warehouse (集中监管仓), imported lots with the four documents of 两证明一报告一信息, the movement graph of
their parts, samples of goods, packaging, environment and sewage, and the workers of each store.

A lot keeps one row however it is split: every part is a `Movement` of some quantity of the lot from a
store (none: the lot's arrival) to a store or to a buyer. The balance of a lot at a store is what came in
minus what went out; `Holding` keeps it current, locked by every movement out (as supplies' Stock), with a
check constraint as the last guard. The goods trace follows the movements from store to store
(queries.trace: a recursive query over the lot's movements)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.grid.models import Jurisdiction
from fangkong.registry.models import Person, Unit


class StoreKind(models.TextChoices):
    COLD_STORE = "cold_store", _("冷库")
    WAREHOUSE = "warehouse", _("集中监管仓")


class ColdStore(models.Model):
    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="cold_stores", verbose_name=_("所属辖区")
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=StoreKind.choices, default=StoreKind.COLD_STORE)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("企业")
    )
    enterprise = models.CharField(_("经营企业"), max_length=100)  # the unit's name, or as written
    address = models.CharField(_("地址"), max_length=200, blank=True)
    capacity = models.DecimalField(_("库容（吨）"), max_digits=12, decimal_places=2, null=True, blank=True)
    manager = models.CharField(_("库长"), max_length=50)
    manager_phone = models.CharField(_("库长电话"), max_length=20, blank=True)
    supervisor = models.CharField(_("监管责任人"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["node__path", "name"]
        verbose_name = _("冷库")
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="coldchain_store_node_name")]

    def __str__(self):
        return self.name

    @property
    def is_warehouse(self) -> bool:
        return self.kind == StoreKind.WAREHOUSE


class Lot(models.Model):
    """An imported lot of cold-chain food, registered where it first arrived (its node)."""

    node = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记辖区")
    )
    product = models.CharField(_("品名"), max_length=100)
    origin_country = models.CharField(_("原产国"), max_length=50)
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=10, default="千克")
    number = models.CharField(_("批号"), max_length=60)
    container = models.CharField(_("集装箱号"), max_length=30, blank=True)
    received_on = models.DateField(_("入库日期"))
    disinfected_on = models.DateField(_("消毒日期"), null=True, blank=True)
    exit_certificate = models.CharField(_("出仓证明编号"), max_length=60, blank=True)
    released_at = models.DateTimeField(_("准予销售时间"), null=True, blank=True)
    sealed_at = models.DateTimeField(_("封存时间"), null=True, blank=True)
    sealed_by = models.ForeignKey(
        "Sample",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("阳性样本"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    import_key = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("进口冷链食品批次")
        constraints = [models.UniqueConstraint(fields=["number", "product"], name="coldchain_lot_number")]
        indexes = [models.Index(fields=["received_on"])]

    def __str__(self):
        return f"{self.product} {self.number}"

    @property
    def sealed(self) -> bool:
        return self.sealed_at is not None


class DocumentKind(models.TextChoices):
    INSPECTION = "inspection", _("入境货物检验检疫证明")
    DISINFECTION = "disinfection", _("消毒证明")
    NAT_REPORT = "nat_report", _("核酸检测报告")
    TRACE_INFO = "trace_info", _("追溯信息")


class LotDocument(models.Model):
    """One of 两证明一报告一信息, recorded by its number and date, its file attached when there is one."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("证明类别"), max_length=20, choices=DocumentKind.choices)
    number = models.CharField(_("编号"), max_length=80)
    issued_on = models.DateField(_("出具日期"))
    file = models.FileField(_("附件"), upload_to="coldchain/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("随附证明")
        constraints = [
            models.UniqueConstraint(fields=["lot", "kind"], name="coldchain_one_document_per_kind")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


class Movement(models.Model):
    """A part of a lot moving: into a store from outside (`source` empty: the lot's arrival), from one
    store to another, or out of a store to a buyer (`target` empty, `buyer` named)."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="movements", verbose_name=_("批次"))
    source = models.ForeignKey(
        ColdStore, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("调出库")
    )
    target = models.ForeignKey(
        ColdStore, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("调入库")
    )
    buyer = models.CharField(_("购货方"), max_length=100, blank=True)
    buyer_phone = models.CharField(_("购货方电话"), max_length=20, blank=True)
    on = models.DateField(_("日期"))
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=2)  # always positive
    document = models.CharField(_("单据号"), max_length=60, blank=True)
    handler = models.CharField(_("经手人"), max_length=50, blank=True)
    import_key = models.CharField(max_length=64, blank=True, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("进出货记录")
        indexes = [
            # The trace: the lot's movements out of a store (its recursive step), and into one.
            models.Index(fields=["lot", "source"], name="coldchain_mv_lot_source"),
            models.Index(fields=["lot", "target"], name="coldchain_mv_lot_target"),
            models.Index(fields=["target", "on"], name="coldchain_mv_target_on"),
            models.Index(fields=["source", "on"], name="coldchain_mv_source_on"),
        ]

    def __str__(self):
        return f"{self.on:%Y-%m-%d} {self.lot} {self.quantity}"


class Holding(models.Model):
    """The current balance of a lot at a store: locked by every movement out of it."""

    store = models.ForeignKey(ColdStore, on_delete=models.CASCADE, related_name="holdings")
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="holdings")
    quantity = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("批次结存")
        constraints = [
            models.UniqueConstraint(fields=["store", "lot"], name="coldchain_holding_store_lot"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="coldchain_holding_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.store} {self.lot} {self.quantity}"


class SampleKind(models.TextChoices):
    GOODS = "goods", _("货物")
    PACKAGING = "packaging", _("外包装")
    ENVIRONMENT = "environment", _("环境")
    SEWAGE = "sewage", _("污水")


class SampleResult(models.TextChoices):
    PENDING = "pending", _("待出结果")
    NEGATIVE = "negative", _("阴性")
    POSITIVE = "positive", _("阳性")


class Sample(models.Model):
    """A sample taken at a store: of a lot's goods or packaging, or of the store's environment or sewage
    (then a lot only when the sampler names one)."""

    code = models.CharField(_("样本编号"), max_length=40, unique=True)
    kind = models.CharField(_("样本类型"), max_length=20, choices=SampleKind.choices)
    store = models.ForeignKey(
        ColdStore, on_delete=models.PROTECT, related_name="samples", verbose_name=_("采样地点")
    )
    lot = models.ForeignKey(
        Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="samples", verbose_name=_("批次")
    )
    sampled_on = models.DateField(_("采样日期"))
    result = models.CharField(
        _("检测结果"), max_length=10, choices=SampleResult.choices, default=SampleResult.PENDING
    )
    result_on = models.DateField(_("出结果日期"), null=True, blank=True)
    result_at = models.DateTimeField(null=True, blank=True)  # when the result was entered (reports as of T)
    lab = models.CharField(_("检测机构"), max_length=100, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sampled_on", "-id"]
        verbose_name = _("冷链样本")
        indexes = [models.Index(fields=["result", "result_on"], name="coldchain_sample_result")]

    def __str__(self):
        return self.code

    @property
    def positive(self) -> bool:
        return self.result == SampleResult.POSITIVE


class Worker(models.Model):
    """A person working at a cold store (搬运、库管、驾驶员…), from `since` to `until` (open: still there)."""

    store = models.ForeignKey(
        ColdStore, on_delete=models.PROTECT, related_name="workers", verbose_name=_("冷库")
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("人员"))
    role = models.CharField(_("岗位"), max_length=30, blank=True)
    since = models.DateField(_("上岗日期"))
    until = models.DateField(_("离岗日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["store", "since", "id"]
        verbose_name = _("冷链从业人员")
        constraints = [
            models.UniqueConstraint(fields=["store", "person", "since"], name="coldchain_worker_once")
        ]

    def __str__(self):
        return f"{self.person} {self.store}"


class TraceTest(models.Model):
    """A test owed by a worker who handled the goods of a positive sample: listed on testing's schedule
    until the person has a test sampled on or after `requested_on`."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="trace_tests")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey(ColdStore, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField(_("要求检测日期"))

    class Meta:
        ordering = ["requested_on", "id"]
        verbose_name = _("追溯检测")
        constraints = [models.UniqueConstraint(fields=["sample", "person"], name="coldchain_trace_test_once")]

    def __str__(self):
        return f"{self.person} {self.sample}"
