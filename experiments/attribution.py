"""Multi-touch attribution models, evaluated against the simulator's true channel effects.

Every model reads the journeys of :func:`journeysim.experiments.exports.journey_paths` (one
row per journey: ``path``, ``touch_days``, ``converted``, ``conversion_day``) and returns the
conversions it credits to each channel:

=====================  ==========================================================================
method                 credit of a converting journey
=====================  ==========================================================================
``first_touch``        all to the first touch
``last_touch``         all to the last touch
``linear``             equal shares to every touch
``time_decay``         touches weighted 2^(-days before the conversion / half-life), half-life 7 days
``position_based``     40% first, 40% last, 20% shared by the touches between (U-shaped)
``markov``             first-order Markov chain over all journeys: conversions split in proportion
                       to each channel's removal effect (own implementation)
``channelattribution`` the ``ChannelAttribution`` package's first-order Markov model, if installed
``shapley``            Shapley value over channel sets with v(S) = conversions of journeys whose set
                       of channels lies within S (Zhao et al. 2018): a journey's conversion is split
                       equally among its distinct channels
=====================  ==========================================================================

Credit shares are compared over the paid channels of the truth (word of mouth and ``direct``
are set aside: no budget decision hangs on them and the truth has no switch for them), with an
error score per method: the sum over channels of |credit share - true incremental share|.

Command line (``key=value`` overrides as for ``journey``)::

    journey-attribution scenario=attribution_lab seeds=5 population.size=50000
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from journeysim.experiments.exports import SEPARATOR
from journeysim.experiments.intervals import LEVEL, mean_interval
from journeysim.sim.errors import ConfigError

HALF_LIFE = 7.0
"""Half-life of the time-decay model, days."""

POSITION_ENDS = 0.4
"""Share of a position-based (U-shaped) credit given to each of the first and the last touch."""


# ---------------------------------------------------------------------- journeys as arrays
@dataclass(frozen=True)
class Touches:
    """The touches of every journey as flat arrays, journey by journey, in time order.

    Attributes
    ----------
    names : ndarray of str
        Channel names; ``channel`` codes index it.
    journey, position, length, channel : ndarray of int
        Journey row, position in the journey (0 = first), the journey's number of touches,
        and the channel code of each touch.
    age : ndarray of float
        Days from the touch to the conversion (0 for journeys without conversion).
    converted : ndarray of bool, shape (journeys,)
        Whether each journey ended in a conversion.
    """

    names: np.ndarray
    journey: np.ndarray
    position: np.ndarray
    length: np.ndarray
    channel: np.ndarray
    age: np.ndarray
    converted: np.ndarray

    @property
    def conversions(self) -> int:
        """Number of converting journeys."""
        return int(self.converted.sum())

    def credit(self, weights: np.ndarray) -> pd.Series:
        """Sum ``weights`` of converting journeys' touches by channel (conversions)."""
        weights = np.where(self.converted[self.journey], weights, 0.0)
        return pd.Series(np.bincount(self.channel, weights, minlength=self.names.size), index=self.names)


def touches(paths: pd.DataFrame) -> Touches:
    """Flatten journey paths (``path``, ``converted``; ``touch_days`` and ``conversion_day``
    for time decay) into :class:`Touches`."""
    missing = {"path", "converted"} - set(paths.columns)
    if missing:
        raise ConfigError("paths", sorted(paths.columns), f"a journey table with columns {sorted(missing)}")
    split = paths["path"].astype(str).str.split(SEPARATOR.strip())
    length = split.str.len().to_numpy(np.int64)
    names, channel = np.unique(split.explode().str.strip().to_numpy(str), return_inverse=True)
    journey = np.repeat(np.arange(len(paths)), length)
    starts = np.cumsum(length) - length
    position = np.arange(length.sum()) - np.repeat(starts, length)
    converted = paths["converted"].to_numpy().astype(bool)
    return Touches(names, journey, position, length[journey], channel, _ages(paths, length), converted)


def _ages(paths: pd.DataFrame, length: np.ndarray) -> np.ndarray:
    """Days from each touch to its journey's conversion (a ``direct`` touch is on the day)."""
    if "touch_days" not in paths or "conversion_day" not in paths:
        return np.zeros(int(length.sum()))
    conversion = paths["conversion_day"].astype("Float64").fillna(0).to_numpy(float)
    days = paths["touch_days"].fillna("").astype(str).str.split(SEPARATOR.strip())
    if not np.array_equal(days.str.len().to_numpy(np.int64), length):
        raise ConfigError("paths.touch_days", "mismatch", "one day per touch of the path")
    flat = pd.to_numeric(days.explode().str.strip(), errors="coerce").to_numpy(float)
    ages = np.repeat(conversion, length) - flat
    return np.where(np.isnan(ages), 0.0, np.clip(ages, 0.0, None))


