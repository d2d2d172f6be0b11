"""Devices: the mobile gap of the default mix, responsive design, cross-device journeys, bad values."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from journeysim.experiments.intervals import paired_difference
from journeysim.runner import build_model
from journeysim.sim import devices
from journeysim.sim.errors import ConfigError
from tests.conftest import make_spec

SMALL = ("population.size=2000", "days=200", "outputs.event_log_sample=0")
SEEDS = (1, 2, 3, 4)


def run(*overrides: str):
    return build_model(make_spec(*SMALL, *overrides)).run()


def device_summary(model) -> dict:
    return devices.summary(model.collector, model.day)


def test_default_mix_puts_mobiles_order_share_12_to_21_points_below_its_traffic_share_within_5() -> None:
    out = device_summary(run("seed=3"))
    assert 12 - 5 <= out["mobile_share_gap_points"] <= 21 + 5, out  # EVIDENCE §5
    assert 2.0 <= out["desktop_vs_mobile_conversion"] <= 3.0, out
    assert out["mobile"]["traffic_share"] == pytest.approx(0.60, abs=0.03)


def test_device_success_keeps_the_session_weighted_mean_of_checkout_success() -> None:
    model = build_model(make_spec("population.size=500", "days=1"))
    d = model.devices
    assert float(d.mix @ d.base_success) == pytest.approx(1.0)
    assert d.base_success[1] / d.base_success[0] == pytest.approx(1.55 / 0.65)


def test_without_a_device_gap_the_device_draws_change_no_other_phase() -> None:
    same = ("market.devices.conversion.mobile=1", "market.devices.conversion.desktop=1",
            "market.devices.conversion.tablet=1", "seed=2", "days=120")
    a, b = run(*same, "market.devices.switch=0"), run(*same, "market.devices.switch=0.6")
    for name in ("orders", "acquisitions", "abandoned", "revenue"):
        assert np.array_equal(a.collector.daily[name], b.collector.daily[name]), name
    assert device_summary(a)["cross_device_orders"] == 0 < device_summary(b)["cross_device_orders"]


def test_a_persona_on_one_device_has_every_session_and_order_there() -> None:
    model = run("+population.personas.deal_seeker.devices={desktop: 1}", "population.personas.researcher.share=0",
                "population.personas.loyalist.share=0", "population.personas.impulse_buyer.share=0",
                "population.personas.deal_seeker.share=1", "days=60")
    out = device_summary(model)
    assert out["desktop"]["sessions"] > 0 and out["mobile"]["sessions"] == out["tablet"]["sessions"] == 0
    assert out["desktop"]["order_share"] == 1.0


def test_responsive_design_narrows_the_mobile_gap_and_raises_orders_in_paired_seeds() -> None:
    small = ("population.size=1500", "days=150", "outputs.event_log_sample=0")
    base, responsive = make_spec(*small), make_spec(*small, "scenario=responsive_design")
    runs = {name: {seed: build_model(dataclasses.replace(spec, seed=seed)).run() for seed in SEEDS}
            for name, spec in (("base", base), ("responsive", responsive))}
    orders = {name: {s: float(m.collector.daily["orders"].sum()) for s, m in by.items()} for name, by in runs.items()}
    gap = {name: {s: device_summary(m)["mobile_share_gap_points"] for s, m in by.items()} for name, by in runs.items()}
    more = paired_difference(orders["responsive"], orders["base"])
    narrower = paired_difference(gap["responsive"], gap["base"])
    assert more.low > 0, more
    assert narrower.high < 0, narrower


@pytest.mark.parametrize(("override", "key"), [
    ("market.devices.shares={mobile: 0, desktop: 0, tablet: 0}", "market.devices.shares"),
    ("+market.devices.shares.phone=1", "market.devices.shares.phone"),
    ("market.devices.conversion.mobile=0", "market.devices.conversion.mobile"),
    ("market.devices.switch=1.5", "market.devices.switch"),
])
def test_bad_device_values_name_the_key_and_what_is_allowed(override: str, key: str) -> None:
    with pytest.raises(ConfigError) as error:
        make_spec(override)
    assert key in str(error.value) and "allowed" in str(error.value).lower()


@pytest.mark.parametrize("friction", [0.1, 0.3, 0.7])
def test_any_configured_friction_is_the_mean_abandonment_of_checkout_attempts_under_the_device_gap(friction) -> None:
    models = [run(f"market.checkout_friction={friction}", f"seed={seed}", "days=150") for seed in (5, 6, 7)]
    abandoned, attempts = (sum(m.collector.daily[key].sum() for m in models)
                           for key in ("abandoned", "checkout_attempts"))
    assert abandoned / attempts == pytest.approx(friction, abs=0.03)  # about 3,500 attempts: 0.03 is 4 sd
    model = models[0]
    d = model.devices
    success = 1.0 - devices_abandonment(d, friction)
    assert float(d.mix @ success) == pytest.approx(1.0 - friction)
    assert (success < 1.0).all() and success[1] > success[0]  # desktop converts better, never surely


def devices_abandonment(d, friction: float) -> np.ndarray:
    """Abandonment probability of an attempt on each device at checkout friction ``friction``."""
    from journeysim.sim.mixes import scale_success

    return 1.0 - scale_success(1.0 - friction, d.odds)


def test_a_lower_friction_lowers_abandonment_on_every_device() -> None:
    d = build_model(make_spec("population.size=500", "days=1")).devices
    assert (devices_abandonment(d, 0.1) < devices_abandonment(d, 0.3)).all()
    assert (devices_abandonment(d, 0.1) > 0).all()
