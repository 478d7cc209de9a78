"""The whole-history EARS over many series at once (ears_matrix, numpy) gives, for every day of every
series, the bound `rules.ears_all` gives (the reference, standard library only), and R's earsC values."""

import math
import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fangkong.surveillance import ears_matrix, rules

from .test_rules_reference import REFERENCE, _close


def assert_same_as_rules(series, alpha=None, **kwargs):
    matrix = ears_matrix.ears_matrix(series, alpha=alpha, **kwargs)
    for method in rules.METHODS:
        assert matrix[method].shape == (len(series), len(series[0]) if series else 0)
        rows = ears_matrix.as_lists(matrix[method])
        for i, values in enumerate(series):
            expected = rules.ears_all(values, alpha=alpha)[method]
            for t, (ours, theirs) in enumerate(zip(rows[i], expected, strict=True)):
                where = (method, i, t, ours, theirs)
                if theirs is None:
                    assert ours is None, where
                else:
                    assert ours is not None and abs(ours - theirs) <= 1e-9 * max(1.0, abs(theirs)), where


def _bench_like(rng, days):
    """A count series as the bench draws them, with its own shape: flat, zero, sparse, with holes."""
    kind = rng.choice(["poisson-like", "zero", "constant", "sparse", "holes", "outbreak"])
    level = rng.choice([0.5, 2, 5, 12, 30, 400])
    if kind == "zero":
        out = [0] * days
    elif kind == "constant":
        out = [rng.randrange(0, 9)] * days
    elif kind == "sparse":
        out = [1 if rng.random() < 0.1 else 0 for _ in range(days)]
    else:
        out = [max(0, round(rng.gauss(level, level**0.5))) for _ in range(days)]
    if kind == "outbreak" and days > 20:
        start = rng.randrange(days - 10)
        for i in range(start, start + 8):
            out[i] += rng.randrange(5, 60)
    holes = {"holes": days // 4}.get(kind, rng.choice([0, 0, 1, 3]))
    for i in rng.sample(range(days), min(days, holes)):
        out[i] = None
    return out


def test_it_matches_rules_on_seeded_series_of_every_shape():
    rng = random.Random(20261206)
    for days in [0, 1, 2, 6, 7, 8, 9, 10, 11, 12, 13, 30, 120]:
        series = [_bench_like(rng, days) for _ in range(60)]
        assert_same_as_rules(series)
        assert_same_as_rules(series, alpha={rules.C1: 0.05, rules.C3: 0.001})


def test_the_chunks_do_not_change_a_figure():
    rng = random.Random(15)
    series = [_bench_like(rng, 90) for _ in range(37)]
    whole = ears_matrix.ears_matrix(series)
    for cells in (1, 90, 91 * 5, 10**9):
        chunked = ears_matrix.ears_matrix(series, chunk_cells=cells)
        for method in rules.METHODS:
            np.testing.assert_array_equal(chunked[method], whole[method])


counts = st.one_of(st.none(), st.integers(0, 3), st.integers(0, 60), st.integers(0, 10**6))


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 30).flatmap(
        lambda days: st.lists(st.lists(counts, min_size=days, max_size=days), min_size=1, max_size=6)
    ),
    st.sampled_from([None, {rules.C1: 0.01}, {rules.C2: 0.05, rules.C3: 0.2}]),
)
def test_it_matches_rules_on_any_counts(series, alpha):
    assert_same_as_rules(series, alpha=alpha)


def test_it_reproduces_rs_earsC():
    # the six reference series in one matrix, padded after their end (a bound looks back only)
    cases = REFERENCE["ears"]
    days = max(len(case["observed"]) for case in cases)
    matrix = [case["observed"] + [None] * (days - len(case["observed"])) for case in cases]
    keys = {key for case in cases for key in case["methods"]}
    for key in keys:
        alpha = {c["methods"][key].get("alpha") for c in cases if key in c["methods"]}
        (alpha,) = alpha
        bounds = ears_matrix.ears_matrix(matrix, alpha=None if alpha is None else {key[:2]: alpha})[key[:2]]
        for row, case in zip(ears_matrix.as_lists(bounds), cases, strict=True):
            ref = case["methods"][key]
            first = ref["first"] - 1
            assert row[:first] == [None] * first
            for t, upper in enumerate(ref["upperbound"], first):
                assert _close(row[t], upper), (case["name"], key, t + 1, row[t], upper)


def test_the_edges_of_r():
    # a flat window (sd 0): C3's statistic is 0/0 (NaN: no bound) or x/0 (inf: no bound when today's sd is
    # 0 too, a bound of 0 otherwise); an unreported day takes the bound of every window holding it
    flat = [2] * 12 + [1, 5, 1, 2, 2, 2, 2, 2, 2, 3, None, 2, 2, 2]
    bounds = {m: ears_matrix.as_lists(b)[0] for m, b in ears_matrix.ears_matrix([flat]).items()}
    assert bounds[rules.C1][7] == 2.0 and bounds[rules.C3][11] is None  # 0/0 the two days before
    assert bounds[rules.C3][14] is None  # day 13 is x/0 (+inf) and day 14's own window is flat
    assert bounds[rules.C3][15] == 0.0  # +inf part, sd > 0: max(0, y − inf)
    assert all(bounds[rules.C1][t] is None for t in range(23, 26)) and bounds[rules.C1][22] is not None
    assert bounds == {m: rules.ears_all(flat)[m] for m in rules.METHODS}
    assert all(b.shape == (0, 0) for b in ears_matrix.ears_matrix([]).values())
    nan = ears_matrix.ears_matrix(np.full((2, 20), math.nan))
    assert all(np.isnan(b).all() for b in nan.values())
