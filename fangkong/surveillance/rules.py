"""Early-warning maths as pure functions (DOMAIN.md §17): no Django, no database, no dependency beyond the
standard library, so that each figure can be checked against the published reference implementations.

- EARS C1, C2, C3 exactly as R's `surveillance::earsC` (version 1.20) computes them: baseline n = 7, the
  sample sd (n − 1), C2 lagged by 2, C3 from C2's two previous values, z = Φ⁻¹(1 − α) with α = 0.001 for C1
  and C2 and 0.025 for C3; an alarm when the day's count is above its upper bound.
- The instantaneous reproduction number of Cori et al. 2013 exactly as EpiEstim's `estimate_R` (version
  2.2) computes it with `parametric_si` (the serial interval discretised as `discr_si` does) or
  `non_parametric_si`: gamma prior of mean 5 and sd 5 (shape 1, scale 5), sliding 7-day windows
  t_start = 2 … T − 6, the first day's cases imported, the posterior mean, sd and quantiles.

A day that was not reported is None, never 0: a window that holds one gets no bound (R's NA).
"""

import datetime as dt
import math
from dataclasses import dataclass
from statistics import NormalDist

C1, C2, C3 = "C1", "C2", "C3"
METHODS = (C1, C2, C3)
DEFAULT_ALPHA = {C1: 0.001, C2: 0.001, C3: 0.025}
BASELINE = 7
# The first index (0-based) with a bound: R's default range starts at baseline + 1, + 3, + 5 (1-based).
_FIRST = {C1: BASELINE, C2: BASELINE + 2, C3: BASELINE + 4}


def z_alpha(alpha: float) -> float:
    """Φ⁻¹(1 − α): R's qnorm(1 - alpha) (both use Wichura's AS 241)."""
    return NormalDist().inv_cdf(1 - alpha)


@dataclass(frozen=True)
class Bound:
    index: int  # 0-based day in the series
    value: int | None
    upper: float | None  # None: a day of the window (or the day itself) was not reported, or sd = 0 in C3
    alarm: bool


def _window_stats(values, t: int, lag: int, n: int):
    """Mean and sample sd of values[t-lag-n+1 .. t-lag] (n values), None when one is missing."""
    window = values[t - lag - n + 1 : t - lag + 1]
    if len(window) < n or any(v is None for v in window) or t - lag - n + 1 < 0:
        return None
    s = sum(window)
    mean = s / n
    ss = sum((v - mean) ** 2 for v in window)
    return mean, math.sqrt(ss / (n - 1))


def ears(
    values, *, method: str = C1, alpha: float | None = None, baseline: int = BASELINE, min_sigma: float = 0.0
) -> list[Bound]:
    """The bound and alarm of every day in R's default range (C1 from day baseline + 1, C2 from + 3, C3
    from + 5, 1-based), as `earsC(sts, control=list(method=…, alpha=…))`."""
    if method not in METHODS:
        raise ValueError(method)
    if baseline < 3:
        raise ValueError("baseline")
    z = z_alpha(DEFAULT_ALPHA[method] if alpha is None else alpha)
    first = {C1: baseline, C2: baseline + 2, C3: baseline + 4}[method]
    out = []
    for t in range(first, len(values)):
        y = values[t]
        upper = None
        if method in (C1, C2):
            stats = _window_stats(values, t, 1 if method == C1 else 3, baseline)
            if stats is not None:
                upper = stats[0] + z * max(stats[1], min_sigma)
        else:
            upper = _c3_upper(values, t, z, baseline, min_sigma)
        if upper is None or math.isnan(upper):
            out.append(Bound(t, y, None, False))
        else:  # C1 and C2 bound a day that was not reported too (as R does); it raises no alarm
            out.append(Bound(t, y, upper, y is not None and y > upper))
    return out


def _c2_statistic(values, t: int, baseline: int, min_sigma: float):
    """(y_t − mean) / sd over the C2 window; nan where R gives NaN (0/0), ±inf for x/0, None if missing."""
    stats = _window_stats(values, t, 3, baseline)
    if stats is None or values[t] is None:
        return None
    mean, sd = stats
    sd = max(sd, min_sigma)
    diff = values[t] - mean
    if sd == 0:
        return math.nan if diff == 0 else math.copysign(math.inf, diff)
    return diff / sd


