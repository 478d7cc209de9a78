"""The sector series: school illness absences and pharmacy sales reach early warning, unreported days empty."""

import datetime as dt

from django.utils import timezone

from fangkong.lib.idcard import make
from fangkong.markets import actions as market_actions
from fangkong.markets.rules import SHANGHAI
from fangkong.schools import actions as school_actions
from fangkong.schools.rules import Mark
from fangkong.surveillance import series


def test_school_absences_are_a_series_of_the_township(world):
    admin = world.county_admin
    school = school_actions.create_school(actor=admin, node=world.grid07, name="七组小学", stage="primary")
    school_class = school_actions.create_class(actor=admin, school=school, grade="二年级", name="2班")
    pupils = [
        school_actions.add_member(actor=admin, school=school, school_class=school_class, name=f"学生{n}")
        for n in range(4)
    ]
    today = timezone.localdate()
    first, second = today - dt.timedelta(days=3), today - dt.timedelta(days=2)
    school_actions.submit_check(
        actor=admin,
        school_class=school_class,
        day=first,
        slot="morning",
        marks=[Mark(p.pk, "absent_illness", ("fever",)) for p in pupils[:2]],
    )
    school_actions.submit_check(actor=admin, school_class=school_class, day=second, slot="morning", marks=[])
    # Reported days carry their count (0 is a zero, reported); the day before and the day after, no check: None.
    got = series.node_series(
        "school_absences", world.township, first - dt.timedelta(days=1), today - dt.timedelta(days=1)
    )
    assert got == [None, 2, 0, None]


def test_pharmacy_sales_are_a_series_of_the_township(world):
    admin = world.county_admin
    pharmacy = market_actions.create_pharmacy(
        actor=admin, node=world.grid07, name="七组药房", licence_no="鲁AA6359001"
    )
    day = timezone.localdate() - dt.timedelta(days=2)
    for n, drug_class in enumerate(["fever", "cough", "antibiotic"]):
        market_actions.record_purchase(
            actor=admin,
            pharmacy=pharmacy,
            buyer_name="购药人",
            id_number=make("510101", dt.date(1980, 1, 2 + n), 135),
            drug="药品",
            drug_class=drug_class,
            purchased_at=dt.datetime.combine(day, dt.time(9 + n), tzinfo=SHANGHAI),
        )
    got = series.node_series("pharmacy_sales", world.county, day - dt.timedelta(days=1), day)
    assert got == [None, 3]
