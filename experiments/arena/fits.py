"""The arena's contestants: PyMC-Marketing's and Google Meridian's MMMs fitted on an observed panel.

Each fit is one job of :func:`journeysim.experiments.runner.run_many` (so it runs on whichever
executor the command chose) and returns its posterior summaries: per channel the ROAS and the
contribution (revenue over the panel's weeks, currency) with the mean and the equal-tailed
:data:`~journeysim.experiments.arena.score.LEVEL` interval of the posterior draws, plus the fit's
diagnostics (largest R-hat, divergent transitions, seconds).

Both models see what a marketing-science team would have: the observed weekly panel (noisy spend,
noisy and lagged outcomes, no demand index) of the truth lab's first seed, revenue as the target,
the promotion and discount controls, and carry-over up to :data:`MAX_LAG_WEEKS` weeks (the
horizon of the true ROAS they are scored against). Their priors are the libraries' defaults
(PyMC-Marketing's ``saturation_beta``, ``adstock_alpha`` and noise priors; Meridian's ROI prior,
log-normal with median 1.2), so the scoreboard scores the tools as shipped. With lift tests:
PyMC-Marketing adds them as measurements of its saturation curves
(``add_lift_test_measurements``); Meridian takes each tested channel's ROI as its prior and
calibrates it over the test's weeks (``roi_calibration``).

The libraries are imported inside the jobs: this module loads without them (``pip install -e
'.[arena]'`` in the repository brings both).
"""

from __future__ import annotations

import os
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from journeysim.experiments.arena.score import LEVEL

MAX_LAG_WEEKS = 13
"""Longest carry-over either model allows, weeks (the horizon of the true ROAS)."""

MODELS = ("pymc_marketing", "meridian")
"""The MMMs of the arena."""

MERIDIAN_DEFAULT_ROI = (0.2, 0.9)
"""Meridian's default ROI prior, log-normal ``(mu, sigma)``: untested channels keep it when others are calibrated."""


@dataclass(frozen=True)
class Draws:
    """How long the samplers run (small by default: the arena fits on a busy 2-core machine).

    Attributes
    ----------
    chains : int
        Markov chains.
    tune : int
        Warm-up draws per chain (PyMC's ``tune``; Meridian's ``n_adapt``, with half as many burn-in).
    draws : int
        Kept draws per chain.
    """

    chains: int = 2
    tune: int = 500
    draws: int = 500


@dataclass(frozen=True)
class FitJob:
    """One fit: a model, the panel it is fitted on and its calibration.

    Attributes
    ----------
    model : str
        One of :data:`MODELS`.
    scenario : str
        The arena's scenario name (``flighted``...).
    panel : DataFrame
        The observed panel: ``mmm_weekly_observed`` for PyMC-Marketing, ``meridian_weekly_observed``
        for Meridian (whole weeks).
    channels : tuple of str
        The paid channels to model.
    draws : Draws
        Sampler lengths.
    seed : int
        The sampler's seed.
    lift : DataFrame or None
        The truth lab's lift tests (``lift_tests.csv``); None: no calibration.
    """

    model: str
    scenario: str
    panel: pd.DataFrame
    channels: tuple[str, ...]
    draws: Draws = field(default_factory=Draws)
    seed: int = 0
    lift: pd.DataFrame | None = None

    @property
    def calibration(self) -> str:
        """``lift_tests`` when the fit takes the lift tests, else ``none``."""
        return "none" if self.lift is None else "lift_tests"