def _c3_upper(values, t: int, z: float, baseline: int, min_sigma: float):
    stats = _window_stats(values, t, 3, baseline)
    lag2 = _c2_statistic(values, t - 2, baseline, min_sigma)
    lag1 = _c2_statistic(values, t - 1, baseline, min_sigma)
    if stats is None or lag2 is None or lag1 is None or values[t] is None:
        return None
    if math.isnan(lag2) or math.isnan(lag1):
        return None  # R: pmax(0, NaN) is NaN, and so is the bound
    part = max(0.0, lag2 - 1) + max(0.0, lag1 - 1)
    sd = max(stats[1], min_sigma)
    factor = z - part
    if sd == 0 and math.isinf(factor):
        return None  # 0 · ∞ is NaN in R
    return max(0.0, values[t] + sd * factor)


def _baselines(values):
    """Mean and sd of the 7 days before each day t (values[t-7 .. t-1]), None where one is missing, from
    running integer sums (exact for counts)."""
    n = BASELINE
    size = len(values)
    s = [0] * (size + 1)
    s2 = [0] * (size + 1)
    miss = [0] * (size + 1)
    acc = acc2 = accm = 0
    for i, v in enumerate(values, 1):
        if v is None:
            accm += 1
        else:
            acc += v
            acc2 += v * v
        s[i], s2[i], miss[i] = acc, acc2, accm
    sqrt = math.sqrt
    means: list[float | None] = [None] * size
    sds: list[float | None] = [None] * size
    denominator = n * (n - 1)
    for t in range(n, size):
        lo = t - n
        if miss[t] - miss[lo]:
            continue
        w = s[t] - s[lo]
        means[t] = w / n
        sds[t] = sqrt((n * (s2[t] - s2[lo]) - w * w) / denominator)  # n·(n−1)·var is an exact integer
    return means, sds


def ears_all(values, *, alpha: dict | None = None) -> dict[str, list[float | None]]:
    """The upper bounds of `ears` (baseline 7, min_sigma 0) of the three methods over a whole series, one per
    day (None before the range or where a window is incomplete), sharing one pass of running sums: C2's
    window of day t is C1's of day t − 2. Its figures are those of `ears` (pinned by a test); it is the
    reference of `ears_matrix`, numpy's path over the whole history of thousands of series (0008)."""
    alpha = {**DEFAULT_ALPHA, **(alpha or {})}
    z1, z2, z3 = (z_alpha(alpha[m]) for m in METHODS)
    m1, s1 = _baselines(values)
    size = len(values)
    c1: list[float | None] = [None] * size
    c2: list[float | None] = [None] * size
    c3: list[float | None] = [None] * size
    for t in range(BASELINE, size):
        if m1[t] is not None:
            c1[t] = m1[t] + z1 * s1[t]
    m2 = [None, None, *m1[:-2]][:size]
    s2 = [None, None, *s1[:-2]][:size]
    for t in range(_FIRST[C2], size):
        if m2[t] is not None:
            c2[t] = m2[t] + z2 * s2[t]
    for t in range(_FIRST[C3], size):
        y = values[t]
        if y is None or m2[t] is None:
            continue
        part = 0.0
        ok = True
        for k in (t - 2, t - 1):
            if values[k] is None or m2[k] is None:
                ok = False
                break
            diff = values[k] - m2[k]
            if s2[k] == 0:
                if diff == 0:
                    ok = False
                    break
                if diff > 0:
                    part = math.inf
                continue
            statistic = diff / s2[k]
            if statistic > 1:
                part += statistic - 1
        if not ok or (s2[t] == 0 and math.isinf(part)):
            continue
        c3[t] = max(0.0, y + s2[t] * (z3 - part))
    return {C1: c1, C2: c2, C3: c3}


def ears_fast(values, *, method: str = C1, alpha: float | None = None) -> list[float | None]:
    """One method's bounds of `ears_all`."""
    return ears_all(values, alpha=None if alpha is None else {method: alpha})[method]


# ---------------------------------------------------------------------------------------------------------
# The regularised incomplete gamma function and its inverse (R's pgamma, qgamma), to ~1e-13 relative.


def gamma_p(a: float, x: float) -> float:
    """P(a, x), the regularised lower incomplete gamma function: pgamma(x, shape=a, scale=1)."""
    if x <= 0:
        return 0.0
    if math.isinf(x):
        return 1.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        # series: P = e^{-x} x^a / Γ(a+1) · Σ x^k / ((a+1)…(a+k))
        term = total = 1.0 / a
        ap = a
        for _ in range(100000):
            ap += 1
            term *= x / ap
            total += term
            if term < total * 1e-16:  # every term is positive
                break
        return min(1.0, total * math.exp(log_front))
    # continued fraction for Q (modified Lentz)
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 100000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        if abs(d) < tiny:
            d = tiny
        c = b + an / c
        if abs(c) < tiny:
            c = tiny
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-17:
            break
    return max(0.0, 1.0 - math.exp(log_front) * h)


