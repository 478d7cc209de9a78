"""The indicators of schools (DOMAIN.md §9, §15), for a subtree and a day D:

- `school_absent_illness` (因病缺勤): distinct pupils of schools in the subtree marked absent for illness at
  the morning or the noon check of D (a pupil absent at both counts once).
- `school_symptomatic` (晨午检有症状): distinct pupils of schools in the subtree marked present with symptoms
  at the morning or the noon check of D.

- `school_checks` / `school_zero_reports` (晨午检上报班次 / 其中零报告): the morning and noon checks of
  classes in the subtree submitted for D, and those of them with nobody symptomatic (the zero reports).

A school counts where its node is. Both are one aggregate over the day's check entries (source
"school_entry"), so the dashboard's children and trends count them in one query. As of a moment T, the
entries of the checks as last submitted by T (an edit after T is left out with its check).
"""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from fangkong.reporting.indicators import PEOPLE, SOURCES, Scope, aggregate
from fangkong.schools.models import Check, CheckEntry, Status


def _entries(s: Scope):
    rows = CheckEntry.objects.filter(school_check__school__node__path__startswith=s.path, day=s.day)
    if s.as_of is not None:
        rows = rows.filter(school_check__submitted_at__lte=s.end)
    return rows


def _checks(s: Scope):
    rows = Check.objects.filter(school__node__path__startswith=s.path, day=s.day)
    if s.as_of is not None:
        rows = rows.filter(submitted_at__lte=s.end)
    return rows


SOURCES["school_entry"] = _entries
SOURCES["school_check"] = _checks
CODES = ["school_absent_illness", "school_symptomatic", "school_checks", "school_zero_reports"]
CHECKS = _("班次")

aggregate(
    "school_absent_illness",
    _("因病缺勤"),
    PEOPLE,
    source="school_entry",
    expression=lambda s: Count("member", distinct=True, filter=Q(status=Status.ABSENT_ILLNESS)),
)
aggregate(
    "school_symptomatic",
    _("晨午检有症状"),
    PEOPLE,
    source="school_entry",
    expression=lambda s: Count("member", distinct=True, filter=Q(status=Status.SYMPTOMATIC)),
)
aggregate(
    "school_checks", _("晨午检上报班次"), CHECKS, source="school_check", expression=lambda s: Count("pk")
)
aggregate(
    "school_zero_reports",
    _("晨午检零报告"),
    CHECKS,
    source="school_check",
    expression=lambda s: Count("pk", filter=Q(symptomatic=0)),
)
