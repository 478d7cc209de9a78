"""EARS C1, C2 and C3 over many whole series at once, as a few passes over a 2-D array (numpy,
docs/decisions/0008): no Django, no database. The figures are those of `rules.ears_all`, which stays the
reference (standard library only, checked against R's surveillance::earsC); a test pins this module to it
for every day of every series.

Rows are series, columns are days. A day not reported is NaN (None in a list of lists, as in `rules`); a
bound is NaN where `rules.ears_all` gives None: before the method's range, where a window holds an
unreported day, and in C3 where R gives NaN (a 0/0 statistic, or a zero sd times an infinite part).

The counts are summed in float64: every window's sum is an exact integer while 7·Σy² stays below 2⁵³ (counts
below about 10⁷ a day), so the means and sds are the correctly rounded values `rules` computes from integers.
"""

import numpy as np

from . import rules

# Days per chunk of rows: the half-dozen temporary arrays of a chunk take 8 MB each (the output arrays,
# 3 × rows × days × 8 bytes, are allocated once: 260 MB for the bench's 15,000 series × 730 days).
CHUNK_CELLS = 1 << 20


def as_matrix(series) -> np.ndarray:
    """A float64 array of rows × days from a list of equally long series (None for a day not reported)."""
    if isinstance(series, np.ndarray):
        return np.asarray(series, dtype=np.float64)
    return np.array(series, dtype=np.float64)  # None becomes NaN


def _chunk(x: np.ndarray, z1: float, z2: float, z3: float, out: dict) -> None:
    rows, size = x.shape
    n = rules.BASELINE
    c1, c2, c3 = out[rules.C1], out[rules.C2], out[rules.C3]
    if size <= n:
        return
    # Sums over the 7 days before t (x[t-7 .. t-1]) for t = 7 … size − 1, as 7 shifted slices: NaN (an
    # unreported day) reaches exactly the windows holding it, and no sum grows beyond a window's
    span = size - n
    square = x * x
    w = x[:, 0:span].copy()
    w2 = square[:, 0:span].copy()
    for j in range(1, n):
        w += x[:, j : span + j]
        w2 += square[:, j : span + j]
    # C1 on day t: the mean and sd of its window (t ≥ 7)
    mean = w / n
    w *= w
    w2 *= n
    w2 -= w
    w2 /= n * (n - 1)  # n·(n−1)·var is an exact integer: the same correctly rounded quotient as rules
    sd = np.sqrt(w2, out=w2)
    np.multiply(sd, z1, out=c1[:, n:])
    c1[:, n:] += mean
    # C2 on day t: C1's window of day t − 2 (t ≥ 9)
    if size <= n + 2:
        return
    np.multiply(sd[:, :-2], z2, out=c2[:, n + 2 :])
    c2[:, n + 2 :] += mean[:, :-2]
    # C3 (t ≥ 11): each day's C2 statistic (y − mean) / sd: x/0 is ±inf, 0/0 NaN (R's), an unreported day
    # NaN; its part above 1, NaN kept (R: pmax(0, NaN) is NaN); then the two previous days' parts
    if size <= n + 4:
        return
    m2, s2 = mean[:, :-2], sd[:, :-2]  # day t = n + 2 + i
    statistic = x[:, n + 2 :] - m2
    statistic /= s2
    statistic -= 1
    part = np.maximum(statistic, 0.0, out=statistic)  # NaN stays NaN, +inf stays +inf
    total = 0.0 + part[:, :-2]
    total += part[:, 1:-1]  # in the order rules adds them; day t = n + 4 + i
    # sd = 0 with an infinite part: 0 · −inf is NaN, no bound (R's); sd > 0: −inf, a bound of 0
    bound = c3[:, n + 4 :]
    np.subtract(z3, total, out=bound)
    bound *= s2[:, 2:]
    bound += x[:, n + 4 :]
    np.maximum(0.0, bound, out=bound)


def ears_matrix(
    series, *, alpha: dict | None = None, chunk_cells: int = CHUNK_CELLS
) -> dict[str, np.ndarray]:
    """The upper bounds of C1, C2 and C3 of every day of every series (rows × days, NaN where
    `rules.ears_all` gives None), alpha per method as `rules.ears_all` takes it."""
    x = as_matrix(series)
    if x.size == 0 and x.ndim == 1:
        x = x.reshape(0, 0)  # no series at all
    if x.ndim != 2:
        raise ValueError("series: a 2-D array, one row per series")
    alpha = {**rules.DEFAULT_ALPHA, **(alpha or {})}
    z1, z2, z3 = (rules.z_alpha(alpha[m]) for m in rules.METHODS)
    rows, size = x.shape
    out = {m: np.full((rows, size), np.nan) for m in rules.METHODS}
    step = max(1, chunk_cells // max(1, size))
    with np.errstate(invalid="ignore", divide="ignore"):
        for start in range(0, rows, step):
            part = slice(start, start + step)
            _chunk(x[part], z1, z2, z3, {m: out[m][part] for m in rules.METHODS})
    return out


def as_lists(bounds: np.ndarray) -> list[list[float | None]]:
    """The rows of a bounds array as `rules.ears_all` gives them: lists of floats, None for NaN."""
    return [[None if v != v else v for v in row] for row in bounds.tolist()]
