"""The rules of completion, intervals and age bands, as pure functions."""

import datetime as dt

import pytest

from fangkong.policy.presets import VACCINATION
from fangkong.vaccination import rules
from fangkong.vaccination.rules import BOOSTER, FIRST, FULL, DoseFact

PRODUCTS = rules.products_of(VACCINATION)
D = dt.date(2021, 6, 1)


def doses(*spec):
    """(days after D, product) → facts keyed 1, 2, 3…"""
    return [
        DoseFact(D + dt.timedelta(days=days), product, key) for key, (days, product) in enumerate(spec, 1)
    ]


def reached(spec, products=PRODUCTS):
    outcomes = rules.milestones(doses(*spec), products)
    return [sorted(outcomes[key].reaches) for key in sorted(outcomes)]


def test_it_completes_inactivated_with_two_doses():
    assert reached([(0, "bibp"), (21, "bibp")]) == [[FIRST], [FULL]]
    assert rules.status_on(doses((0, "bibp")), PRODUCTS, D) == rules.PARTIAL


def test_it_completes_ad5_with_one_dose():
    assert reached([(0, "ad5")]) == [[FIRST, FULL]]
    assert rules.status_on(doses((0, "ad5")), PRODUCTS, D) == FULL


def test_it_completes_recombinant_protein_with_three_doses():
    assert reached([(0, "zf2001"), (30, "zf2001"), (60, "zf2001")]) == [[FIRST], [], [FULL]]
    assert rules.status_on(doses((0, "zf2001"), (30, "zf2001")), PRODUCTS, D + dt.timedelta(days=40)) == (
        rules.PARTIAL
    )


def test_it_counts_another_manufacturer_of_the_same_kind():
    assert reached([(0, "bibp"), (28, "coronavac")]) == [[FIRST], [FULL]]


def test_it_does_not_count_another_kind_in_the_series():
    outcomes = rules.milestones(doses((0, "bibp"), (28, "zf2001")), PRODUCTS)
    assert outcomes[2].counted is False and outcomes[2].reason == rules.OTHER_KIND


def test_it_does_not_count_a_dose_before_the_interval():
    # 20 days after the first: one day short of 21.
    outcomes = rules.milestones(doses((0, "bibp"), (20, "bibp"), (41, "bibp")), PRODUCTS)
    assert outcomes[2].counted is False and outcomes[2].reason == rules.EARLY
    assert FULL in outcomes[3].reaches  # the interval counts from the last dose counted
    assert reached([(0, "bibp"), (21, "bibp")])[1] == [FULL]  # exactly 21 days is enough


def test_it_counts_a_booster_after_its_days():
    assert reached([(0, "bibp"), (21, "bibp"), (21 + 180, "bibp")])[2] == [BOOSTER]
    early = rules.milestones(doses((0, "bibp"), (21, "bibp"), (21 + 179, "bibp")), PRODUCTS)
    assert early[3].reaches == frozenset() and early[3].reason == rules.EARLY
    # A booster of another kind (序贯加强) counts.
    assert reached([(0, "bibp"), (21, "bibp"), (201, "zf2001")])[2] == [BOOSTER]
    assert reached([(0, "ad5"), (180, "ad5")]) == [[FIRST, FULL], [BOOSTER]]


def test_it_reads_doses_in_date_order_whatever_the_entry_order():
    facts = [DoseFact(D + dt.timedelta(days=21), "bibp", 1), DoseFact(D, "bibp", 2)]
    outcomes = rules.milestones(facts, PRODUCTS)
    assert outcomes[2].reaches == {FIRST} and outcomes[1].reaches == {FULL}


def test_it_follows_the_policy_table():
    products = {
        **PRODUCTS,
        "bibp": rules.Product.from_policy("bibp", {**VACCINATION["products"]["bibp"], "primary_doses": 3}),
    }
    assert reached([(0, "bibp"), (21, "bibp")], products) == [[FIRST], []]
    unknown = rules.milestones(doses((0, "nope")), PRODUCTS)
    assert unknown[1].reaches == {FIRST} and unknown[1].counted is False


def test_it_suggests_the_next_dose_number():
    assert rules.suggested_dose_number([], PRODUCTS) == 1
    assert rules.suggested_dose_number(doses((0, "bibp")), PRODUCTS) == 2
    assert rules.suggested_dose_number(doses((0, "bibp"), (5, "bibp")), PRODUCTS) == 2  # the early one
    new = DoseFact(D + dt.timedelta(days=10), "bibp", 99)
    assert "间隔不足" in rules.interval_problem(doses((0, "bibp")), PRODUCTS, new)


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (dt.date(2010, 6, 1), dt.date(2021, 6, 1), 11),
        (dt.date(2010, 6, 2), dt.date(2021, 6, 1), 10),
        (dt.date(2020, 2, 29), dt.date(2023, 2, 28), 2),
        (dt.date(2020, 2, 29), dt.date(2023, 3, 1), 3),
        (dt.date(2020, 2, 29), dt.date(2024, 2, 29), 4),
    ],
)
def test_it_counts_age_in_whole_years(birth, day, age):
    assert rules.age_on(birth, day) == age


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (2, None),
        (3, "3_11"),
        (11, "3_11"),
        (12, "12_17"),
        (17, "12_17"),
        (18, "18_59"),
        (59, "18_59"),
        (60, "60_plus"),
        (104, "60_plus"),
    ],
)
def test_it_puts_ages_in_bands_at_the_edges(age, band):
    assert rules.band_of(age) == band


def test_birth_ranges_agree_with_age_on_every_day_around_the_edges():
    for day in [dt.date(2021, 6, 1), dt.date(2024, 2, 29), dt.date(2023, 3, 1), dt.date(2023, 2, 28)]:
        for code, youngest, oldest in rules.AGE_BANDS:
            earliest, latest = rules.birth_range(day, youngest, oldest)
            for offset in range(-800, 800):
                birth = rules.years_before(day, youngest) + dt.timedelta(days=offset)
                inside = birth <= latest and (earliest is None or birth > earliest)
                assert inside == (rules.band_of(rules.age_on(birth, day)) == code), (day, code, birth)
            if oldest is not None:
                for offset in range(-400, 400):
                    birth = rules.years_before(day, oldest + 1) + dt.timedelta(days=offset)
                    inside = birth <= latest and birth > earliest
                    assert inside == (rules.band_of(rules.age_on(birth, day)) == code), (day, code, birth)
