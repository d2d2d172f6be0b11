"""Property-based tests over generated configs.

Valid configs: no NaN or negative counts, customers conserved, spend within budget, every
output written. Invalid configs: always a ConfigError naming the bad key, never another
exception. CSV files: the fast reader accepts exactly what the careful line-by-line one does.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from journeysim.api import compose_config
from journeysim.outputs import read_status
from journeysim.runner import run
from journeysim.scenarios.spec import parse_config
from journeysim.sim.collectors import DAILY_KPIS
from journeysim.sim.config import NETWORK_TYPES, to_container
from journeysim.sim.errors import ConfigError
from journeysim.sim.stages import STAGE_NAMES
from journeysim.sim.validate import Column, CsvTable, read_csv_table

RUNS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LEVELS = ("nps", "review_score", "mean_wait_days", "p95_wait_days", "utilisation", "mean_delivery_days")
"""Daily KPIs that are levels or ratios: NaN is allowed where they are undefined (no respondents, no tickets)."""
SIGNED = ("revenue", "margin")
"""Daily money flows that refunds can make negative."""
COUNTS = tuple(name for name in DAILY_KPIS if name not in LEVELS + SIGNED)


@functools.cache
def base_config() -> dict[str, Any]:
    """The default resolved config as a plain dict (composed once)."""
    return to_container(compose_config(overrides=["outputs.progress=false", "outputs.figures=false"]))


# --------------------------------------------------------------------------- valid configs
shares = st.lists(st.integers(0, 20), min_size=4, max_size=4).filter(lambda w: sum(w) > 0)
unit = st.floats(0.0, 1.0)


@st.composite
def valid_configs(draw) -> dict[str, Any]:
    """A valid resolved config: small population, short horizon, any network and market."""
    cfg = copy.deepcopy(base_config())
    size = draw(st.integers(200, 1500))
    cfg.update(seed=draw(st.integers(0, 2**31)), days=draw(st.integers(5, 40)))
    population = cfg["population"]
    population.update(size=size, heterogeneity=draw(st.one_of(st.just(0.0), st.floats(1e-6, 1.0))))
    weights = draw(shares)
    for persona, weight in zip(population["personas"].values(), weights, strict=True):
        persona["share"] = weight / sum(weights)
    for channel in cfg["channels"].values():
        channel["daily_budget"] = channel["daily_budget"] * draw(st.sampled_from([0.0, 0.5, 1.0, 3.0]))
        channel["carryover"] = draw(unit)
        channel["saturation"] = {"shape": draw(st.sampled_from(["exponential", "hill", "linear"])),
                                 "scale": draw(st.floats(0.2, 5.0))}
    cfg["network"].update(draw(networks(size)))
    price = draw(st.floats(0.0, 200.0))
    cfg["market"].update(price=price, unit_cost=draw(st.floats(0.0, 1.0)) * price, quality=draw(unit),
                         checkout_friction=draw(unit), discount=draw(unit), fallback=draw(unit),
                         thresholds={step: draw(st.sampled_from([0.0, 0.05, 0.5, 1.0, 3.0]))
                                     for step in ("aware", "considering", "deciding", "purchase")})
    cfg["market"]["demand"].update(entry_rate=draw(st.sampled_from([0.0, 0.5, 4.0])),  # closed, open, churning
                                   exit_rate=draw(st.sampled_from([0.0, 0.5, 4.0])))
    cfg["service"]["enabled"] = draw(st.booleans())
    cfg["service"]["staff_schedule"] = [{"from_day": 0, "staff": draw(st.integers(0, 4))}]
    cfg["outputs"].update(event_log_sample=draw(st.integers(0, 2000)),
                          mesa_agents=draw(st.sampled_from(["lazy", "eager", "auto"])))
    if draw(st.integers(0, 5)) == 0:
        cfg["scenario"] = {"name": "bass", "kind": "bass", "p": draw(st.floats(0.001, 0.2)),
                           "q": draw(st.floats(0.0, 1.0))}
    return cfg


@st.composite
def networks(draw, size: int) -> dict[str, Any]:
    """Word-of-mouth settings possible for ``size`` customers."""
    kind = draw(st.sampled_from([t for t in NETWORK_TYPES if t != "edge_list"]))
    degree = float(2 * draw(st.integers(1, 5))) if kind == "watts_strogatz" else draw(st.floats(2.0, 10.0))
    return {"type": kind, "mean_degree": degree, "talk_rate": draw(st.floats(0.0, 0.3)),
            "positive_kick": draw(st.floats(0.0, 2.0)), "negative_kick": draw(st.floats(0.0, 2.0)),
            "group_size": draw(st.integers(1, 20)), "rewiring": draw(unit), "homophily": draw(unit)}


@RUNS
@given(cfg=valid_configs())
def test_valid_configs_run_with_conserved_customers_clean_counts_and_complete_outputs(cfg) -> None:
    spec = parse_config(cfg)
    with tempfile.TemporaryDirectory() as folder:
        outcome = run(spec, Path(folder) / "run")
        check_outputs_complete(outcome.run_dir, spec.days)
    model, c = outcome.model, outcome.model.collector
    n, days, state = spec.population.size, spec.days, model.state
    people = n + np.concatenate([[0], np.cumsum(c.daily["entrants"] - c.daily["leavers"])])  # open population
    assert (c.stage_counts[: days + 1].sum(axis=1) == people).all()
    in_market = state.stage[state.present]
    assert (np.bincount(in_market, minlength=len(STAGE_NAMES)) == c.stage_counts[days]).all()
    net = c.flows.sum(axis=1) - c.flows.sum(axis=2)  # in minus out, per day and stage
    net[:, 0] += c.daily["entrants"].astype(np.int64)  # entrants arrive unaware
    assert (c.stage_counts[1:] - c.stage_counts[:-1] == net - c.departures).all()
    for name in ("stage_counts", "flows", "impressions", "reach", "acquisitions_by_source"):
        assert (getattr(c, name) >= 0).all(), name
    for name in COUNTS + SIGNED:
        assert np.isfinite(c.daily[name]).all(), name
    for name in COUNTS:
        assert (c.daily[name] >= 0).all(), name
    for name in LEVELS:
        assert not np.isinf(c.daily[name]).any(), name
    check_spend_within_budget(model)
    check_state_is_clean(model)


def check_spend_within_budget(model) -> None:
    """Daily spend never exceeds the day's budget by more than one impression's cost (the
    stochastic rounding of impressions), and never goes negative."""
    spend = model.collector.spend
    budget = model.controls.budgets * model.spec.population.scale
    one_impression = np.array([c.cpm for c in model.spec.channels]) / 1000.0
    assert (spend >= 0).all()
    assert (spend <= budget + one_impression + 1e-9).all()


def check_state_is_clean(model) -> None:
    s = model.state
    assert np.isfinite(s.interest).all()
    assert ((s.satisfaction >= -1) & (s.satisfaction <= 1)).all()
    assert (s.purchases >= 0).all() and (s.purchases.sum() == model.collector.daily["orders"].sum())


def check_outputs_complete(run_dir: Path, days: int) -> None:
    """Every table and the summary are there and whole; no temporary file is left."""
    assert read_status(run_dir) == "complete"
    assert not list(run_dir.glob("*.tmp")) and not list(run_dir.glob(".*.tmp"))
    daily = pd.read_csv(run_dir / "daily.csv")
    assert len(daily) == days and list(daily["day"]) == list(range(1, days + 1))
    for name in ("flows", "channels", "events"):
        pd.read_csv(run_dir / f"{name}.csv")
    summary = json.loads((run_dir / "summary.json").read_text())
    kpis = summary["kpis"]
    assert kpis["days"] == days
    reasons = kpis["not_applicable"]  # NaN (null) only where undefined or meaningless, always with the reason
    assert all((kpis[key] is None) == (key in reasons) for key in ("cac", "roas", "nps", "revenue", "spend"))
    if "spend" not in reasons:  # a market with real media costs
        assert ("cac" in reasons) == (kpis["acquisitions"] == 0) and ("roas" in reasons) == (kpis["spend"] == 0)


# --------------------------------------------------------------------------- invalid configs
PROBABILITIES = (
    ("market", "checkout_friction"), ("market", "discount"), ("market", "quality"), ("market", "fallback"),
    ("channels", "search", "carryover"), ("channels", "tv", "carryover"), ("network", "rewiring"),
    ("network", "homophily"), ("population", "personas", "loyalist", "share"),
    ("population", "personas", "researcher", "interest_decay"), ("service", "ticket_probability"),
    ("service", "return_probability"),
)
NON_NEGATIVE = (
    ("channels", "search", "daily_budget"), ("channels", "email", "effect", "lapsed"), ("market", "price"),
    ("market", "unit_cost"), ("market", "thresholds", "deciding"), ("market", "winback"),
    ("population", "personas", "deal_seeker", "affinity", "promotions"),
    ("population", "personas", "impulse_buyer", "advocacy"), ("network", "positive_kick"),
    ("network", "talk_rate"), ("service", "delivery_days_mean"), ("service", "staff_schedule", 0, "staff"),
    ("service", "delivery_penalty", "max"), ("outputs", "event_log_sample"),
)
AT_LEAST_ONE = (("population", "size"), ("days",), ("market", "loyal_after"))
POSITIVE = (("channels", "display", "cpm"), ("channels", "social", "saturation", "scale"),
            ("service", "handle_time_hours"))


def dotted(path: tuple) -> str:
    """``('service', 'staff_schedule', 0, 'staff')`` -> ``service.staff_schedule[0].staff``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def leaves(node: Any, path: tuple = ()) -> list[tuple]:
    """Paths of the numeric and true/false leaves of a config (scenario excluded)."""
    if isinstance(node, dict):
        return [p for k, v in node.items() if path or k != "scenario" for p in leaves(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in leaves(v, (*path, i))]
    return [path] if isinstance(node, int | float) else []


def sections(node: Any, path: tuple = ()) -> list[tuple]:
    """Paths of the mappings whose keys are fixed names (not personas or channels themselves)."""
    if not isinstance(node, dict):
        return [p for i, v in enumerate(node) for p in sections(v, (*path, i))] if isinstance(node, list) else []
    own = [] if path in (("scenario",), ("population", "personas"), ("channels",)) else [path]
    return own + [p for k, v in node.items() for p in sections(v, (*path, k))]


def put(cfg: dict, path: tuple, value: Any) -> None:
    node = cfg
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


@st.composite
def invalid_configs(draw) -> tuple[dict[str, Any], str]:
    """A valid config with one bad value, and the key the error must name."""
    cfg = copy.deepcopy(base_config())
    cfg.update(days=10)
    cfg["population"]["size"] = 1000
    family = draw(st.sampled_from(["text", "non_finite", "range", "typo", "shares", "container", "degree"]))
    event(family)
    if family == "text":
        path = draw(st.sampled_from(leaves(cfg)))
        put(cfg, path, draw(st.sampled_from(["oops", "1,5", "", "yes"])))
    elif family == "non_finite":
        infinite_allowed = (("service", "fulfilment_capacity"), ("market", "winback"))  # .inf means "never"
        path = draw(st.sampled_from([p for p in leaves(cfg) if p not in infinite_allowed
                                     and not isinstance(get(cfg, p), bool)]))
        put(cfg, path, draw(st.sampled_from([math.inf, -math.inf, math.nan])))
    elif family == "range":
        path, bad = draw(out_of_range())
        put(cfg, path, bad)
    elif family == "typo":
        path, typo = draw(typos(cfg))
        put(cfg, (*path, typo), 1)
        path = (*path, typo)
    elif family == "shares":
        path = ("population", "personas", "*", "share")
        share = cfg["population"]["personas"]["researcher"]["share"]
        put(cfg, ("population", "personas", "researcher", "share"),
            share + draw(st.sampled_from([-1, 1])) * draw(st.floats(1e-5, 0.2)))
    elif family == "container":
        path = draw(st.sampled_from([p for p in sections(cfg) if p and p != ("hydra",)]))
        put(cfg, path, draw(st.sampled_from([[1, 2], 3.5, "text"])))
    else:
        path = ("network", "mean_degree")
        cfg["network"]["type"] = draw(st.sampled_from(["erdos_renyi", "barabasi_albert", "watts_strogatz"]))
        cfg["network"]["mean_degree"] = draw(st.sampled_from([1000, 5000, 1e9]))
    return cfg, dotted(path)


def get(cfg: dict, path: tuple) -> Any:
    for key in path:
        cfg = cfg[key]
    return cfg


@st.composite
def out_of_range(draw) -> tuple[tuple, float]:
    kind = draw(st.sampled_from(["probability", "non_negative", "at_least_one", "positive"]))
    if kind == "probability":
        return draw(st.sampled_from(PROBABILITIES)), draw(st.one_of(st.floats(1.0001, 100), st.floats(-100, -1e-6)))
    if kind == "non_negative":
        return draw(st.sampled_from(NON_NEGATIVE)), draw(st.floats(-1e6, -1e-6))
    if kind == "at_least_one":
        return draw(st.sampled_from(AT_LEAST_ONE)), draw(st.integers(-10**6, 0))
    return draw(st.sampled_from(POSITIVE)), draw(st.floats(-100, 0))


@st.composite
def typos(draw, cfg: dict) -> tuple[tuple, str]:
    """A section and a misspelling of one of its keys that is no key of that section."""
    path = draw(st.sampled_from([p for p in sections(cfg) if p != ("hydra",)]))
    section = get(cfg, path)
    assume(section)
    key = draw(st.sampled_from(sorted(section)))
    i = draw(st.integers(0, len(key) - 1))
    typo = draw(st.sampled_from([key[:i] + key[i + 1:], key[:i] + "x" + key[i:], key + "_"]))
    assume(typo and typo not in section and typo not in STAGE_NAMES and typo not in cfg["channels"])
    return path, typo


@settings(max_examples=120, deadline=None)
@given(case=invalid_configs())
def test_invalid_configs_always_get_a_config_error_naming_the_key(case) -> None:
    cfg, key = case
    with pytest.raises(ConfigError) as error:
        parse_config(cfg)
    named = error.value.key
    assert named == key or named.startswith(f"{key}.") or named.startswith(f"{key}["), (named, key, error.value)
    assert str(error.value).count("\n") == 0


# --------------------------------------------------------------------------- CSV reader
fields = st.one_of(st.integers(-2, 12).map(str), st.sampled_from(["2.5", "1e1", " 3", "x", "", "nan", "inf", '"4"']))
lines = st.one_of(
    st.lists(fields, min_size=1, max_size=4).map(",".join),
    st.sampled_from(["source,target", "target,source", "source,targt", "# comment", "", "   "]),
)


@st.composite
def csv_texts(draw) -> str:
    """CSV text: mostly rows of two small numbers, with headers, comments and bad fields mixed in."""
    good = st.tuples(st.integers(0, 10), st.integers(-5, 100)).map(lambda r: f"{r[0]},{r[1]}")
    harmless = st.sampled_from(["# comment", "", "  ", "3,4 # trailing note", " 5 , 6 "])
    rows = draw(st.lists(st.one_of(good, good, harmless, lines) if draw(st.booleans()) else st.one_of(good, harmless),
                         max_size=12))
    header = draw(st.sampled_from([[], [], ["source,target"], ["target,source"], ["# edges", "source, target"]]))
    return "\n".join(header + rows) + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=150, deadline=None)
@given(text=csv_texts(), header=st.sampled_from(["optional", "none", "required"]),
       extra=st.booleans())
def test_fast_csv_reading_agrees_with_the_careful_reader(text, header, extra) -> None:
    columns = (Column("source", "int", 0, 10), Column("target", "float", -5, 100))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_text(text)
        table = CsvTable(path, columns, "k", header, extra)
        careful, fast = outcome(table.careful_read), outcome(table.fast_read)
        result = outcome(lambda: read_csv_table(path, columns, key="k", header=header, allow_extra=extra))
    event("rejected" if careful is None else "fast path" if fast is not None else "careful path")
    assert (result is None) == (careful is None)
    if careful is None:
        assert fast is None
        return
    for name in ("source", "target"):
        assert result[name].tolist() == careful[name].tolist()
        assert result[name].dtype == careful[name].dtype
        if fast is not None:
            assert fast[name].tolist() == careful[name].tolist()


def outcome(read) -> dict | None:
    """What a reader returns, None if it raised a ConfigError."""
    try:
        return read()
    except ConfigError:
        return None