def run_fit(job: FitJob) -> pd.DataFrame:
    """Fit ``job``'s model; return its posterior summaries (one row per channel) with diagnostics."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if job.model == "pymc_marketing":
            samples, spend, diagnostics = _fit_pymc_marketing(job)
        elif job.model == "meridian":
            samples, spend, diagnostics = _fit_meridian(job)
        else:
            raise ValueError(f"model {job.model!r} is not one of {MODELS}")
    frame = summarise(samples, spend, list(job.channels))
    frame.insert(0, "calibration", job.calibration)
    frame.insert(0, "scenario", job.scenario)
    frame.insert(0, "model", job.model)
    return frame.assign(**diagnostics, chains=job.draws.chains, draws=job.draws.draws,
                        seconds=round(time.perf_counter() - started, 1))


def summarise(contributions: np.ndarray, spend: np.ndarray, channels: list[str], level: float = LEVEL) -> pd.DataFrame:
    """Posterior summaries from draws of each channel's contribution.

    Parameters
    ----------
    contributions : ndarray, shape (samples, channels)
        Draws of each channel's contribution summed over the panel's weeks, currency.
    spend : ndarray, shape (channels,)
        Each channel's spend over the same weeks (as the model saw it), currency.
    channels : list of str
        Channel names, in column order.
    level : float
        Interval probability (equal-tailed).

    Returns
    -------
    DataFrame
        ``channel``, ``spend``, ``roas_mean``, ``roas_low``, ``roas_high``, ``contribution_mean``,
        ``contribution_low``, ``contribution_high``.
    """
    tails = ((1 - level) / 2, (1 + level) / 2)
    roas = contributions / np.where(spend > 0, spend, np.nan)
    low_c, high_c = np.quantile(contributions, tails, axis=0)
    low_r, high_r = np.quantile(roas, tails, axis=0)
    return pd.DataFrame({"channel": channels, "spend": spend, "roas_mean": roas.mean(axis=0), "roas_low": low_r,
                         "roas_high": high_r, "contribution_mean": contributions.mean(axis=0),
                         "contribution_low": low_c, "contribution_high": high_c})


def _fit_pymc_marketing(job: FitJob) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """PyMC-Marketing's multidimensional MMM on revenue; draws of the channels' contributions."""
    import arviz as az
    from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation
    from pymc_marketing.mmm.multidimensional import MMM

    from journeysim.experiments.panels.lift import pymc_lift_tests

    data = job.panel.reset_index(drop=True)
    columns = [f"spend_{c}" for c in job.channels]
    controls = [c for c in ("promotion", "discount") if data[c].nunique() > 1]
    data = data.assign(trend=np.linspace(0.0, 1.0, len(data)))
    model = MMM(date_column="date", channel_columns=columns, target_column="revenue",
                adstock=GeometricAdstock(l_max=MAX_LAG_WEEKS), saturation=LogisticSaturation(),
                control_columns=[*controls, "trend"], yearly_seasonality=2)
    x = data[["date", *columns, *controls, "trend"]]
    y = data["revenue"]
    model.build_model(x, y)
    if job.lift is not None:
        lift = pymc_lift_tests(job.lift, target="revenue")
        # PyMC-Marketing's saturation curves rise with spend: a test whose measured lift has the
        # wrong sign (noise: holding out a weak channel raised revenue) cannot be a measurement of one
        lift = lift[lift["channel"].isin(columns) & (lift["delta_x"] * lift["delta_y"] > 0)]
        model.add_lift_test_measurements(lift.reset_index(drop=True))
    model.fit(x, y, chains=job.draws.chains, cores=1, draws=job.draws.draws, tune=job.draws.tune,
              target_accept=0.9, random_seed=job.seed, progressbar=False)
    idata = model.idata
    posterior = idata.posterior["channel_contribution"] * idata.constant_data["target_scale"]
    totals = posterior.sum("date").stack(sample=("chain", "draw")).transpose("sample", "channel").to_numpy()
    spend = data[columns].to_numpy(float).sum(axis=0)
    rhat = float(az.rhat(idata.posterior[["saturation_beta", "adstock_alpha"]]).to_array().max())
    divergent = int(idata.sample_stats["diverging"].sum()) if "diverging" in idata.sample_stats else -1
    return totals, spend, {"r_hat_max": rhat, "divergences": divergent}


def _fit_meridian(job: FitJob) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Google Meridian's national model on revenue (orders x revenue per order); draws of the
    channels' incremental outcome."""
    import arviz as az
    from meridian import backend
    from meridian.analysis import analyzer
    from meridian.data import load
    from meridian.model import model, prior_distribution
    from meridian.model import spec as model_spec

    from journeysim.experiments.panels.lift import meridian_roi_priors
    from journeysim.experiments.panels.meridian import coord_to_columns

    panel = job.panel.reset_index(drop=True)
    keep = ["geo", "time", "population", "orders", "revenue_per_order", "promotion", "discount"]
    panel = panel[keep + [f"{kind}_{c}" for c in job.channels for kind in ("impressions", "spend")]]
    columns = coord_to_columns(panel)
    maps = {k: v for k, v in columns.items() if k != "coords"}
    data = load.DataFrameDataLoader(panel, load.CoordToColumns(**columns["coords"]), kpi_type="non_revenue",
                                    **maps).load()
    channels = [str(c) for c in data.media.coords["media_channel"].values]
    options: dict = {"max_lag": MAX_LAG_WEEKS}
    if job.lift is not None:
        priors = meridian_roi_priors(job.lift).set_index("channel")
        tested = [c for c in channels if c in priors.index and np.isfinite(priors.loc[c, "mu"])]
        mu = [float(priors.loc[c, "mu"]) if c in tested else MERIDIAN_DEFAULT_ROI[0] for c in channels]
        sigma = [float(priors.loc[c, "sigma"]) if c in tested else MERIDIAN_DEFAULT_ROI[1] for c in channels]
        roi_m = backend.tfd.LogNormal(  # the backend's own (JAX or TensorFlow) distributions
            np.asarray(mu, np.float64), np.asarray(sigma, np.float64), name="roi_m")
        options["prior"] = prior_distribution.PriorDistribution(roi_m=roi_m)
        options["roi_calibration"] = model_spec.CalibrationSpec([
            model_spec.ChannelCalibrationSpec([c], [model_spec.DateRange(priors.loc[c, "start_date"],
                                                                         priors.loc[c, "end_date"])])
            for c in tested])
    mmm = model.Meridian(input_data=data, model_spec=model_spec.ModelSpec(media_prior_type="roi", **options))
    mmm.sample_posterior(n_chains=job.draws.chains, n_adapt=job.draws.tune, n_burnin=max(job.draws.tune // 2, 1),
                         n_keep=job.draws.draws, seed=job.seed)
    outcome = np.asarray(analyzer.Analyzer(mmm).incremental_outcome(use_kpi=False))  # (chains, draws, channels)
    totals = outcome.reshape(-1, outcome.shape[-1])
    spend = np.asarray(data.media_spend).reshape(-1, len(channels)).sum(axis=0)
    posterior = mmm.inference_data.posterior
    rhat = float(az.rhat(posterior[["roi_m"]]).to_array().max())
    divergent = (int(np.asarray(mmm.inference_data.sample_stats["diverging"]).sum())
                 if "diverging" in mmm.inference_data.sample_stats else -1)
    order = [channels.index(c) for c in job.channels]
    return totals[:, order], spend[order], {"r_hat_max": rhat, "divergences": divergent}
