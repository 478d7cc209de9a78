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

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, Value, When
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.reporting.indicators import PEOPLE, PERCENT, REGISTRY, SOURCES, Scope, aggregate, register
from fangkong.vaccination import rules
from fangkong.vaccination.models import Dose
from fangkong.vaccination.queries import band_case, with_milestone

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


def reached(s: Scope, milestone: str) -> Q:
    """Residences of people who reached the milestone by D (as of a moment: with doses entered by then)."""
    entered_by = s.end if s.as_of is not None else None
    return Q(person_id__in=with_milestone(milestone, s.day, entered_by=entered_by))


def _tally(s: Scope) -> dict[tuple[str, bool, bool, bool], int]:
    """The people registered in the subtree at the end of D (the `residence` source), counted by age band
    at D and by the milestones reached by D: ONE grouped query for every vaccination indicator of the
    scope (kept on the scope: the others of the same scope read it), where an aggregate per indicator
    made the database test each resident against every milestone of every band."""
    tally = s.__dict__.get("_vaccination_tally")
    if tally is None:
        flags = {
            f"reached_{m}": Case(
                When(reached(s, m), then=Value(True)), default=Value(False), output_field=BooleanField()
            )
            for m in MILESTONE_LABELS
        }
        rows = (
            SOURCES["residence"](s)
            .annotate(band=band_case(s.day), **flags)
            .order_by()
            .values("band", *flags)
            .annotate(n=Count("pk"))
        )
        tally = {(r["band"], *(bool(r[name]) for name in flags)): r["n"] for r in rows}
        s.__dict__["_vaccination_tally"] = tally  # a Scope is frozen; this is a cache of its own figures
    return tally


def _count(s: Scope, milestone: str | None, band: str | None = None) -> int:
    """Residents (of the band, if given) who reached the milestone (any resident, for None)."""
    at = list(MILESTONE_LABELS).index(milestone) + 1 if milestone else None
    return sum(
        n for key, n in _tally(s).items() if (band is None or key[0] == band) and (at is None or key[at])
    )


def rate(part: int, whole: int) -> float | None:
    """part × 100 ÷ whole as the database computed it (in floating point), to one decimal; None of nobody."""
    if not whole:
        return None
    return round(float(part) * 100.0 / float(whole), 1)


for _milestone, (_count_label, _pct_label) in MILESTONE_LABELS.items():
    register(f"vaccinated_{_milestone}", _count_label, PEOPLE, lambda s, m=_milestone: _count(s, m))
    register(
        f"vaccinated_{_milestone}_pct",
        _pct_label,
        PERCENT,
        lambda s, m=_milestone: rate(_count(s, m), _count(s, None)),
    )
for _milestone, (_count_label, _pct_label) in MILESTONE_LABELS.items():
    for _band, _band_label in BAND_LABELS.items():
        register(
            f"vaccinated_{_milestone}_pct_{_band}",
            format_lazy(_("{}（{}）"), _pct_label, _band_label),
            PERCENT,
            lambda s, m=_milestone, b=_band: rate(_count(s, m, b), _count(s, None, b)),
        )
del _milestone, _count_label, _pct_label, _band, _band_label


def _doses(s: Scope):
    # From the day's doses to each one's residence (EXISTS), not every resident of the subtree gathered
    # first (IN): a day has far fewer doses than a county has residents.
    resident = SOURCES["residence"](s).filter(person_id=OuterRef("person_id"))
    doses = Dose.objects.filter(Exists(resident), given_on=s.day)
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
