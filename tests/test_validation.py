"""Validation against the literature: the fast checks, and the cascade mode they rely on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from journeysim.experiments.validation import bass_products, epidemic_threshold, queues, run, talk_of_the_network
from journeysim.experiments.validation.diffusion import diffusion_spec, word_of_mouth
from journeysim.experiments.validation.experiment import Check, Outcome
from journeysim.sim.config import parse_network
from journeysim.sim.errors import ConfigError
from journeysim.sim.model import JourneyModel
from journeysim.sim.network import segment_hits
from journeysim.sim.stages import Stage


def fresh_model(network, size: int = 2_000) -> JourneyModel:
    """A two-stage market that has not stepped yet."""
    return JourneyModel(diffusion_spec(size=size, days=10, seed=3, advertising=0.0, network=network))


def make_adopters(model: JourneyModel, rows: np.ndarray, day: int = 0) -> None:
    """Mark ``rows`` as having adopted on ``day`` (so they talk from the next day)."""
    model.state.stage[rows] = Stage.CUSTOMER
    model.state.last_purchase[rows] = day
    model.state.talk[rows] = 1.0


# ---------------------------------------------------------------- the fast checks of the issue
def test_disk_drive_bass_curve_docks_with_the_closed_form() -> None:
    product, fraction = bass_products.simulate_product(("disk drive", 20_000, 5))
    row = bass_products.compare_product(product, fraction, 20_000)
    assert row["passed"], row


@pytest.mark.parametrize("transmissibility", [epidemic_threshold.BELOW])
def test_erdos_renyi_below_the_threshold_has_no_cascade(transmissibility: float) -> None:
    result = epidemic_threshold.simulate_point(("Erdős–Rényi", transmissibility, 1, 5_000))
    assert result["critical_transmissibility"] == pytest.approx(0.1, abs=0.01)
    assert result["final_share"] <= epidemic_threshold.NO_CASCADE * epidemic_threshold.SEED_SHARE, result


@pytest.mark.parametrize("transmissibility", [epidemic_threshold.ABOVE])
def test_erdos_renyi_above_the_threshold_cascades_to_the_percolation_size(transmissibility: float) -> None:
    result = epidemic_threshold.simulate_point(("Erdős–Rényi", transmissibility, 1, 5_000))
    assert result["final_share"] > 0.5
    assert result["final_share"] == pytest.approx(result["predicted_share"], abs=epidemic_threshold.ABOVE_TOLERANCE)


# ---------------------------------------------------------------- the cascade mode
def test_cascade_tells_each_neighbour_with_the_daily_probability() -> None:
    model = fresh_model(word_of_mouth("erdos_renyi", mode="cascade", transmission=0.3, mean_degree=10))
    talkers = np.arange(500)
    make_adopters(model, talkers)
    talk = model.word_of_mouth.talk(1)
    ties = int(model.graph.degree[talkers].sum())
    assert abs(talk.listeners.size - 0.3 * ties) <= 4 * np.sqrt(ties * 0.3 * 0.7)
    indptr, indices = model.graph.indptr, model.graph.indices
    for talker, listener in zip(talk.talkers[:200], talk.listeners[:200], strict=True):
        assert listener in indices[indptr[talker]:indptr[talker + 1]]
    assert len(set(zip(talk.talkers.tolist(), talk.listeners.tolist(), strict=True))) == talk.listeners.size


def test_cascade_talkers_fall_silent_after_talk_days() -> None:
    model = fresh_model(word_of_mouth("erdos_renyi", mode="cascade", transmission=1.0, talk_days=3,
                                      mean_degree=6))
    make_adopters(model, np.arange(50))
    heard = [model.word_of_mouth.talk(day).listeners.size for day in range(1, 6)]
    assert all(n > 0 for n in heard[:3]) and heard[3:] == [0, 0]


def test_fully_mixed_cascade_reaches_n_minus_1_times_the_probability() -> None:
    model = fresh_model(word_of_mouth(mode="cascade", transmission=0.01), size=4_000)
    make_adopters(model, np.arange(100))
    talk = model.word_of_mouth.talk(1)
    expected = 100 * 3_999 * 0.01
    assert abs(talk.listeners.size - expected) <= 4 * np.sqrt(expected)
    assert not np.any(talk.listeners == talk.talkers)


def test_personal_group_strong_ties_follow_the_goldenberg_probability() -> None:
    # m informed members in a group: each uninformed member hears with 1 - (1 - beta_s)^m
    beta_s, m = 0.2, 3
    model = fresh_model(word_of_mouth("groups", mode="cascade", transmission=beta_s, weak_transmission=0.0,
                                      group_size=10, weak_ties=5), size=5_000)
    groups = model.word_of_mouth.groups
    informed = np.concatenate([np.flatnonzero(groups == g)[:m] for g in range(groups.max() + 1)])
    make_adopters(model, informed)
    talk = model.word_of_mouth.talk(1)
    assert np.all(groups[talk.listeners] == groups[talk.talkers])
    uninformed = np.setdiff1d(np.arange(5_000), informed)
    share = np.isin(uninformed, talk.listeners).mean()
    expected = 1 - (1 - beta_s) ** m
    assert abs(share - expected) <= 4 * np.sqrt(expected * (1 - expected) / uninformed.size)


def test_personal_group_weak_contacts_are_outside_the_group() -> None:
    model = fresh_model(word_of_mouth("groups", mode="cascade", transmission=0.0, weak_transmission=1.0,
                                      group_size=10, weak_ties=4))
    talkers = np.arange(0, 2_000, 7)
    make_adopters(model, talkers)
    talk = model.word_of_mouth.talk(1)
    groups = model.word_of_mouth.groups
    assert talk.listeners.size == 4 * talkers.size
    assert np.all(groups[talk.listeners] != groups[talk.talkers])


def test_conversations_with_talk_days_1_are_held_the_day_after_buying_only() -> None:
    model = fresh_model(word_of_mouth(talk_rate=1.0, talk_days=1))
    talkers = np.arange(1_000)
    make_adopters(model, talkers, day=4)
    assert np.isin(model.word_of_mouth.talk(5).talkers, talkers).any()
    assert model.word_of_mouth.talk(6).talkers.size == 0


def test_segment_hits_are_independent_trials_inside_each_segment() -> None:
    rng = np.random.default_rng(1)
    start, length, prob = np.array([0, 500, 600]), np.array([400, 0, 300]), np.array([0.05, 0.9, 0.2])
    counts = np.zeros(900)
    for _ in range(400):
        who, position = segment_hits(start, length, prob, rng)
        assert np.all((position >= start[who]) & (position < start[who] + length[who]))
        np.add.at(counts, position, 1)
    assert counts[:400].mean() / 400 == pytest.approx(0.05, abs=0.005)
    assert counts[600:900].mean() / 400 == pytest.approx(0.2, abs=0.01)
    assert counts[400:600].sum() == 0


@pytest.mark.parametrize(("key", "value"), [("mode", "gossip"), ("transmission", 1.5), ("weak_transmission", -0.1)])
def test_bad_cascade_settings_name_the_key(key: str, value: object) -> None:
    cfg = {"type": "fully_mixed", "talk_rate": 0.05, "positive_kick": 0.6, "negative_kick": 0.6, key: value}
    with pytest.raises(ConfigError) as error:
        parse_network(cfg, 100)
    assert error.value.key == f"network.{key}"


# ---------------------------------------------------------------- analysis helpers
def test_standardised_regression_recovers_known_effects() -> None:
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({name: rng.choice(levels, 600) for name, levels in talk_of_the_network.DESIGN.items()})
    z = (frame - frame.mean()) / frame.std(ddof=0)
    frame["t50"] = 20 - 3 * z["alpha"] + 1.5 * z["w"] + rng.normal(0, 0.1, 600)
    effects = talk_of_the_network.standardised_regression(frame, "t50").set_index("parameter").effect
    assert effects["alpha"] == pytest.approx(-3, abs=0.05)
    assert effects["w"] == pytest.approx(1.5, abs=0.05)
    assert effects[["s", "beta_w", "beta_s"]].abs().max() < 0.05


def test_percolation_prediction_matches_the_erdos_renyi_giant_component() -> None:
    degree = np.random.default_rng(0).poisson(10, 1_000_000)
    assert epidemic_threshold.critical_transmissibility(degree) == pytest.approx(0.1, rel=0.01)
    # k T = 2: the giant outbreak S solves S = 1 - exp(-2 S)
    reach = epidemic_threshold.predicted_reach(degree, 0.2, seed_share=1e-9)
    assert reach == pytest.approx(0.7968, abs=0.002)
    assert epidemic_threshold.predicted_reach(degree, 0.05, seed_share=0.002) == pytest.approx(0.004, abs=0.0005)


def test_runner_exits_1_and_lists_a_failed_criterion(tmp_path, monkeypatch, capsys) -> None:
    def fake(out_dir, jobs, seed):
        return Outcome("fake", [Check("fake", "holds", True, "ok"), Check("fake", "breaks", False, "off by 2"),
                                Check("fake", "paper says", None, "not reproduced")])

    monkeypatch.setattr(run, "EXPERIMENTS", {"fake": fake})
    assert run.main(["--out", str(tmp_path), "--jobs", "1"]) == 1
    table = pd.read_csv(tmp_path / "checks.csv")
    assert list(table.status) == ["PASS", "FAIL", "REPORTED"]
    assert "SOME CRITERIA FAILED" in capsys.readouterr().out


def test_reported_findings_do_not_fail_an_experiment() -> None:
    outcome = Outcome("x", [Check("x", "criterion", True, ""), Check("x", "paper's claim", None, "differs")])
    assert outcome.passed


@pytest.mark.parametrize("overrides", [("network=cascade",), ("network=groups",),
                                       ("network=groups", "network.mode=cascade")])
def test_cascade_and_group_configs_spread_word_of_mouth_in_the_journey(overrides: tuple[str, ...]) -> None:
    from tests.conftest import run_model

    model = run_model(*overrides, "population.size=2000", "days=60", "outputs.event_log_sample=0")
    assert model.collector.daily["conversations_positive"].sum() > 0


def test_queue_check_fails_a_mean_wait_3_percent_off_erlang_c_even_when_seeds_disagree() -> None:
    expected = 1.0
    near = pd.Series([0.99, 1.01, 1.00, 1.02])
    off_but_noisy = pd.Series([0.90, 1.20, 0.95, 1.15])  # mean 1.05: within 3 SE, but 5% off
    off_and_tight = pd.Series([1.04, 1.041, 1.039, 1.04])  # 4% off, many SE away
    assert queues.agreement(near, expected)[0]
    assert not queues.agreement(off_but_noisy, expected)[0]
    assert not queues.agreement(off_and_tight, expected)[0]


def test_small_support_queue_run_reports_erlang_c_and_erlang_a_beside_the_desks_waits(monkeypatch) -> None:
    monkeypatch.setattr(queues, "CASES", (("M/M/2 at 0.6", 2, 0.6, float("inf"), 20_000),
                                          ("M/M/2+M at 1.2, 1 h patience", 2, 1.2, 1.0, 20_000)))
    table = queues.queue_table(seed=1, seeds=3)
    checks = queues.checks(table)
    assert [c.criterion.split(":")[1].strip().split(" matches")[0] for c in checks] == [
        "mean wait (h)", "share waiting", "mean wait (h)", "share abandoning"]
    patient = table[table.patience_hours == float("inf")]
    # M/M/2 at 0.6: C(2, 1.2) = 0.45, Wq = C / (2 mu - lambda) = 0.45 / 19.2 days = 0.5625 h
    assert patient.expected_share_waiting.iloc[0] == pytest.approx(0.45)
    assert patient.expected_mean_wait_hours.iloc[0] == pytest.approx(0.5625)
    assert patient.mean_wait_hours.mean() == pytest.approx(0.5625, rel=0.15)
    impatient = table[table.patience_hours == 1.0]
    assert impatient.share_abandoned.mean() == pytest.approx(impatient.expected_share_abandoned.iloc[0], rel=0.1)


def test_recovery_check_fails_a_truth_outside_its_interval_and_an_interval_as_wide_as_its_prior() -> None:
    from journeysim.experiments.validation import calibration_recovery

    fitted = pd.DataFrame({
        "parameter": ["market.checkout_friction", "network.positive_kick",
                      "population.personas.impulse_buyer.interest_decay"],
        "truth": [0.2, 0.9, 0.06], "median": [0.25, 0.8, 0.06], "low": [0.21, 0.1, 0.02], "high": [0.4, 1.5, 0.3],
        "prior_low": [0.05, 0.1, 0.02], "prior_high": [0.6, 1.5, 0.3], "covered": [False, True, True]})
    table = calibration_recovery.described(fitted)
    status = {c.criterion: c.passed for c in calibration_recovery.checks(table)}
    assert not status["market.checkout_friction: the true value is inside the 95% interval"]
    assert status["market.checkout_friction: the interval is narrower than the prior"]
    assert not status["network.positive_kick: the interval is narrower than the prior"]  # the whole prior
    assert not status["population.personas.impulse_buyer.interest_decay: the interval is narrower than the prior "
                      "(log scale)"]
    assert table.log_prior.tolist() == [False, False, True]
    assert table.truth_scaled.iloc[2] == pytest.approx(np.log10(3) / np.log10(15))  # 0.06 on the log range 0.02..0.3


def test_interference_check_fails_a_budget_split_test_off_its_truth_and_wants_the_one_budget_bias() -> None:
    import pandas as pd

    from journeysim.experiments.validation.lift_interference import CHANNELS, checks

    def table(split_excess: float, shared_excess: float) -> pd.DataFrame:
        noise = [-0.05, 0.0, 0.05, -0.02, 0.02]
        rows = [{"design": design, "channel": channel, "seed": seed, "test_roas": 0.4 + excess + e,
                 "true_roas": 0.4, "excess": excess + e}
                for design, excess in (("one budget", shared_excess), ("budget split", split_excess))
                for channel in CHANNELS for seed, e in enumerate(noise)]
        return pd.DataFrame(rows)

    def verdicts(t: pd.DataFrame) -> list[bool | None]:
        return [c.passed for c in checks(t)]

    assert all(v is not False for v in verdicts(table(split_excess=0.0, shared_excess=0.3)))
    assert verdicts(table(split_excess=0.3, shared_excess=0.3)).count(False) == 2  # each channel's split test
    assert False in verdicts(table(split_excess=0.0, shared_excess=0.0))  # no bias to show
