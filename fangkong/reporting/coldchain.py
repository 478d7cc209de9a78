"""The indicators of the cold chain (DOMAIN.md §9, §14), counted at the node of the store (samples) or
where the lot was registered (lots), for a subtree and a day D:

- `coldchain_lots_in` (冷链入库批次): imported lots received during D (their 入库日期).
- `coldchain_samples_tested` (冷链样本检测): samples of goods, packaging, environment or sewage whose
  result came during D (出结果日期).
- `coldchain_samples_positive` (阳性样本): of those, the positive ones.
As of a moment T, only lots entered and results recorded by T count."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from fangkong.coldchain.models import Lot, Sample, SampleResult
from fangkong.reporting.indicators import REGISTRY, SOURCES, Scope, aggregate

BATCHES = _("批")
SAMPLES = _("份")


def _lots(s: Scope) -> QuerySet:
    rows = Lot.objects.filter(node__path__startswith=s.path, received_on=s.day)
    if s.as_of is not None:
        rows = rows.filter(created_at__lte=s.end)
    return rows


def _samples(s: Scope) -> QuerySet:
    rows = Sample.objects.filter(store__node__path__startswith=s.path, result_on=s.day).exclude(
        result=SampleResult.PENDING
    )
    if s.as_of is not None:
        rows = rows.filter(result_at__lte=s.end)
    return rows


SOURCES["cold_lot"] = _lots
SOURCES["cold_sample"] = _samples

aggregate(
    "coldchain_lots_in", _("冷链入库批次"), BATCHES, source="cold_lot", expression=lambda s: Count("pk")
)
aggregate(
    "coldchain_samples_tested",
    _("冷链样本检测"),
    SAMPLES,
    source="cold_sample",
    expression=lambda s: Count("pk"),
)
aggregate(
    "coldchain_samples_positive",
    _("冷链阳性样本"),
    SAMPLES,
    source="cold_sample",
    expression=lambda s: Count("pk", filter=Q(result=SampleResult.POSITIVE)),
)

# The codes this module adds, in registry order: the dashboard's cold-chain group.
CODES = [code for code in REGISTRY if code.startswith("coldchain_")]
