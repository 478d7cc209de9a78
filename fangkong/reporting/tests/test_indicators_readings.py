"""A fever at 08:05 followed by 36.5 ℃ at 08:57 counts once in the indicators: one person with new
symptoms, the slot done once (every place the readings are kept: measures/tests/test_follow_up_readings.py)."""

from fangkong.measures.tests.test_follow_up_readings import (  # noqa: F401 — fixtures and helpers
    DAY,
    clock,
    fever_then_normal,
    measure,
    shanghai,
)
from fangkong.reporting import indicators


def test_it_counts_the_fever_and_the_slot_once_in_the_indicators(world, fever_then_normal):  # noqa: F811
    codes = ["symptomatic_new", "followups_due", "followups_done", "followups_missed"]
    values = indicators.compute(world.grid07, DAY, codes=codes, now=shanghai(2020, 2, 4, 1, 0))
    # 张伟 owes the morning and the evening; the morning has two readings, the evening none.
    assert values == {"symptomatic_new": 1, "followups_due": 2, "followups_done": 1, "followups_missed": 1}
