"""The rules of the vaccination ledger (DOMAIN.md §13) as pure functions: no database.

A product (from the policy's product table) says how many doses make its primary series (全程), the
shortest interval between two of them, and after how many days from completing the series a booster
(加强针) counts. `milestones` reads a person's doses in date order and says of each which milestone it
reached — the first dose (首针), the completed primary series (全程) and the booster (加强) — and why a
dose does not count when it does not:
- the series is judged by the product of the first dose; a later dose of the same kind (灭活 from another
  manufacturer) counts towards it, a dose of another kind during the series does not (混打 of kinds was
  not a primary series in the guidance);
- a dose earlier than the product's minimum interval after the last dose counted does not count (it is
  recorded, and the entry page warns);
- once the series is complete, the first dose at least `booster_after_days` after the completing dose is
  the booster; an earlier one does not count.
Age is in whole years at a reference date: someone born on 29 February turns a year older on 1 March in a
common year. The age bands are those the indicators are named after (§13: 3–11, 12–17, 18–59, 60+).
"""

import datetime as dt
from dataclasses import dataclass

FIRST, FULL, BOOSTER = "first", "full", "booster"
MILESTONES = (FIRST, FULL, BOOSTER)

# Status of a person: the highest milestone reached, or none.
NONE, PARTIAL = "none", "partial"  # partial: first dose, series not complete

# (code, youngest, oldest); None: no upper bound. The indicator codes name these bands (vaccinated_*_60_plus).
AGE_BANDS = (("3_11", 3, 11), ("12_17", 12, 17), ("18_59", 18, 59), ("60_plus", 60, None))
ELIGIBLE_AGE = AGE_BANDS[0][1]

EARLY = "early"
OTHER_KIND = "other_kind"
UNKNOWN_PRODUCT = "unknown_product"
AFTER_BOOSTER = "after_booster"
NOT_COUNTED_WORDS = {
    EARLY: "与上一剂间隔不足，不计入",
    OTHER_KIND: "与首针技术路线不同，不计入全程",
    UNKNOWN_PRODUCT: "疫苗产品不在政策产品表中，不计入",
}


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    manufacturer: str
    kind: str
    primary_doses: int
    min_interval_days: int
    booster_after_days: int
    aliases: tuple[str, ...] = ()

    @classmethod
    def from_policy(cls, code: str, values: dict) -> "Product":
        return cls(
            code=code,
            name=str(values.get("name", code)),
            manufacturer=str(values.get("manufacturer", "")),
            kind=str(values.get("kind", "")),
            primary_doses=max(1, int(values.get("primary_doses", 1))),
            min_interval_days=max(0, int(values.get("min_interval_days", 0))),
            booster_after_days=max(0, int(values.get("booster_after_days", 0))),
            aliases=tuple(str(a) for a in values.get("aliases", ())),
        )


def products_of(section: dict) -> dict[str, Product]:
    """The product table of a policy's "vaccination" section (policy.queries.vaccination_values)."""
    return {code: Product.from_policy(code, values) for code, values in section.get("products", {}).items()}


def find_product(text: str, products: dict[str, Product]) -> tuple[str | None, str]:
    """The product a ledger cell (or the 疫苗名称 and 生产企业 cells together) names: (code, "") or
    (None, the reason in Chinese). By its code, its manufacturer or one of its aliases (北京生物, 科兴,
    康希诺…), case and spaces ignored; a text naming two products is ambiguous."""
    wanted = "".join(text.split()).lower()
    if not wanted:
        return None, "未填写疫苗产品或生产企业"
    if wanted in products:
        return wanted, ""
    found = set()
    for code, product in products.items():
        words = [code, product.manufacturer, *product.aliases]
        if any(w and "".join(w.split()).lower() in wanted for w in words):
            found.add(code)
    if not found:  # only the kind: 灭活疫苗 names one product only where the table has one of that kind
        for kind, words in KIND_WORDS.items():
            if any(w in wanted for w in words):
                found = {code for code, product in products.items() if product.kind == kind}
    if len(found) == 1:
        return found.pop(), ""
    if found:
        names = "、".join(sorted(products[c].manufacturer for c in found))
        return None, f"“{text}”可能是多个产品（{names}），请写明生产企业"
    return None, f"无法识别的疫苗产品“{text}”（可写生产企业，如北京生物、科兴、康希诺、智飞）"


KIND_WORDS = {"inactivated": ("灭活",), "adenovirus": ("腺病毒",), "recombinant": ("重组蛋白", "蛋白")}
_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}


