"""benchmarks/phases.py --kernels times every compiled kernel of a run, wherever it is called from."""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.phases import compiled_kernels, timed_kernels  # noqa: E402
from tests.conftest import make_spec  # noqa: E402


def test_kernel_timer_counts_kernels_imported_by_name_and_puts_them_back() -> None:
    from journeysim.runner import build_model
    from journeysim.sim import rate_kernels, rates

    model = build_model(make_spec("population.size=3000", "days=6"))
    model.step()
    labels = {label for label, _ in compiled_kernels().values()}
    assert {"rate_kernels.refresh_rates", "kernels.decay_scan", "media_kernels.expose_rows"} <= labels
    original = rates.refresh_rates
    with timed_kernels() as (spent, calls):
        assert rates.refresh_rates is not original  # bound by name in rates.py, not only in its module
        assert rate_kernels.refresh_rates is rates.refresh_rates
        model.run()
    assert rates.refresh_rates is original and rate_kernels.refresh_rates is original
    assert calls["kernels.decay_scan"] == 5  # the funnel's scan, once a day over days 2-6
    assert calls["rate_kernels.refresh_rates"] > 0
    assert all(seconds > 0 for seconds in spent.values())
    assert set(spent) <= labels


def test_kernel_report_prints_the_ceiling_as_the_step_over_the_kernels_time(capsys) -> None:
    import re

    from benchmarks.phases import kernel_shares
    from journeysim.runner import build_model

    model = build_model(make_spec("population.size=3000", "days=6"))
    model.step()
    kernel_shares(model, 3000, "6")
    out = capsys.readouterr().out
    step, kernels = map(float, re.search(r"step ([\d.]+) ms a day, in compiled kernels ([\d.]+) ms", out).groups())
    ceiling = float(re.search(r"the step would be ([\d.]+) times as fast", out).group(1))
    assert 0 < kernels < step
    half = 0.05  # both times are printed to a tenth of a millisecond
    assert (step - half) / (kernels + half) - 0.005 <= ceiling <= (step + half) / (kernels - half) + 0.005
    assert "kernels.decay_scan" in out
