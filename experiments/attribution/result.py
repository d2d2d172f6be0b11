"""Attribution against the truth: credit shares, error scores and the evaluation over seeds.

Credit shares are compared over the paid channels of the truth (word of mouth and ``direct``
are set aside: no budget decision hangs on them and the truth has no switch for them), with an
error score per method: the sum over channels of |credit share - true incremental share|.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from journeysim.experiments.attribution.models import attribute
from journeysim.experiments.intervals import LEVEL, mean_interval
from journeysim.sim.errors import ConfigError


def credit_shares(credits: pd.DataFrame, channels: Sequence[str]) -> pd.DataFrame:
    """Each method's credit as shares over ``channels`` (others set aside; rows sum to 1)."""
    subset = credits.reindex(columns=list(channels), fill_value=0.0)
    totals = subset.sum(axis=1)
    return subset.div(totals.where(totals > 0), axis=0)


def error_scores(shares: pd.DataFrame, truth: pd.Series) -> pd.Series:
    """Sum over channels of |credit share - true share|, per method (0 = perfect, 2 = worst).

    A method blind to a channel (broadcast TV never appears in a path) scores at least twice
    that channel's true share.
    """
    return (shares - truth.reindex(shares.columns)).abs().sum(axis=1)


def visible_error_scores(credits: pd.DataFrame, truth: pd.Series) -> pd.Series:
    """:func:`error_scores` over the paid channels that appear in the journeys, with the truth
    renormalised over them: how well a method splits the credit it can see."""
    visible = [c for c in truth.index if c in credits.columns and credits[c].sum() > 0]
    seen = truth[visible]
    return error_scores(credit_shares(credits, visible), seen / seen.sum())


@dataclass
class AttributionResult:
    """Attribution methods against the truth of one scenario.

    Attributes
    ----------
    table : DataFrame
        One row per method and channel: ``credit`` (conversions, mean over seeds), ``share``
        (credit share over the paid channels) and ``true_share`` (incremental share, with
        ``true_share_low``/``_high``); ``truth`` rows hold the truth itself.
    errors : DataFrame
        One row per method: ``error`` (sum of absolute share errors, mean over seeds) with
        ``error_low`` and ``error_high``; ``visible_error`` (the same over the channels the
        journeys show, truth renormalised over them) with its bounds; sorted best first.
    truth : TruthResult
        The counterfactual runs behind the truth.
    """

    table: pd.DataFrame
    errors: pd.DataFrame
    truth: Any
    credits: dict[int, pd.DataFrame] = field(default_factory=dict)

    def shares(self) -> pd.DataFrame:
        """Credit shares as a method x channel table, the truth first."""
        wide = self.table.pivot(index="method", columns="channel", values="share")
        order = ["truth", *self.errors["method"]]
        return wide.reindex(index=order, columns=list(self.truth.table["channel"]))

    def markdown(self) -> str:
        """The shares and error scores as a Markdown table (percent)."""
        shares, errors = self.shares(), self.errors.set_index("method")
        header = "| method | " + " | ".join(shares.columns) + " | error | error over the channels paths show |"
        lines = [header, "|" + "---|" * (len(shares.columns) + 3)]
        for method, row in shares.iterrows():
            cells = " | ".join(f"{v:.1%}" for v in row)
            if method == "truth":
                lines.append(f"| **true incremental share** | {cells} |  |  |")
                continue
            e = errors.loc[method]
            lines.append(f"| {method} | {cells} | {e['error']:.3f} [{e['error_low']:.3f}, {e['error_high']:.3f}] | "
                         f"{e['visible_error']:.3f} [{e['visible_error_low']:.3f}, {e['visible_error_high']:.3f}] |")
        return "\n".join(lines)

    def write(self, directory: str | Path) -> Path:
        """Write the truth's outputs, ``attribution.csv``, ``attribution_errors.csv``,
        ``attribution.md`` and ``attribution.png`` into ``directory``."""
        from journeysim.outputs import atomic_write, write_csv, write_figure

        directory = Path(self.truth.write(directory))
        write_csv(directory / "attribution.csv", self.table)
        write_csv(directory / "attribution_errors.csv", self.errors)
        text = self.markdown() + "\n"
        atomic_write(directory / "attribution.md", lambda tmp: tmp.write_text(text))
        from journeysim.experiments.attribution.plots import plot_attribution

        write_figure(directory / "attribution.png", plot_attribution(self).figure)
        return directory


def evaluate(truth, methods: Sequence[str] | None = None, level: float = LEVEL) -> AttributionResult:
    """Run every method on each exported seed's journeys and compare with ``truth``.

    Parameters
    ----------
    truth : TruthResult
        From :func:`~journeysim.experiments.truth.true_effects` with exports.
    methods : sequence of str, optional
        Attribution methods (default: all available).
    level : float
        Confidence level of the error intervals, 0..1.
    """
    if not truth.exports:
        raise ConfigError("exports", "none", "first or all (attribution needs the journeys of a factual run)")
    channels = list(truth.table["channel"])
    true_share = truth.shares()
    credits = {seed: attribute(e["paths"], methods) for seed, e in sorted(truth.exports.items())}
    shares = {seed: credit_shares(c, channels) for seed, c in credits.items()}
    errors = {seed: error_scores(s, true_share) for seed, s in shares.items()}
    visible = {seed: visible_error_scores(c, true_share) for seed, c in credits.items()}
    names = list(next(iter(credits.values())).index)
    mean_credit = sum(c.reindex(columns=channels, fill_value=0.0) for c in credits.values()) / len(credits)
    mean_share = sum(shares.values()) / len(shares)
    rows = [{"method": "truth", "channel": c, "credit": float(truth.table.set_index("channel").loc[
        c, "incremental_acquisitions"]), "share": float(true_share[c])} for c in channels]
    rows += [{"method": m, "channel": c, "credit": float(mean_credit.loc[m, c]), "share": float(mean_share.loc[m, c])}
             for m in names for c in channels]
    table = pd.DataFrame(rows)
    bounds = truth.table.set_index("channel")
    table["true_share"] = table["channel"].map(true_share)
    table["true_share_low"] = table["channel"].map(bounds["share_low"])
    table["true_share_high"] = table["channel"].map(bounds["share_high"])
    error_rows = []
    for m in names:
        interval = mean_interval([errors[s][m] for s in errors], level)
        seen = mean_interval([visible[s][m] for s in visible], level)
        error_rows.append({"method": m, "error": interval.estimate, "error_low": interval.low,
                           "error_high": interval.high, "visible_error": seen.estimate,
                           "visible_error_low": seen.low, "visible_error_high": seen.high, "seeds": interval.n})
    errors_table = pd.DataFrame(error_rows)
    order = np.lexsort((errors_table["visible_error"].round(9), errors_table["error"].round(9)))
    errors_table = errors_table.iloc[order].reset_index(drop=True)
    return AttributionResult(table=table, errors=errors_table, truth=truth, credits=credits)


def evaluate_attribution(scenario: str | None = "attribution_lab", seeds: int | Sequence[int] = 5,
                         overrides: Mapping[str, Any] | list[str] | None = None, *,
                         methods: Sequence[str] | None = None, marginal: bool = True, jobs: int | None = None,
                         level: float = LEVEL) -> AttributionResult:
    """The truth of ``scenario`` (see :func:`~journeysim.experiments.truth.true_effects`) and
    every attribution method on each seed's factual journeys, compared."""
    from journeysim.experiments.truth import true_effects

    truth = true_effects(scenario, seeds=seeds, overrides=overrides, marginal=marginal, exports="all",
                         jobs=jobs, level=level)
    return evaluate(truth, methods, level)
