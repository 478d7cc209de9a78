"""The demo's case story: its times come after the check-in and before the end of the story, whatever the hour
the demo is loaded (a check-in six hours old once gave a sampling time in the future and the demo failed)."""

import datetime as dt
import random

from fangkong.tracing.demo import story_times

END = dt.datetime(2026, 12, 5, 2, 0, tzinfo=dt.UTC)


def test_a_case_from_a_check_in_six_hours_before_the_end_is_sampled_and_diagnosed_before_it():
    checked_in = END - dt.timedelta(hours=6)
    for seed in range(200):
        sampled, diagnosed = story_times(checked_in, rng=random.Random(seed), end=END)
        assert checked_in < sampled <= END - dt.timedelta(hours=3)
        assert sampled < diagnosed <= END - dt.timedelta(hours=1)


def test_a_case_from_an_older_check_in_keeps_the_hours_the_story_draws():
    checked_in = END - dt.timedelta(days=2)
    sampled, diagnosed = story_times(checked_in, rng=random.Random(7), end=END)
    drawn = random.Random(7)
    hours_to_sample, hours_to_diagnose = drawn.randint(4, 10), drawn.randint(3, 8)
    assert sampled == checked_in + dt.timedelta(hours=hours_to_sample)
    assert diagnosed == sampled + dt.timedelta(hours=hours_to_diagnose)
