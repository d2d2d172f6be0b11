"""The statistical-equivalence check for changes that reorder random draws (benchmarks/equivalence.py)."""

from __future__ import annotations

import numpy as np

from benchmarks import equivalence

SEEDS = 30


def _recorded(values: np.ndarray) -> dict[str, dict[str, list[float]]]:
    return {"market": {"kpi": values.tolist(), "constant": [5.0] * values.size}}


def _paired_runs(shift: float = 0.0, spread: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """A KPI over seeds before and after: a part of each seed's draws common to both (streams not
    touched by the change), a part drawn afresh, and the change's ``shift`` of the mean and factor
    on the fresh part's ``spread``."""
    rng = np.random.default_rng(7)
    common = rng.normal(1_000.0, 50.0, SEEDS)
    return common + rng.normal(0, 10, SEEDS), common + shift + spread * rng.normal(0, 10, SEEDS)


def test_draws_reordered_without_changing_the_law_are_the_same() -> None:
    before, after = _paired_runs()
    differences = equivalence.compare(_recorded(before), _recorded(after))
    assert not any(d.differs for d in differences)


def test_a_one_percent_shift_of_a_mean_is_found_though_seeds_vary_by_five() -> None:
    """Paired seeds share their untouched streams, so a shift far below the seeds' spread is seen."""
    before, after = _paired_runs(shift=10.0)
    kpi = {d.kpi: d for d in equivalence.compare(_recorded(before), _recorded(after))}
    assert kpi["kpi"].differs and kpi["kpi"].relative > 0.005
    assert not kpi["constant"].differs


def test_a_changed_spread_is_found() -> None:
    before, after = _paired_runs(spread=30.0)
    kpi = {d.kpi: d for d in equivalence.compare(_recorded(before), _recorded(after))}
    assert kpi["kpi"].differs and kpi["kpi"].adjusted_spread < equivalence.ALPHA


def test_a_summarys_numeric_leaves_numpy_numbers_included_are_its_kpis() -> None:
    from journeysim.experiments.keys import flat_numbers

    flat = flat_numbers({"orders": np.int64(3), "stages": {"aware": 10, "customer": np.float32(2)}, "name": "x",
                         "nps": float("nan"), "checked": True})
    assert flat.keys() == {"orders", "stages.aware", "stages.customer", "nps"}


def test_a_price_rise_is_found_in_real_runs_and_other_seeds_are_not() -> None:
    """Real runs: seeds 7-12 against seeds 1-6 of the same market are the same in law; a list price half
    as high again is not (a third higher, revenue -25%, sat at the false-discovery line)."""
    small = ("population.size=1000", "days=80")
    recorded = equivalence.record(12, 1, {"baseline": small})["baseline"]
    first, later = ({kpi: values[seeds] for kpi, values in recorded.items()} for seeds in (slice(6), slice(6, 12)))
    dearer = equivalence.record(6, 1, {"baseline": (*small, "market.price=90")})["baseline"]
    same = equivalence.compare({"baseline": first}, {"baseline": later})
    assert not any(d.differs for d in same)
    rise = equivalence.compare({"baseline": first}, {"baseline": dearer})
    assert {d.kpi for d in rise if d.differs} >= {"acquisitions", "revenue"}


def test_a_kpi_some_seeds_lack_is_nan_there_so_the_seeds_still_pair(monkeypatch) -> None:
    """A source no one came from in some run has no lifetime value there: its values must stay in
    seed order, or the paired test would pair one seed's run with another's."""
    def kpis_of(case):
        _, seed = case
        return {"orders": float(seed), **({"from_email": 10.0 * seed} if seed == 2 else {})}

    monkeypatch.setattr(equivalence, "market_kpis", kpis_of)
    recorded = equivalence.record(3, 1, {"market": ()})["market"]
    assert recorded["orders"] == [1.0, 2.0, 3.0]
    assert np.array_equal(recorded["from_email"], [np.nan, 20.0, np.nan], equal_nan=True)
