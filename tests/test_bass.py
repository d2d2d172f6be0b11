"""The reference case: the engine reproduces the closed-form Bass diffusion curve."""

from __future__ import annotations

import numpy as np
import pytest

from journeysim.scenarios.bass import bass_curve
from tests.conftest import run_model


def adopted_fraction(model) -> np.ndarray:
    counts = model.collector.stage_counts
    return counts[:, 4:7].sum(axis=1) / model.state.size


def tolerance(F: np.ndarray, n: int) -> np.ndarray:
    """Four sampling standard errors of a binomial share, plus 0.002 for daily steps.

    At n customers the adopted fraction has standard error sqrt(F (1 - F) / n): 0.0016 at
    100,000 and 0.0005 at 1,000,000, so 4 SE is 0.006 and 0.002 respectively. This holds
    while q/p is moderate (here at most 90); with very few innovators (q/p in the
    hundreds) the early random timing of the takeoff adds a shift of about
    (q / 4) / (q sqrt(n p / (p + q))) to F, which the 1,000,000-customer test covers.
    """
    return 4.0 * np.sqrt(F * (1.0 - F) / n) + 0.002


@pytest.mark.parametrize(("p", "q"), [(0.03, 0.38), (0.01, 0.9), (0.05, 0.15), (0.01, 0.5)])
def test_bass_scenario_matches_closed_form_at_every_year_end(p: float, q: float) -> None:
    n, years = 100_000, 10
    model = run_model("scenario=bass", f"scenario.p={p}", f"scenario.q={q}", f"population.size={n}",
                      f"days={365 * years}", "outputs.event_log_sample=0")
    t = np.arange(1, years + 1)
    expected = bass_curve(t, p, q)
    simulated = adopted_fraction(model)[365 * t]
    assert np.all(np.abs(simulated - expected) <= tolerance(expected, n)), (simulated, expected)


@pytest.mark.parametrize(("p", "q"), [(0.03, 0.38), (0.005, 1.5)])
def test_bass_at_one_million_customers_is_within_0_01_of_closed_form(p: float, q: float) -> None:
    model = run_model("scenario=bass", f"scenario.p={p}", f"scenario.q={q}", "population.size=1000000",
                      "days=3650", "outputs.event_log_sample=0", "outputs.mesa_agents=lazy")
    t = np.arange(1, 11)
    error = np.abs(adopted_fraction(model)[365 * t] - bass_curve(t, p, q))
    assert error.max() < 0.01


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