def pgamma(x: float, *, shape: float, scale: float) -> float:
    return gamma_p(shape, x / scale)


def qgamma(p: float, *, shape: float, scale: float) -> float:
    """The p-quantile of the gamma distribution (R's qgamma), by Halley steps (Newton's with the density's
    slope: cubic convergence from the Wilson–Hilferty start) kept inside a bisection bracket."""
    if not 0 < p < 1:
        raise ValueError("p")
    a = shape
    # Wilson–Hilferty start
    z = NormalDist().inv_cdf(p)
    c = 1 / (9 * a)
    x = max(a * (1 - c + z * math.sqrt(c)) ** 3, 1e-8)
    lo, hi = 0.0, math.inf
    lg = math.lgamma(a)
    for _ in range(200):
        f = gamma_p(a, x) - p
        if f > 0:
            hi = x
        else:
            lo = x
        density = math.exp((a - 1) * math.log(x) - x - lg) if x > 0 else 0.0
        if density > 0:
            newton = f / density
            # f'' / f' = (a − 1) / x − 1 for the gamma density; Halley: newton / (1 − newton · f''/(2 f'))
            halley = 1 - newton * ((a - 1) / x - 1) / 2
            step = newton / halley if halley > 0.5 else newton
        else:
            step = math.inf
        new = x - step
        bisected = not (lo < new < hi) or math.isnan(new)
        if bisected:
            new = (lo + hi) / 2 if math.isfinite(hi) else x * 2
        # Halley converges cubically: after a step below 1e-7 of x the error is of the order of its cube
        if abs(new - x) <= (1e-13 if bisected else 1e-7) * max(1.0, abs(x)):
            x = new
            break
        x = new
    return x * scale


# ---------------------------------------------------------------------------------------------------------
# Cori et al. 2013 (EpiEstim estimate_R, non-uncertain serial interval).

PRIOR_MEAN, PRIOR_SD = 5.0, 5.0
WINDOW = 7
MIN_CASES = 12  # EpiEstim's advice: at least 12 cases in a window for a posterior CV of 0.3
QUANTILES = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)


def discr_si(k: int, mu: float, sigma: float) -> float:
    """EpiEstim's discr_si: the probability of a serial interval of k days for a gamma of mean mu and sd
    sigma, offset by one day and discretised with a linear interpolation (Cori et al. 2013, web appendix 11)."""
    if sigma < 0 or mu <= 1 or k < 0:
        raise ValueError("serial interval")
    a = ((mu - 1) / sigma) ** 2
    b = sigma**2 / (mu - 1)

    def cdf(x, shape):
        return pgamma(x, shape=shape, scale=b) if x > 0 else 0.0

    res = k * cdf(k, a) + (k - 2) * cdf(k - 2, a) - 2 * (k - 1) * cdf(k - 1, a)
    res += a * b * (2 * cdf(k - 1, a + 1) - cdf(k - 2, a + 1) - cdf(k, a + 1))
    return max(0.0, res)


def discretised_gamma(length: int, mu: float, sigma: float) -> list[float]:
    """discr_si(0:(length - 1), mu, sigma). Past the bulk of the distribution (k beyond mu + 30 sd, where
    every term is below 1e-16) the rest is 0 without evaluating it: R's values there are below 1e-16 too."""
    out = []
    for k in range(length):
        if k > mu + 30 * sigma + 2 and out and out[-1] < 1e-16:
            out.extend([0.0] * (length - k))
            break
        out.append(discr_si(k, mu, sigma))
    return out


@dataclass(frozen=True)
class REstimate:
    t_start: int  # 1-based, inclusive, as EpiEstim
    t_end: int
    cases: int  # local + imported in the window
    mean: float | None  # None: t_end not past the serial interval's mean
    sd: float | None
    quantiles: dict | None  # {0.025: …, 0.5: …, 0.975: …}
    enough: bool  # at least MIN_CASES cases in the window

    @property
    def median(self):
        return self.quantiles[0.5] if self.quantiles else None