def dose_number_of(text: str) -> tuple[int | None, bool]:
    """(number, understood) from 1 / 第1针 / 第二剂 / 加强针 (None: a booster, number to be worked out)."""
    raw = "".join(text.split())
    if not raw:
        return None, True
    if "加强" in raw:
        return None, True
    digits = "".join(c for c in raw if c.isdigit())
    if digits:
        return int(digits), 1 <= int(digits) <= 9
    for char, number in _NUMERALS.items():
        if char in raw:
            return number, True
    return None, False


@dataclass(frozen=True)
class DoseFact:
    """What the rules need of a dose: when, which product, and a key to order doses of one day."""

    given_on: dt.date
    product: str
    key: int = 0


@dataclass(frozen=True)
class Outcome:
    reaches: frozenset  # the milestones this dose reached (an Ad5 dose reaches first and full at once)
    counted: bool  # whether it counted towards the series or as the booster
    reason: str = ""  # why not, when it did not (a key of NOT_COUNTED_WORDS)


def milestones(doses: list[DoseFact], products: dict[str, Product]) -> dict[int, Outcome]:
    """{dose key: Outcome} for one person's doses, read in date order (then key)."""
    out: dict[int, Outcome] = {}
    ordered = sorted(doses, key=lambda d: (d.given_on, d.key))
    series: Product | None = None
    counted, last, completed_on, boosted = 0, None, None, False
    for dose in ordered:
        product = products.get(dose.product)
        reaches: set[str] = set()
        if not out:
            reaches.add(FIRST)  # the first dose given is the first dose, whatever else is wrong with it
        if product is None:
            out[dose.key] = Outcome(frozenset(reaches), False, UNKNOWN_PRODUCT)
            continue
        if series is None:
            series = product
        if completed_on is None:
            if product.kind != series.kind:
                out[dose.key] = Outcome(frozenset(reaches), False, OTHER_KIND)
                continue
            if last is not None and (dose.given_on - last).days < series.min_interval_days:
                out[dose.key] = Outcome(frozenset(reaches), False, EARLY)
                continue
            counted += 1
            last = dose.given_on
            if counted >= series.primary_doses:
                completed_on = dose.given_on
                reaches.add(FULL)
            out[dose.key] = Outcome(frozenset(reaches), True)
            continue
        if boosted:
            out[dose.key] = Outcome(frozenset(reaches), False, AFTER_BOOSTER)
            continue
        if (dose.given_on - completed_on).days < series.booster_after_days:
            out[dose.key] = Outcome(frozenset(reaches), False, EARLY)
            continue
        boosted = True
        reaches.add(BOOSTER)
        out[dose.key] = Outcome(frozenset(reaches), True)
    return out


def status_on(doses: list[DoseFact], products: dict[str, Product], day: dt.date) -> str:
    """none / partial / full / booster for the doses given on or before the day."""
    reached: set[str] = set()
    outcomes = milestones(doses, products)
    for dose in doses:
        if dose.given_on <= day:
            reached |= outcomes[dose.key].reaches
    for milestone in (BOOSTER, FULL):
        if milestone in reached:
            return milestone
    return PARTIAL if FIRST in reached else NONE


def suggested_dose_number(doses: list[DoseFact], products: dict[str, Product]) -> int:
    """The number a new dose most likely has: the doses already counted, plus one."""
    return sum(1 for o in milestones(doses, products).values() if o.counted) + 1


def interval_problem(doses: list[DoseFact], products: dict[str, Product], new: DoseFact) -> str:
    """A warning (Chinese) when the new dose would not count, or "" when it would."""
    outcome = milestones([*doses, new], products)[new.key]
    return "" if outcome.counted or outcome.reason == AFTER_BOOSTER else NOT_COUNTED_WORDS[outcome.reason]


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years at the day (29 February birthdays turn on 1 March in a common year)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def band_of(age: int | None) -> str | None:
    if age is None:
        return None
    for code, youngest, oldest in AGE_BANDS:
        if age >= youngest and (oldest is None or age <= oldest):
            return code
    return None


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier; 28 February for a 29 February that year lacks."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def birth_range(day: dt.date, youngest: int, oldest: int | None) -> tuple[dt.date | None, dt.date]:
    """(born after, born on or before) for the ages youngest..oldest at the day: age ≥ n exactly when the
    birth date is on or before `years_before(day, n)`. The first is None for no upper age."""
    latest = years_before(day, youngest)
    earliest = None if oldest is None else years_before(day, oldest + 1)
    return earliest, latest
