"""The truth in MMM terms: pulse counterfactuals, ROAS over horizons after the spend, response curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_spec

from journeysim.experiments.truth import Variant, run_variant
from journeysim.experiments.truth.horizons import horizon_table, pulse_table, pulse_weeks, response_table
from journeysim.experiments.truth.ledger import SERIES


def test_one_week_pulse_shows_its_increment_from_its_week_onward_and_none_before_it():
    spec = make_spec("scenario=attribution_lab", "population.size=1500", "days=70")
    k = spec.channel_names.index("display")  # display runs 4 weeks on, 2 off: week 3 (days 15-21) is on
    factual, pulse = run_variant(spec, Variant("all")), run_variant(spec, Variant("pulse", "display", week=3))
    start, stop = 14, 21  # day indexes of week 3
    on, off = factual["series"], pulse["series"]
    for name in SERIES:
        assert np.array_equal(on[name][:start], off[name][:start]), name  # nothing before the pulse's week
    assert np.array_equal(on["spend"][:start, k], off["spend"][:start])
    assert on["spend"][start:stop, k].sum() > 0 and off["spend"][start:stop].sum() == 0  # the week's spend removed
    assert not np.array_equal(on["revenue"][start:], off["revenue"][start:])  # its increment, from its week on
    rows = pulse_table([factual, pulse], spec.channel_names, horizons=(1, 4, 52))
    assert (rows["before"] == 0).all() and (rows["week"] == 3).all() and (rows["day"] == 15).all()
    four = rows.set_index("horizon_weeks").loc[4, "incremental_revenue"]
    assert four == pytest.approx(float((on["revenue"] - off["revenue"])[start:start + 28].sum()))
    assert np.isnan(rows.set_index("horizon_weeks").loc[52, "incremental_revenue"])  # past the end of the run


def test_pulse_weeks_are_drawn_per_year_among_weeks_with_spend_independently_per_channel():
    days = 3 * 364 + 10  # 157 full weeks; 154 leave 4 weeks to the end: years of 52, 52 and 50 weeks
    plan = np.zeros((days, 3))
    plan[:, 0] = 10.0  # always on
    plan[(np.arange(days) // 7) % 2 == 1, 1] = 5.0  # every other week
    plan[7:14, 2] = plan[399:406, 2] = 3.0  # two weeks only: weeks 2 and 58
    names = ("a", "b", "c")
    weeks = pulse_weeks(plan, names, names, per_year=3, seed=4, shortest=4)
    assert len(weeks["a"]) == len(weeks["b"]) == 3 * 3
    assert all(w % 2 == 0 for w in weeks["b"])  # 1-based week w has spend when w - 1 is odd
    assert weeks["c"] == [2, 58]
    assert max(weeks["a"]) <= 154  # leaves the shortest horizon to the end of the run
    assert len(pulse_weeks(plan[:400], names, names, per_year=3, seed=4)["a"]) == 3 + 1  # 52 weeks, then 2: 1 of 3
    for year in range(3):
        assert sum(1 for w in weeks["a"] if year * 52 < w <= (year + 1) * 52) == 3
    assert pulse_weeks(plan, ["b"], names, per_year=3, seed=4)["b"] == weeks["b"]  # other channels move nothing
    assert pulse_weeks(plan, ["b"], names, per_year=3, seed=5)["b"] != weeks["b"]
    assert pulse_weeks(plan, names, names, per_year=0, seed=4) == {"a": [], "b": [], "c": []}


def test_horizon_roas_pools_each_seeds_pulses_then_averages_over_seeds():
    rows = [  # seed, week, spend removed, revenue, first-order revenue, first orders over the horizon
        (0, 3, 100.0, 300.0, 200.0, 4), (0, 9, 300.0, 500.0, 100.0, 1),
        (1, 3, 100.0, 100.0, 100.0, 2), (1, 9, 300.0, 300.0, 300.0, 3),
    ]
    pulses = pd.DataFrame([{"seed": s, "channel": "tv", "week": w, "day": 7 * w - 6, "spend": sp, "horizon_weeks": 4,
                            "incremental_revenue": r, "incremental_first_order_revenue": f,
                            "incremental_first_orders": n, "before": 0.0} for s, w, sp, r, f, n in rows])
    row = horizon_table(pulses).iloc[0]
    assert row["roas"] == pytest.approx((800 / 400 + 400 / 400) / 2)
    assert row["first_order_roas"] == pytest.approx((300 / 400 + 400 / 400) / 2)
    assert row["cost_per_acquisition"] == pytest.approx((400 / 5 + 400 / 5) / 2)
    assert row["pulses"] == 2 and row["seeds"] == 2 and row["spend"] == 200.0
    assert row["roas_low"] < row["roas"] < row["roas_high"]


def test_response_curve_puts_each_budget_factor_against_the_channel_off():
    def run(seed, variant, revenue, spend, channel=None, factor=None):
        return {"seed": seed, "variant": variant, "channel": channel, "factor": factor, "revenue": revenue,
                "channel_spend": np.array([spend, 7.0])}

    outputs = [run(0, "all", 1000.0, 100.0), run(1, "all", 1100.0, 100.0),
               run(0, "off", 600.0, 0.0, "a", 0.0), run(1, "off", 650.0, 0.0, "a", 0.0),
               run(0, "scale", 1300.0, 200.0, "a", 2.0), run(1, "scale", 1350.0, 200.0, "a", 2.0),
               run(0, "up", 1040.0, 110.0, "a", 1.1), run(1, "up", 1140.0, 110.0, "a", 1.1)]
    curve = response_table(outputs, ["a"], ["a", "b"]).set_index("factor")
    assert list(curve.index) == [0.0, 1.0, 1.1, 2.0]
    assert curve.loc[1.0, "incremental_revenue"] == pytest.approx((400 + 450) / 2)
    assert curve.loc[2.0, "incremental_revenue"] == pytest.approx(700)
    assert curve.loc[2.0, "roas"] == pytest.approx(700 / 200) and curve.loc[1.1, "spend"] == 110.0
    assert curve.loc[0.0, "incremental_revenue"] == 0 and np.isnan(curve.loc[0.0, "roas"])