def estimate_r(
    local,
    imported=None,
    *,
    si_distr=None,
    mean_si: float | None = None,
    std_si: float | None = None,
    window: int = WINDOW,
    mean_prior: float = PRIOR_MEAN,
    std_prior: float = PRIOR_SD,
    quantiles=QUANTILES,
) -> list[REstimate]:
    """R_t over sliding windows [t, t + window − 1], t = 2 … T − window + 1 (1-based), as
    estimate_R(incid, method = "parametric_si" (mean_si, std_si) or "non_parametric_si" (si_distr)).

    `local` and `imported` are daily counts (a missing day counts 0, as EpiEstim does with NA). With no
    `imported`, every case of the first day is imported; local cases of day 1 are moved to imported."""
    local = [int(v or 0) for v in local]
    size = len(local)
    imported = [0] * size if imported is None else [int(v or 0) for v in imported]
    if size < window + 1:
        return []
    if local[0] > 0:
        imported[0] += local[0]
        local[0] = 0
    total = [a + b for a, b in zip(local, imported, strict=True)]
    if si_distr is None:
        if mean_si is None or std_si is None:
            raise ValueError("serial interval")
        si = discretised_gamma(size, mean_si, std_si)
    else:
        si = list(si_distr)
        if si[0] != 0:
            raise ValueError("si_distr[0] must be 0")
        if abs(sum(si) - 1) > 0.01:
            raise ValueError("si_distr must sum to 1")
    si = si + [0.0] * max(0, size + 1 - len(si))
    final_mean_si = sum(p * k for k, p in enumerate(si))
    # lambda_t = Σ_{s=1}^{t-1} w_s I_{t-s} (t 1-based; lambda_1 is not used)
    reach = max((k for k, w in enumerate(si) if w), default=0)  # the serial interval's last nonzero day
    lam = [0.0] * (size + 1)
    for t in range(2, size + 1):
        acc = 0.0
        for s in range(1, min(t, reach + 1)):
            w = si[s]
            if w:
                acc += w * total[t - s - 1]
        lam[t] = acc
    a_prior = (mean_prior / std_prior) ** 2
    b_prior = std_prior**2 / mean_prior
    out = []
    for t_start in range(2, size - window + 2):
        t_end = t_start + window - 1
        cases = sum(total[t_start - 1 : t_end])
        enough = cases >= MIN_CASES
        if t_end <= final_mean_si:
            out.append(REstimate(t_start, t_end, cases, None, None, None, enough))
            continue
        a = a_prior + sum(local[t_start - 1 : t_end])
        b = 1 / (1 / b_prior + sum(lam[t_start : t_end + 1]))
        qs = {q: qgamma(q, shape=a, scale=b) for q in quantiles}
        out.append(REstimate(t_start, t_end, cases, a * b, math.sqrt(a) * b, qs, enough))
    return out


# ---------------------------------------------------------------------------------------------------------
# Risk areas by rule (DOMAIN.md §7). "N days with no new infection" on day D means none in the N days
# ending with D (D − N + 1 … D), i.e. the last one on or before D − N: the level of the end of D. So an area
# whose last case was on day L is at the lower level from L + N on. "Within 14 days" is the same window.

HIGH, MEDIUM, LOW = "high", "medium", "low"
RISK_PRESETS = ("2020", "2022-06", "2022-11")
RISK_PRESET_LABELS = {
    "2020": "2020年（县域）：累计病例超过50例且14天内有聚集性疫情为高风险，14天无新增为低风险，其余为中风险",
    "2022-06": "第九版（2022年6月）：病例居住地和活动频繁的地方为高风险，连续7天无新增降为中风险，再连续3天无新增降为低风险",
    "2022-11": "第二十条（2022年11月）：只设高、低风险，高风险区连续5天无新增降为低风险",
}


@dataclass(frozen=True)
class RiskVerdict:
    level: str
    reason: str
    # the days the level steps down if no new infection comes, in order: [(day, level)]
    steps: tuple = ()

    @property
    def next_step(self):
        return self.steps[0] if self.steps else None


def _days(day, n):
    return day + dt.timedelta(days=n)


def risk_2020(
    *, day, case_days, cluster_days, total_over: int = 50, quiet: int = 14, window: int = 14
) -> RiskVerdict:
    """County level, 2020: low = no case, or no new case for `quiet` days; high = more than `total_over`
    cases in total and a cluster within `window` days; medium = the rest. `case_days`: the days of the
    cases (one per case), `cluster_days`: the day of the last case of each cluster."""
    cases = [d for d in case_days if d <= day]
    if not cases:
        return RiskVerdict(LOW, "无病例")
    last = max(cases)
    low_on = _days(last, quiet)
    if day >= low_on:
        return RiskVerdict(LOW, f"{quiet}天无新增病例（末例{last:%m-%d}）")
    recent = [d for d in cluster_days if d <= day and d > _days(day, -window)]
    if len(cases) > total_over and recent:
        medium_on = _days(max(recent), window)
        steps = ((medium_on, MEDIUM), (low_on, LOW)) if medium_on < low_on else ((low_on, LOW),)
        return RiskVerdict(
            HIGH, f"累计病例{len(cases)}例（超过{total_over}例），{window}天内有聚集性疫情", steps
        )
    return RiskVerdict(MEDIUM, f"累计病例{len(cases)}例，末例{last:%m-%d}", ((low_on, LOW),))


