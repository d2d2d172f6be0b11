"""A/B tests in the market: the split, the refusal of shared levers, the truth beside the estimate,
and quick calibration (the full one, 400 + 400 tests, is in make validate)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from journeysim.experiments.ab.cli import main
from journeysim.experiments.ab.method import ArmLever, ab_test, power_and_mde, run_ab_test, welch
from journeysim.experiments.ab.result import calibration
from journeysim.runner import build_model
from journeysim.sim.errors import ConfigError
from tests.conftest import make_spec

SMALL = ["population.size=1000"]
START, WINDOW = 10, 15


def quiet_spec(*overrides: str):
    return make_spec(*overrides, "outputs.event_log_sample=0", "outputs.mesa_agents=lazy")


@pytest.mark.parametrize("lever", ["budget", "support_staff", "referral_reward"])
def test_a_lever_on_a_shared_resource_is_refused_with_switchback_or_geo_suggested(lever) -> None:
    with pytest.raises(ConfigError, match="switchback.*geo") as error:
        ab_test(SMALL, lever, 1.5, START, WINDOW)
    assert error.value.key == "lever" and error.value.value == lever


def test_the_command_exits_2_naming_the_key_for_a_shared_lever(capsys) -> None:
    with pytest.raises(SystemExit) as exit_status:
        main(["--lever", "budget", "--value", "2", "population.size=500"])
    assert exit_status.value.code == 2
    err = capsys.readouterr().err
    assert "lever = 'budget'" in err and "switchback" in err and "Traceback" not in err


def test_an_unknown_lever_is_refused_listing_the_levers() -> None:
    with pytest.raises(ConfigError, match="checkout_friction"):
        ab_test(SMALL, "checkout_fricton", 0.1, START, WINDOW)


def test_the_split_draws_nothing_from_the_model_streams() -> None:
    spec = quiet_spec("population.size=800", "days=30", "seed=5")
    plain = build_model(spec).run()
    split = build_model(spec)
    split.levers.append(ArmLever(None, 0.0, 10, 0.5, spec.seed, "test"))
    split.run()
    np.testing.assert_array_equal(plain.collector.stage_counts, split.collector.stage_counts)
    np.testing.assert_array_equal(plain.state.purchases, split.state.purchases)


def test_the_treatment_arm_is_the_share_asked_for() -> None:
    spec = quiet_spec("population.size=4000", f"days={START + 5}", "seed=2")
    out = run_ab_test(spec, None, 0.0, START, share=0.2)
    model = build_model(spec)
    for _ in range(START):
        model.step()
    assert model.collector.daily["leavers"][:START].sum() > 0  # some of the 4,000 left before the start
    assert out["treated"] + out["control"] == model.state.in_market  # the people in the market at the start
    assert out["treated"] / model.state.in_market == pytest.approx(0.2, abs=0.02)


def test_a_null_lever_has_no_true_effect_and_a_right_test_does_not_ship_it() -> None:
    spec = quiet_spec("population.size=1000", f"days={START + WINDOW}", "seed=3")
    out = run_ab_test(spec, "checkout_friction", spec.market.checkout_friction, START)
    for metric in ("conversion", "revenue"):
        assert out[f"{metric}_true_treated"] == 0.0 and out[f"{metric}_true_rollout"] == 0.0
    assert out["right"] == (not out["shipped"])


def test_less_checkout_friction_truly_raises_conversion_of_the_treated_and_of_everyone() -> None:
    spec = quiet_spec("population.size=2000", f"days={START + WINDOW}", "seed=4")
    out = run_ab_test(spec, "checkout_friction", 0.0, START)
    assert out["conversion_true_treated"] > 0 and out["conversion_true_rollout"] > 0
    assert out["conversion_low"] < out["conversion_estimate"] < out["conversion_high"]


def test_welch_matches_scipys_unequal_variance_t_test() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(1.0, 2.0, 50), rng.normal(0.0, 1.0, 80)
    got = welch(a, b, 0.95)
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert got["p_value"] == pytest.approx(ref.pvalue, rel=1e-9)
    ci = ref.confidence_interval(0.95)
    assert (got["low"], got["high"]) == pytest.approx((ci.low, ci.high), rel=1e-9)


def test_the_minimum_detectable_effect_is_detected_with_80_percent_power() -> None:
    _, mde = power_and_mde(0.5, 0.0, 0.05)
    power, _ = power_and_mde(0.5, mde, 0.05)
    assert power == pytest.approx(0.8, abs=1e-5)  # the far tail adds about 1e-6
    assert power_and_mde(0.5, 0.0, 0.05)[0] == pytest.approx(0.05, abs=1e-9)


def test_forty_aa_tests_rarely_reject_at_level_5_percent() -> None:
    result = ab_test(SMALL, None, None, START, WINDOW, tests=40)
    rate = calibration(result.tests, "conversion", 0.95)["rejection_rate"]
    assert rate <= 0.15  # 7 or more of 40 at a true 5% has probability 0.003
    assert result.tests["seed"].nunique() == 40


def test_forty_tests_of_a_known_lever_mostly_cover_the_treated_arms_true_effect() -> None:
    result = ab_test(SMALL, "checkout_friction", 0.1, START, WINDOW, tests=40)
    rates = calibration(result.tests, "conversion", 0.95)
    assert rates["coverage"] >= 0.8  # 31 or fewer of 40 at a true 95% has probability 0.0003
    assert rates["mean_true_treated"] > 0


def test_the_command_writes_the_tests_and_prints_the_analysts_readout(tmp_path, capsys) -> None:
    out = tmp_path / "ab"
    assert main(["--lever", "checkout_friction", "--value", "0.1", "--start", "10", "--window", "10",
                 "population.size=600", f"hydra.run.dir={out}"]) == 0
    printed = capsys.readouterr().out
    assert "true (roll-out)" in printed and "decision on conversion" in printed
    for name in ("ab_tests.csv", "ab.json", "ab.png", "manifest.json"):
        assert (out / name).is_file()


def test_the_revenue_figure_writes_money_in_the_runs_currency(tmp_path) -> None:
    from journeysim.experiments.ab.plots import plot_ab_tests
    from journeysim.units import Currency

    result = ab_test(SMALL, "checkout_friction", 0.1, START, WINDOW, tests=3)
    ax = plot_ab_tests(result.tests, "revenue", currency=Currency("EUR", "€"))
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and all("€" in t and "$" not in t for t in ticks), ticks
