"""The reference case: the engine reproduces the closed-form Bass diffusion curve."""

from __future__ import annotations

import numpy as np
import pytest

from journeysim.scenarios.bass import bass_curve, bass_spread
from tests.conftest import run_model


def adopted_fraction(model) -> np.ndarray:
    counts = model.collector.stage_counts
    return counts[:, 4:7].sum(axis=1) / model.state.size


def tolerance(t: np.ndarray, p: float, q: float, n: int) -> np.ndarray:
    """Four standard deviations of the adopted share at n customers, plus 0.002 for daily steps.

    The spread is the diffusion's own (:func:`bass_spread`): imitation amplifies the early
    random timing of the takeoff, so in mid-curve it is several binomial standard errors
    sqrt(F (1 - F) / n) (at p = 0.01, q = 0.9 and 100,000 customers 0.008 in year 5, not 0.0016).
    """
    return 4.0 * bass_spread(t, p, q) / np.sqrt(n) + 0.002


@pytest.mark.parametrize(("p", "q"), [(0.03, 0.38), (0.01, 0.9), (0.05, 0.15), (0.01, 0.5)])
def test_bass_scenario_matches_closed_form_at_every_year_end(p: float, q: float) -> None:
    n, years = 100_000, 10
    model = run_model("scenario=bass", f"scenario.p={p}", f"scenario.q={q}", f"population.size={n}",
                      f"days={365 * years}", "outputs.event_log_sample=0")
    t = np.arange(1, years + 1)
    expected = bass_curve(t, p, q)
    simulated = adopted_fraction(model)[365 * t]
    assert np.all(np.abs(simulated - expected) <= tolerance(t, p, q, n)), (simulated, expected)


def test_bass_has_only_unaware_and_adopted_customers() -> None:
    model = run_model("scenario=bass", "population.size=2000", "days=730")
    occupied = np.flatnonzero(model.collector.stage_counts.sum(axis=0))
    assert set(occupied) <= {0, 4}


def test_closed_form_has_the_textbook_shape() -> None:
    assert bass_curve(0.0, 0.03, 0.38) == pytest.approx(0.0)
    assert bass_curve(100.0, 0.03, 0.38) == pytest.approx(1.0)
    # the inflection (peak adoption rate) is at t* = ln(q/p) / (p + q)
    t_star = np.log(0.38 / 0.03) / 0.41
    t = np.linspace(0, 20, 20001)
    rate = np.gradient(bass_curve(t, 0.03, 0.38), t)
    assert t[np.argmax(rate)] == pytest.approx(t_star, abs=0.01)


def test_the_spread_without_imitation_is_the_binomial_one() -> None:
    t = np.array([0.5, 1.0, 3.0, 10.0])
    adopted = bass_curve(t, 0.2, 0.0)
    assert bass_spread(t, 0.2, 0.0) == pytest.approx(np.sqrt(adopted * (1.0 - adopted)), rel=1e-6)


def test_imitation_widens_the_spread_in_mid_curve() -> None:
    t = np.arange(1, 11)
    adopted = bass_curve(t, 0.01, 0.9)
    ratio = bass_spread(t, 0.01, 0.9) / np.sqrt(adopted * (1.0 - adopted))
    assert ratio[4] > 4.0 and ratio[0] < 2.0  # the takeoff's timing: 5 binomial sd in year 5
