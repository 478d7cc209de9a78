"""`fangkong bench surveillance`: the maths of early warning on synthetic data, no database (the series are
read by one grouped query per source; what is timed is what is done with them).

- EARS over nodes × series × days (default 3,000 × 5 × 730): C1, C2 and C3 for every day of every series
  by ears_matrix (numpy, docs/decisions/0008), from the lists of counts (None for a day not reported) to
  the three arrays of bounds, the conversion included; the array passes alone beside it. The pure path
  (rules.ears_all, the reference) on a tenth of the series in the same run, with ears_matrix on the same
  tenth for the ratio, and whether the two agree there (to 1e-9, every element).
- The morning run's part: each series' bounds for its last day from its last 12 days, rules.ears_all, as
  actions.run_detection does; ears_matrix on the same 12-day slices beside it.
- R_t over a county's two years of daily cases (rules.estimate_r, parametric serial interval, the three
  quantiles the page shows, and all seven as EpiEstim).

Targets (issue 15): EARS < 2 s; R_t < 200 ms."""

import os
import random
import statistics
import time

import numpy as np

from . import ears_matrix, rules

TARGETS = {"ears_s": 2.0, "rt_ms": 200.0}


def _series(rng, days):
    level = rng.choice([0.5, 2, 5, 12, 30])
    out = [max(0, round(rng.gauss(level, level**0.5))) for _ in range(days)]
    for i in rng.sample(range(days), 3):
        out[i] = None  # a day not reported
    return out


def run(*, nodes: int = 3000, series: int = 5, days: int = 730, seed: int = 15, repeat: int = 3) -> dict:
    rng = random.Random(seed)
    data = [_series(rng, days) for _ in range(nodes * series)]
    full, arrays_only = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        matrix = ears_matrix.as_matrix(data)
        converted = time.perf_counter()
        ears_matrix.ears_matrix(matrix)
        full.append(time.perf_counter() - start)
        arrays_only.append(time.perf_counter() - converted)
    tenth = data[: max(1, len(data) // 10)]
    start = time.perf_counter()
    pure = [rules.ears_all(values) for values in tenth]
    pure_tenth = time.perf_counter() - start
    start = time.perf_counter()
    bounds = ears_matrix.ears_matrix(tenth)
    matrix_tenth = time.perf_counter() - start
    agree = all(
        np.allclose(
            bounds[m], ears_matrix.as_matrix([row[m] for row in pure]), rtol=1e-9, atol=0, equal_nan=True
        )
        for m in rules.METHODS
    )
    last_days = [values[-(rules.BASELINE + 5) :] for values in data]
    morning, morning_matrix = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        for values in last_days:
            rules.ears_all(values)
        morning.append(time.perf_counter() - start)
        start = time.perf_counter()
        ears_matrix.ears_matrix(last_days)
        morning_matrix.append(time.perf_counter() - start)
    cases = [max(0, round(rng.gauss(15, 6))) for _ in range(days)]
    imported = [rng.choice([0, 0, 0, 1]) for _ in range(days)]
    rt3, rt7 = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        rules.estimate_r(cases, imported, mean_si=4.7, std_si=2.9, quantiles=(0.025, 0.5, 0.975))
        rt3.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        rules.estimate_r(cases, imported, mean_si=4.7, std_si=2.9)
        rt7.append((time.perf_counter() - start) * 1000)
    return {
        "series": nodes * series,
        "days": days,
        "ears_full_history_all_methods_s": round(statistics.median(full), 3),
        "ears_full_history_arrays_only_s": round(statistics.median(arrays_only), 3),
        "ears_tenth_series": len(tenth),
        "ears_tenth_pure_s": round(pure_tenth, 3),
        "ears_tenth_matrix_s": round(matrix_tenth, 3),
        "ears_pure_over_matrix": round(pure_tenth / matrix_tenth, 1),
        "ears_matrix_agrees_with_pure": agree,
        "ears_morning_run_s": round(statistics.median(morning), 3),
        "ears_morning_run_matrix_s": round(statistics.median(morning_matrix), 3),
        "rt_two_years_3_quantiles_ms": round(statistics.median(rt3), 1),
        "rt_two_years_7_quantiles_ms": round(statistics.median(rt7), 1),
        "targets": TARGETS,
        "loadavg": os.getloadavg(),
    }
