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


def ears_fast(values, *, method: str = C1, alpha: float | None = None) -> list[float | None]:
    """The upper bounds of `ears` (baseline 7, min_sigma 0) over a whole series, one per day (None before
    the range or where a window is incomplete), with running integer sums: the bench's path over thousands
    of series. Integer counts make the sums exact, so the figures are those of `ears` (pinned by a test)."""
    n = BASELINE
    z = z_alpha(DEFAULT_ALPHA[method] if alpha is None else alpha)
    size = len(values)
    lag = 1 if method == C1 else 3
    # prefix sums of the values, their squares and the missing days
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
    bounds: list[float | None] = [None] * size
    # window of day t: values[t-lag-n+1 .. t-lag] → prefix indices (t-lag-n+1, t-lag+1)
    means: list[float | None] = [None] * size
    sds: list[float | None] = [None] * size
    for t in range(lag + n - 1, size):
        hi, lo = t - lag + 1, t - lag - n + 1
        if miss[hi] - miss[lo]:
            continue
        w = s[hi] - s[lo]
        ss = n * (s2[hi] - s2[lo]) - w * w  # n · (n − 1) · var, an exact integer
        means[t] = w / n
        sds[t] = sqrt(ss / (n * (n - 1)))
    if method != C3:
        for t in range(_FIRST[method], size):
            if means[t] is not None:
                bounds[t] = means[t] + z * sds[t]
        return bounds
    for t in range(_FIRST[C3], size):
        y = values[t]
        if y is None or means[t] is None:
            continue
        part = 0.0
        ok = True
        for k in (t - 2, t - 1):
            if values[k] is None or means[k] is None:
                ok = False
                break
            diff = values[k] - means[k]
            if sds[k] == 0:
                if diff == 0:
                    ok = False
                    break
                if diff > 0:
                    part = math.inf
                continue
            c2 = diff / sds[k]
            if c2 > 1:
                part += c2 - 1
        if not ok or (sds[t] == 0 and math.isinf(part)):
            continue
        bounds[t] = max(0.0, y + sds[t] * (z - part))
    return bounds


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
    """The p-quantile of the gamma distribution (R's qgamma), by Newton steps kept inside a bracket."""
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
        step = f / density if density > 0 else math.inf
        new = x - step
        if not (lo < new < hi) or math.isnan(new):
            new = (lo + hi) / 2 if math.isfinite(hi) else x * 2
        if abs(new - x) <= 1e-13 * max(1.0, abs(x)):
            x = new  # Newton converges quadratically: the next step would be far below 1e-15
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
