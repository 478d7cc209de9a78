"""rules.py against the reference implementations: the values R's surveillance::earsC and EpiEstim's
estimate_R computed (reference/make_reference.R → reference/reference.json), to 6 decimals in every window;
and, when Rscript and both packages are installed, the script rerun and compared again."""

import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest

from fangkong.surveillance import rules

HERE = Path(__file__).parent / "reference"
REFERENCE = json.loads((HERE / "reference.json").read_text())


def _close(ours, theirs, places=6):
    if theirs is None:
        return ours is None
    return ours is not None and abs(ours - theirs) < 0.5 * 10**-places * max(1.0, abs(theirs))


def check_ears(reference):
    for case in reference["ears"]:
        observed = case["observed"]
        for key, ref in case["methods"].items():
            method = key[:2]
            alpha = ref.get("alpha")
            ours = rules.ears(observed, method=method, alpha=alpha)
            fast = rules.ears_fast(observed, method=method, alpha=alpha)
            assert len(ours) == len(ref["upperbound"]), (case["name"], key)
            assert ours[0].index == ref["first"] - 1
            for bound, upper, alarm in zip(ours, ref["upperbound"], ref["alarm"], strict=True):
                where = (case["name"], key, bound.index + 1)
                assert _close(bound.upper, upper), (*where, bound.upper, upper)
                assert _close(fast[bound.index], upper), (*where, fast[bound.index], upper)
                assert bound.alarm == bool(alarm), where  # R's NA alarm is no alarm


def check_rt(reference):
    for case in reference["rt"]:
        kwargs = {}
        if case["method"] == "parametric_si":
            kwargs = {"mean_si": case["mean_si"], "std_si": case["std_si"]}
        else:
            kwargs = {"si_distr": case["si_distr"]}
        if case["local"] is not None:
            ours = rules.estimate_r(case["local"], case["imported"], **kwargs)
        else:
            ours = rules.estimate_r(case["I"], **kwargs)
        assert [e.t_start for e in ours] == case["t_start"], case["name"]
        assert [e.t_end for e in ours] == case["t_end"]
        columns = {
            "q025": 0.025,
            "q05": 0.05,
            "q25": 0.25,
            "median": 0.5,
            "q75": 0.75,
            "q95": 0.95,
            "q975": 0.975,
        }
        for i, estimate in enumerate(ours):
            where = (case["name"], estimate.t_start)
            assert _close(estimate.mean, case["mean"][i]), (*where, estimate.mean, case["mean"][i])
            assert _close(estimate.sd, case["sd"][i]), where
            for column, q in columns.items():
                value = estimate.quantiles[q] if estimate.quantiles else None
                assert _close(value, case[column][i]), (*where, column, value, case[column][i])
        if case["method"] == "parametric_si":
            # discr_si(0:(T-1)), padded with a 0 to T + 1 entries
            size = len(case["si_used"]) - 1
            si = rules.discretised_gamma(size, case["mean_si"], case["std_si"])
            assert all(_close(a, b, 9) for a, b in zip(si, case["si_used"][:size], strict=True))
            assert case["si_used"][size] == 0


def check_gamma(reference):
    for case in reference["discr_si"]:
        for k, p in zip(case["k"], case["p"], strict=True):
            assert _close(rules.discr_si(k, case["mu"], case["sigma"]), p, 12), (case["mu"], k)
    for row in reference["qgamma"]:
        ours = rules.qgamma(row["p"], shape=row["shape"], scale=row["scale"])
        assert abs(ours - row["q"]) <= 1e-9 * max(1.0, row["q"]), row


def test_ears_matches_surveillance_earsC():
    check_ears(REFERENCE)


def test_rt_matches_epiestim_estimate_R():
    check_rt(REFERENCE)


def test_gamma_functions_match_R():
    check_gamma(REFERENCE)


def test_reference_covers_the_edges():
    names = [case["name"] for case in REFERENCE["ears"]]
    assert any("missing" in n for n in names) and any("zero" in n for n in names)
    assert any("Flu2009" in case["name"] and case["imported"] for case in REFERENCE["rt"])
    # the flat series holds NaN (0/0) and Inf (x/0) windows in C3: R gives no bound there
    flat = next(case for case in REFERENCE["ears"] if "zero" in case["name"])
    assert None in flat["methods"]["C3"]["upperbound"][1:]
    assert not math.isnan(rules.ears(flat["observed"], method="C1")[-1].upper)


def _r_available():
    if not shutil.which("Rscript"):
        return False
    probe = subprocess.run(
        ["Rscript", "-e", "library(surveillance); library(EpiEstim); library(jsonlite)"],
        capture_output=True,
        timeout=120,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not shutil.which("Rscript"), reason="R is not installed (CI): reference.json is used")
def test_rerun_r_and_compare(tmp_path):
    if not _r_available():
        pytest.skip("R's surveillance, EpiEstim or jsonlite missing")
    out = tmp_path / "fresh.json"
    subprocess.run(
        ["Rscript", str(HERE / "make_reference.R"), str(out)], check=True, capture_output=True, timeout=600
    )
    fresh = json.loads(out.read_text())
    check_ears(fresh)
    check_rt(fresh)
    check_gamma(fresh)