# ---------------------------------------------------------------------- heuristic models
def first_touch(t: Touches) -> pd.Series:
    """All of a conversion to its first touch."""
    return t.credit((t.position == 0).astype(float))


def last_touch(t: Touches) -> pd.Series:
    """All of a conversion to its last touch."""
    return t.credit((t.position == t.length - 1).astype(float))


def linear(t: Touches) -> pd.Series:
    """Equal shares of a conversion to each of its touches."""
    return t.credit(1.0 / t.length)


def time_decay(t: Touches, half_life: float = HALF_LIFE) -> pd.Series:
    """Shares halving every ``half_life`` days before the conversion."""
    weights = np.exp2(-t.age / half_life)
    totals = np.bincount(t.journey, weights, minlength=t.converted.size)
    return t.credit(weights / totals[t.journey])


def position_based(t: Touches, ends: float = POSITION_ENDS) -> pd.Series:
    """U-shaped: ``ends`` to the first and to the last touch, the rest shared by the middle ones
    (a single touch gets all of it, two touches half each)."""
    first, last = t.position == 0, t.position == t.length - 1
    middle = np.maximum(t.length - 2, 1)
    weights = np.where(first | last, ends, (1.0 - 2 * ends) / middle)
    weights = np.where(t.length == 1, 1.0, np.where(t.length == 2, 0.5, weights))
    return t.credit(weights)


def shapley(t: Touches) -> pd.Series:
    """Shapley value over channel sets with v(S) = conversions of journeys whose channels all lie
    in S. This game is a sum of unanimity games, one per journey, so each conversion is split
    equally among the journey's distinct channels (Zhao et al. 2018)."""
    pairs = np.unique(t.journey * t.names.size + t.channel)
    journey, channel = pairs // t.names.size, pairs % t.names.size
    distinct = np.bincount(journey, minlength=t.converted.size)
    weights = np.where(t.converted[journey], 1.0 / distinct[journey], 0.0)
    return pd.Series(np.bincount(channel, weights, minlength=t.names.size), index=t.names)


# ---------------------------------------------------------------------- Markov chain
def transition_counts(t: Touches) -> np.ndarray:
    """First-order transition counts between states start, channels..., conversion, null."""
    m = t.names.size
    size = m + 3
    previous = np.concatenate([[0], t.channel[:-1] + 1])
    source = np.where(t.position == 0, 0, previous)
    target = t.channel + 1
    last = t.position == t.length - 1
    end = np.where(t.converted[t.journey[last]], m + 1, m + 2)
    codes = np.concatenate([source * size + target, (t.channel[last] + 1) * size + end])
    return np.bincount(codes, minlength=size * size).reshape(size, size)


def conversion_probability(counts: np.ndarray, removed: int | None = None) -> float:
    """Probability of reaching conversion from start; with ``removed``, visits to that channel
    code end the journey without conversion."""
    m = counts.shape[0] - 3
    transient = counts[: m + 1].astype(float)
    totals = transient.sum(axis=1, keepdims=True)
    p = np.divide(transient, totals, out=np.zeros_like(transient), where=totals > 0)
    q, to_conversion = p[:, : m + 1], p[:, m + 1].copy()
    if removed is not None:
        q = q.copy()
        q[:, removed + 1] = 0.0
        q[removed + 1] = 0.0
        to_conversion[removed + 1] = 0.0
    return float(np.linalg.solve(np.eye(m + 1) - q, to_conversion)[0])


def removal_effects(t: Touches) -> pd.Series:
    """Share of conversions lost when each channel is removed from the chain."""
    counts = transition_counts(t)
    base = conversion_probability(counts)
    effects = [1.0 - conversion_probability(counts, k) / base if base > 0 else 0.0 for k in range(t.names.size)]
    return pd.Series(effects, index=t.names)


def markov(t: Touches) -> pd.Series:
    """Conversions split in proportion to the channels' removal effects."""
    effects = removal_effects(t)
    total = effects.sum()
    return effects / total * t.conversions if total > 0 else effects * 0.0


def channelattribution(paths: pd.DataFrame) -> pd.Series | None:
    """First-order Markov credit from the ``ChannelAttribution`` package (None if not installed)."""
    from journeysim.experiments.exports import channelattribution_table

    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the package prints a banner on import
            import ChannelAttribution as ca  # noqa: N813
    except ImportError:
        return None
    table = channelattribution_table(paths[paths["path"].str.len() > 0])
    with contextlib.redirect_stdout(io.StringIO()):
        result = ca.markov_model(table, "path", "total_conversions", var_value="total_conversion_value",
                                 var_null="total_null", order=1, sep=SEPARATOR.strip(), verbose=False,
                                 flg_pro=False, seed=0)
    return result.set_index("channel_name")["total_conversions"].astype(float)


# ---------------------------------------------------------------------- all methods
METHODS: dict[str, Callable[[Touches], pd.Series]] = {
    "first_touch": first_touch,
    "last_touch": last_touch,
    "linear": linear,
    "time_decay": time_decay,
    "position_based": position_based,
    "markov": markov,
    "shapley": shapley,
}
"""Attribution models by name (``channelattribution`` is added when the package is installed)."""


