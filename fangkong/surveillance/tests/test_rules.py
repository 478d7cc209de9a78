"""EARS and R_t on short series, computed by hand from the definitions (DOMAIN.md §17)."""

import math
import statistics

import pytest

from fangkong.surveillance import rules

Z_001 = 3.090232306167813  # qnorm(0.999)
Z_025 = 1.959963984540054  # qnorm(0.975)


def test_z():
    assert rules.z_alpha(0.001) == pytest.approx(Z_001, abs=1e-12)
    assert rules.z_alpha(0.025) == pytest.approx(Z_025, abs=1e-12)


def test_c1_by_hand():
    y = [1, 2, 3, 4, 5, 6, 7, 20, 4]
    bounds = rules.ears(y, method="C1")
    assert [b.index for b in bounds] == [7, 8]
    # day 8: baseline 1..7, mean 4, sd sqrt(28/6)
    assert bounds[0].upper == pytest.approx(4 + Z_001 * math.sqrt(28 / 6), abs=1e-12)
    assert bounds[0].alarm is True
    # day 9: baseline 2..7, 20
    base = [2, 3, 4, 5, 6, 7, 20]
    assert bounds[1].upper == pytest.approx(statistics.mean(base) + Z_001 * statistics.stdev(base), abs=1e-12)
    assert bounds[1].alarm is False


def test_c2_uses_the_window_two_days_back():
    y = [3, 1, 4, 1, 5, 9, 2, 6, 5, 30, 8]
    bounds = rules.ears(y, method="C2")
    assert [b.index for b in bounds] == [9, 10]
    base = y[0:7]  # days t-9 .. t-3 of t = 10 (1-based)
    assert bounds[0].upper == pytest.approx(statistics.mean(base) + Z_001 * statistics.stdev(base), abs=1e-12)
    assert bounds[0].alarm is True


def test_c3_from_the_two_previous_c2_statistics():
    y = [2, 3, 2, 4, 3, 2, 3, 4, 9, 12, 15, 14]
    bounds = rules.ears(y, method="C3")
    assert [b.index for b in bounds] == [11]

    def c2(t):  # 0-based day
        base = y[t - 9 : t - 2]
        return (y[t] - statistics.mean(base)) / statistics.stdev(base)

    t = 11
    sd = statistics.stdev(y[t - 9 : t - 2])
    expected = y[t] + sd * (Z_025 - (max(0, c2(t - 2) - 1) + max(0, c2(t - 1) - 1)))
    assert bounds[0].upper == pytest.approx(max(0, expected), abs=1e-12)
    assert bounds[0].alarm is (y[t] > max(0, expected))
    assert bounds[0].alarm is True  # two high days before push the bound below today's count


def test_missing_days_are_not_zero():
    y = [1, 2, 3, 4, None, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    c1 = {b.index: b for b in rules.ears(y, method="C1")}
    assert c1[7].upper is None and c1[11].upper is None  # the window holds day 5
    assert c1[12].upper is not None
    zeros = [0 if v is None else v for v in y]
    assert rules.ears(zeros, method="C1")[0].upper is not None


def test_fast_path_matches():
    y = [5, 3, 0, 0, 0, 0, 0, 0, 0, 2, 7, 1, None, 4, 4, 4, 4, 4, 4, 4, 4, 9]
    for method in rules.METHODS:
        slow = {b.index: b.upper for b in rules.ears(y, method=method)}
        fast = rules.ears_fast(y, method=method)
        for i, upper in enumerate(fast):
            assert (upper is None and slow.get(i) is None) or upper == pytest.approx(slow[i], abs=1e-12)


def test_rt_by_hand():
    # 9 days, serial interval: 1 day w.p. 0.5, 2 days w.p. 0.5 (mean 1.5)
    incid = [2, 1, 3, 2, 4, 3, 5, 4, 6]
    si = [0, 0.5, 0.5]
    estimates = rules.estimate_r(incid, si_distr=si)
    assert [(e.t_start, e.t_end) for e in estimates] == [(2, 8), (3, 9)]
    lam = {t: 0.5 * incid[t - 2] + (0.5 * incid[t - 3] if t >= 3 else 0) for t in range(2, 10)}
    for e in estimates:
        a = 1 + sum(incid[e.t_start - 1 : e.t_end])
        b = 1 / (1 / 5 + sum(lam[t] for t in range(e.t_start, e.t_end + 1)))
        assert e.mean == pytest.approx(a * b, abs=1e-12)
        assert e.sd == pytest.approx(math.sqrt(a) * b, abs=1e-12)
        # the median of a gamma(a, b): P(a, m/b) = 1/2
        assert rules.gamma_p(a, e.median / b) == pytest.approx(0.5, abs=1e-12)
        assert e.enough is (sum(incid[e.t_start - 1 : e.t_end]) >= 12)


def test_rt_first_day_imported_and_imported_counted_only_as_infectors():
    local = [3, 0, 2, 2, 2, 2, 2, 2, 2]
    imported = [0, 5, 0, 0, 0, 0, 0, 0, 0]
    with_imports = rules.estimate_r(local, imported, si_distr=[0, 1.0])
    # day 1's 3 local cases become imported; day 2's imports infect (lambda) but are not offspring (a)
    e = with_imports[0]
    assert e.mean == pytest.approx((1 + 12) / (1 / 5 + (3 + 5 + 2 * 5)), abs=1e-12)


def test_no_estimate_before_the_serial_interval_mean():
    estimates = rules.estimate_r([1] * 12, si_distr=[0] * 8 + [1.0])  # mean 8
    assert estimates[0].t_end == 8 and estimates[0].mean is None
    assert estimates[1].t_end == 9 and estimates[1].mean is not None
