"""The indicators of nucleic-acid testing (DOMAIN.md §9, §13), for a subtree and a day D:

- `tests_sampled` (采样人次): distinct people sampled during D in the subtree, counted where they are
  registered (the tube's member row keeps the person's node path when sampled); a person in a pool counts
  once, and once however many tubes they were in that day.
- `tests_positive` (阳性): distinct people whose own test (a single tube: a pool is never a person's
  result) sampled during D came back positive, as known at the end of D.
- `pools_positive` (阳性混管): pooled tubes sampled during D with members in the subtree whose result is
  positive, as known at the end of D.
- `mass_testing_coverage_pct` (全员核酸覆盖率): for the latest testing round started on or before D whose
  area contains the subtree or lies in it, people of the subtree sampled in that round by the end of D ÷
  people registered in the subtree; None when there is no such round.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.registry.models import Person
from fangkong.reporting.indicators import PEOPLE, PERCENT, Scope, count, register
from fangkong.testing.models import Result, Round, SampleKind, SampleMember

TUBES = _("管")


def _members(s: Scope):
    return SampleMember.objects.filter(path__startswith=s.path, sampled_at__gte=s.start, sampled_at__lt=s.end)


def _known_by_end(s: Scope) -> Q:
    return Q(sample__result_at__lt=s.end)


def tests_sampled(s: Scope):
    return _members(s).values("person").distinct()


def tests_positive(s: Scope):
    positive = Q(sample__kind=SampleKind.SINGLE, sample__result=Result.POSITIVE) & _known_by_end(s)
    return _members(s).filter(positive).values("person").distinct()


def pools_positive(s: Scope):
    positive = Q(sample__kind=SampleKind.POOL, sample__result=Result.POSITIVE) & _known_by_end(s)
    return _members(s).filter(positive).values("sample").distinct()


def round_for(s: Scope) -> Round | None:
    prefixes = [s.path[: i + 1] for i, c in enumerate(s.path) if c == "/"]
    return (
        Round.objects.filter(starts_on__lte=s.day)
        .filter(Q(node__path__in=prefixes) | Q(node__path__startswith=s.path))
        .order_by("-starts_on", "-id")
        .first()
    )


def coverage_pct(s: Scope) -> float | None:
    round_ = round_for(s)
    if round_ is None:
        return None
    target = Person.objects.filter(node__path__startswith=s.path).count()
    if not target:
        return None
    sampled = (
        SampleMember.objects.filter(round=round_, path__startswith=s.path, sampled_at__lt=s.end)
        .values("person")
        .distinct()
        .count()
    )
    return round(sampled * 100.0 / target, 1)


count("tests_sampled", _("采样人次"), PEOPLE, tests_sampled)
count("tests_positive", _("核酸检测阳性"), PEOPLE, tests_positive)
count("pools_positive", _("阳性混管"), TUBES, pools_positive)
register("mass_testing_coverage_pct", _("全员核酸覆盖率"), PERCENT, coverage_pct)