def attribute(paths: pd.DataFrame, methods: Sequence[str] | None = None) -> pd.DataFrame:
    """Conversions credited to each channel by each method.

    Parameters
    ----------
    paths : DataFrame
        Journeys as from :func:`~journeysim.experiments.exports.journey_paths`.
    methods : sequence of str, optional
        Names from :data:`METHODS` and ``channelattribution`` (default: all; the package's
        model only where it is installed).

    Returns
    -------
    DataFrame
        One row per method, one column per channel (conversions; each row sums to the
        conversions of the journeys).
    """
    chosen = list(methods) if methods is not None else [*METHODS, "channelattribution"]
    allowed = (*METHODS, "channelattribution")
    for name in chosen:
        if name not in allowed:
            from journeysim.sim.errors import unknown_name

            raise unknown_name("methods", name, allowed)
    t = touches(paths)
    rows = {}
    for name in chosen:
        credit = channelattribution(paths) if name == "channelattribution" else METHODS[name](t)
        if credit is not None:
            rows[name] = credit
    return pd.DataFrame(rows).T.fillna(0.0)


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


# ---------------------------------------------------------------------- against the truth
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


# ---------------------------------------------------------------------- figure
METHOD_COLOURS = {
    "first_touch": "#fdae6b", "last_touch": "#e6550d", "linear": "#9ecae1", "time_decay": "#6baed6",
    "position_based": "#3182bd", "markov": "#31a354", "channelattribution": "#a1d99b", "shapley": "#756bb1",
}


def plot_attribution(result: AttributionResult, ax=None, **kwargs: Any):
    """Credit share per channel by method beside the true incremental share (with its interval);
    the legend gives each method's error scores (all paid channels / the channels paths show).
    Returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.subplots(figsize=(10, 4.8), layout="constrained")[1]
    shares = result.shares()
    errors = result.errors.set_index("method")
    channels, methods = list(shares.columns), list(shares.index)
    width = 0.8 / len(methods)
    x = np.arange(len(channels))
    for j, method in enumerate(methods):
        offset = x - 0.4 + width * (j + 0.5)
        if method == "truth":
            bounds = result.truth.table.set_index("channel").loc[channels]
            err = np.vstack([shares.loc[method] - bounds["share_low"], bounds["share_high"] - shares.loc[method]])
            ax.bar(offset, shares.loc[method], width, color="#252525", label="true incremental share",
                   yerr=np.nan_to_num(err), ecolor="#969696", capsize=3)
            continue
        options = {"color": METHOD_COLOURS.get(method, "#bdbdbd"), **kwargs}
        label = f"{method} (error {errors.loc[method, 'error']:.2f} / {errors.loc[method, 'visible_error']:.2f})"
        ax.bar(offset, shares.loc[method], width, label=label, **options)
    ax.set_xticks(x, channels)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set(ylabel="share of credited conversions", ylim=(0, max(1.0, float(np.nanmax(shares.to_numpy())) + 0.05)),
           title=f"Attribution vs truth: {result.truth.meta.get('scenario', '')}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=9,
              title="error: all paid channels / channels in paths", title_fontsize=8)
    ax.axhline(0, color="#636363", linewidth=0.8)
    return ax


# ---------------------------------------------------------------------- command line
def main(argv: Sequence[str] | None = None) -> None:
    """Console script ``journey-attribution``."""
    from journeysim.experiments.truth import (
        OPTIONS,
        default_directory,
        flag_option,
        format_table,
        integer_option,
        parse_arguments,
        usage,
    )
    from journeysim.sim.errors import EXIT_BAD_INPUT

    options_help = {k: v for k, v in OPTIONS.items() if k != "exports"}
    options_help["out"] = "output directory (default outputs/attribution/<scenario>/<time>)"
    argv = list(sys.argv[1:] if argv is None else argv)
    if {"-h", "--help"} & set(argv):
        print(usage("journey-attribution", options_help, __doc__.split("\n\n")[0]))
        return
    try:
        options, overrides = parse_arguments(argv, options_help)
        if not any(o.startswith("scenario=") for o in overrides):
            overrides.insert(0, "scenario=attribution_lab")
        result = evaluate_attribution(None, seeds=integer_option(options, "seeds", 5), overrides=overrides,
                                      marginal=flag_option(options, "marginal", True),
                                      jobs=integer_option(options, "jobs", None))
        scenario = result.truth.meta["scenario"]
        directory = result.write(Path(options["out"]) if "out" in options
                                 else default_directory("attribution", scenario))
    except ConfigError as error:
        print(f"journey-attribution: error: {error}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None
    print(format_table(result.truth.table))
    print()
    print(result.markdown())
    print(f"\nwritten to {directory}")


if __name__ == "__main__":
    main()