def risk_2022_06(*, day, case_days, high_days: int = 7, medium_days: int = 3) -> RiskVerdict:
    """Ninth edition (2022-06): where cases live and places they frequented are high; `high_days` with no
    new infection → medium; `medium_days` more (coming down from high) → low."""
    cases = [d for d in case_days if d <= day]
    if not cases:
        return RiskVerdict(LOW, "无病例")
    last = max(cases)
    medium_on, low_on = _days(last, high_days), _days(last, high_days + medium_days)
    if day < medium_on:
        return RiskVerdict(HIGH, f"病例居住或活动（末次{last:%m-%d}）", ((medium_on, MEDIUM), (low_on, LOW)))
    if day < low_on:
        return RiskVerdict(MEDIUM, f"连续{high_days}天无新增，由高风险降为中风险", ((low_on, LOW),))
    return RiskVerdict(LOW, f"连续{high_days + medium_days}天无新增")


def risk_2022_11(*, day, case_days, high_days: int = 5) -> RiskVerdict:
    """Twenty measures (2022-11): only high and low; high → low after `high_days` with no new infection."""
    cases = [d for d in case_days if d <= day]
    if not cases:
        return RiskVerdict(LOW, "无病例")
    last = max(cases)
    low_on = _days(last, high_days)
    if day < low_on:
        return RiskVerdict(HIGH, f"病例居住或活动（末次{last:%m-%d}）", ((low_on, LOW),))
    return RiskVerdict(LOW, f"连续{high_days}天无新增")


# ---------------------------------------------------------------------------------------------------------
# The five-colour map (DOMAIN.md §7, Zhejiang 2020): 红 橙 黄 蓝 绿, high … low. The cut-offs were never
# published: these are Fangkong's defaults, settings a county changes (policy "surveillance.five_colour").

FIVE_COLOURS = ("red", "orange", "yellow", "blue", "green")
FIVE_COLOUR_DEFAULTS = {
    # a township is red when ANY red condition holds, else orange when any orange one holds, and so on;
    # green: no case at all, or none for `green_quiet_days`.
    "red": {"new_7d": 10, "clusters": 2, "total": 50},
    "orange": {"new_7d": 3, "clusters": 1, "total": 20},
    "yellow": {"new_7d": 1, "local_share_pct": 50, "total": 5},
    "green_quiet_days": 28,  # blue: cases within these days, no red, orange or yellow condition
    "unverified": True,
}


@dataclass(frozen=True)
class TownshipFacts:
    total: int  # cumulative cases
    local: int  # of which local
    clusters: int  # clusters with a case within 14 days
    new_7d: int  # cases in the 7 days ending D
    days_since_last: int | None  # None: no case ever

    @property
    def local_share_pct(self) -> float | None:
        return round(self.local * 100.0 / self.total, 1) if self.total else None


def five_colour(facts: TownshipFacts, thresholds: dict | None = None) -> tuple[str, str]:
    """(colour, reason) by the thresholds (FIVE_COLOUR_DEFAULTS merged with the county's settings)."""
    t = {**FIVE_COLOUR_DEFAULTS, **(thresholds or {})}
    if not facts.total or (
        facts.days_since_last is not None and facts.days_since_last >= t["green_quiet_days"]
    ):
        return "green", "无病例" if not facts.total else f"{facts.days_since_last}天无新增"
    share = facts.local_share_pct or 0
    values = {
        "new_7d": facts.new_7d,
        "clusters": facts.clusters,
        "total": facts.total,
        "local_share_pct": share,
    }
    names = {
        "new_7d": "7天新增",
        "clusters": "聚集性疫情",
        "total": "累计病例",
        "local_share_pct": "本土病例占比%",
    }
    for colour in ("red", "orange", "yellow"):
        for key, cut in t[colour].items():
            if key in values and values[key] >= cut and (key != "local_share_pct" or facts.new_7d):
                return colour, f"{names[key]}{values[key]}≥{cut}"
    return "blue", f"末例在{facts.days_since_last}天前"
