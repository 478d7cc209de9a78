"""The vaccination indicators (DOMAIN.md §9 `vaccinated_<dose>_pct`, §13), registered in
indicators.REGISTRY like the rest: the daily report, the dashboard and the situation report read them.

Counted among the people registered in the subtree at the end of D (the `residence` source, as
`registered_people`): `vaccinated_<dose>` are those of them who had reached the milestone by the end of D
— a first dose (首针), the completed primary series of their product (全程, rules.py: 2 doses inactivated,
1 Ad5, 3 recombinant protein, per the policy's product table) or a booster (加强) — and
`vaccinated_<dose>_pct` their share of the registered people (None when nobody is registered). The
`_<band>` forms do the same within an age band at D (3–11, 12–17, 18–59, 60+, from the birth date; the
bands are §13's, which the codes name). Someone vaccinated here who now lives elsewhere counts where they
live. `vaccination_doses_new` (当日接种剂次) counts the doses given on D to the people registered in the
subtree at the end of D. As of a moment T, only the doses entered by T count (a dose entered later that
changes the reading of an earlier history is the kind of edit a past report cannot hold still).
"""

from django.db.models import Count, FloatField, Q, Value
from django.db.models.functions import Cast, NullIf
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.reporting.indicators import PEOPLE, PERCENT, REGISTRY, SOURCES, Scope, aggregate
from fangkong.vaccination import rules
from fangkong.vaccination.models import Dose
from fangkong.vaccination.queries import band_filter, with_milestone

DOSES = pgettext_lazy("unit of doses", "剂次")  # the field 剂次 is a dose number

MILESTONE_LABELS = {
    rules.FIRST: (_("累计接种首针人数"), _("首针接种率")),
    rules.FULL: (_("累计完成全程接种人数"), _("全程接种率")),
    rules.BOOSTER: (_("累计加强免疫接种人数"), _("加强免疫接种率")),
}
BAND_LABELS = {
    "3_11": _("3–11岁"),
    "12_17": _("12–17岁"),
    "18_59": _("18–59岁"),
    "60_plus": _("60岁以上"),
}


def _reached(s: Scope, milestone: str) -> Q:
    entered_by = s.end if s.as_of is not None else None
    return Q(person_id__in=with_milestone(milestone, s.day, entered_by=entered_by))


def _rate(part, whole):
    return (
        Cast(part, FloatField())
        * Value(100.0)
        / NullIf(Cast(whole, FloatField()), Value(0.0), output_field=FloatField())
    )


def _percent(value) -> float | None:
    return None if value is None else round(float(value), 1)


def _in_band(s: Scope, band: str) -> Q:
    return band_filter(s.day, band)


for _milestone, (_count_label, _pct_label) in MILESTONE_LABELS.items():
    aggregate(
        f"vaccinated_{_milestone}",
        _count_label,
        PEOPLE,
        source="residence",
        expression=lambda s, m=_milestone: Count("pk", filter=_reached(s, m)),
    )
    aggregate(
        f"vaccinated_{_milestone}_pct",
        _pct_label,
        PERCENT,
        source="residence",
        expression=lambda s, m=_milestone: _rate(Count("pk", filter=_reached(s, m)), Count("pk")),
        finish=_percent,
    )
for _milestone, (_count_label, _pct_label) in MILESTONE_LABELS.items():
    for _band, _band_label in BAND_LABELS.items():
        aggregate(
            f"vaccinated_{_milestone}_pct_{_band}",
            format_lazy(_("{}（{}）"), _pct_label, _band_label),
            PERCENT,
            source="residence",
            expression=lambda s, m=_milestone, b=_band: _rate(
                Count("pk", filter=_in_band(s, b) & _reached(s, m)), Count("pk", filter=_in_band(s, b))
            ),
            finish=_percent,
        )
del _milestone, _count_label, _pct_label, _band, _band_label


def _doses(s: Scope):
    residents = SOURCES["residence"](s).values("person_id")
    doses = Dose.objects.filter(given_on=s.day, person_id__in=residents)
    if s.as_of is not None:
        doses = doses.filter(created_at__lte=s.end)
    return doses


SOURCES["dose"] = _doses

aggregate("vaccination_doses_new", _("当日接种剂次"), DOSES, source="dose", expression=lambda s: Count("pk"))

# The codes this module adds, in registry order.
CODES = [code for code in REGISTRY if code.startswith(("vaccinated_", "vaccination_"))]
# Those the dashboard shows in its vaccination panel; the rest (by band) are for the reports.
PANEL = ["vaccinated_first_pct", "vaccinated_full_pct", "vaccinated_booster_pct", "vaccination_doses_new"]
DETAIL = [code for code in CODES if code not in PANEL]
