"""Shared set-up of the validation experiments: a two-stage diffusion market run on the engine.

Every experiment docks the journey engine itself, not a separate toy model: a
:class:`~journeysim.sim.model.JourneyModel` whose customers have two stages (unaware and
adopted), one broadcast channel (advertising) and word of mouth of a chosen kind. Interest
thresholds are Exp(1), so a daily advertising dose ``h`` adopts an unaware customer with
probability ``1 - exp(-h)``, and a word-of-mouth contact carries ``CERTAIN_KICK`` interest, so a
contact that happens always converts. Time is in days.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from journeysim.scenarios.base import Lever
from journeysim.scenarios.bass import CERTAIN_KICK, bass_run_spec
from journeysim.sim.config import NetworkSpec, RunSpec
from journeysim.sim.errors import ConfigError
from journeysim.sim.model import JourneyModel
from journeysim.sim.network import Graph
from journeysim.sim.stages import Stage

ADOPTED = slice(Stage.CUSTOMER, Stage.ADVOCATE + 1)
"""Stages that count as adopted (the two-stage market uses only ``customer``)."""

QUIET_OUTPUTS = {"figures": False, "tables": False, "event_log_sample": 0, "progress": False,
                 "mesa_agents": "lazy"}
"""Output settings of validation runs: nothing written, no Mesa agents created."""


def daily_hazard(probability: float) -> float:
    """Daily interest dose giving an Exp(1) threshold a crossing probability ``probability``."""
    if not 0.0 <= probability < 1.0:
        raise ConfigError("advertising", probability, "a daily probability from 0 to below 1")
    return -math.log1p(-probability)


def word_of_mouth(kind: str = "fully_mixed", *, mode: str = "conversations", talk_rate: float = 0.0,
                  transmission: float = 0.0, talk_days: int | None = None, mean_degree: float = 0.0,
                  rewiring: float = 0.0, group_size: int = 10, weak_ties: int = 0,
                  weak_transmission: float | None = None) -> NetworkSpec:
    """Word of mouth in which adopters talk positively and every contact converts.

    Parameters
    ----------
    kind : str
        Network type (``fully_mixed``, ``erdos_renyi``, ``watts_strogatz``, ``barabasi_albert``,
        ``groups``).
    mode : str
        ``conversations`` (each adopter holds ``talk_rate`` conversations a day, one random
        neighbour each) or ``cascade`` (each adopter tells each neighbour with probability
        ``transmission`` a day for ``talk_days`` days, or for ever).
    talk_rate : float
        Conversations per adopter per day (conversations mode).
    transmission, weak_transmission : float
        Daily probability per neighbour, and per weak contact in personal groups (cascade mode).
    talk_days : int or None
        Days an adopter talks after adopting (None: for ever).
    mean_degree, rewiring : float
        Graph parameters (rewiring: Watts–Strogatz probability).
    group_size, weak_ties : int
        Personal groups: members per group; random contacts outside it per day.
    """
    talk = np.zeros(len(Stage))
    talk[Stage.CUSTOMER] = 1.0
    return NetworkSpec(
        type=kind, mean_degree=mean_degree, rewiring=rewiring, homophily=0.0, edge_list=None,
        talk_rate=talk_rate, positive_kick=CERTAIN_KICK, negative_kick=0.0, talk=talk,
        dissatisfied_talk=0.0, talk_days=talk_days, group_size=group_size, weak_ties=weak_ties,
        mode=mode, transmission=transmission, weak_transmission=weak_transmission,
    )


def diffusion_spec(*, size: int, days: int, seed: int, advertising: float,
                   network: NetworkSpec, name: str = "validation") -> RunSpec:
    """Run spec of the two-stage market.

    Parameters
    ----------
    size : int
        Customers.
    days : int
        Length of the run, days.
    seed : int
        The run's seed.
    advertising : float
        Daily probability that advertising alone converts an unaware customer.
    network : NetworkSpec
        Word of mouth (see :func:`word_of_mouth`).
    name : str
        Scenario name recorded in the spec.
    """
    cfg = {"scenario": {"name": name, "p": 0.01, "q": 0.0}, "population": {"size": size},
           "outputs": QUIET_OUTPUTS}
    spec = bass_run_spec(cfg, seed=seed, days=days)
    channel = spec.channels[0]
    effect = np.zeros_like(channel.effect)
    effect[Stage.UNAWARE] = daily_hazard(advertising)
    return replace(spec, channels=(replace(channel, effect=effect),), network=network,
                   scenario_params={"advertising": advertising})


class SeedOnFirstDay(Lever):
    """Advertising runs on day 0 only (it seeds the first adopters), then falls silent."""

    def before_day(self, model: JourneyModel, day: int) -> None:
        """Switch every channel off from day 1."""
        if day >= 1:
            model.controls.set_budgets(np.zeros(model.n_channels))


def adopted_fraction(model: JourneyModel) -> np.ndarray:
    """Share of customers adopted after each day: element ``t`` is after ``t`` days (0 at the start)."""
    counts = model.collector.stage_counts[: model.day + 1]
    return counts[:, ADOPTED].sum(axis=1) / model.state.size


def make_model(spec: RunSpec, *, levers: list | None = None, graph: Graph | None = None) -> JourneyModel:
    """A ready-to-step model of the market.

    Parameters
    ----------
    spec : RunSpec
        From :func:`diffusion_spec`.
    levers : list, optional
        Levers such as :class:`SeedOnFirstDay`.
    graph : Graph, optional
        A graph already built by a model of the same seed, size and network parameters (it does
        not depend on the word-of-mouth rates): reused instead of rebuilt, since building a
        graph with networkx costs more than a whole small run. The runs are the same as with
        a rebuilt graph: building consumes only the network stream.
    """
    return JourneyModel(spec, levers=levers, graph=graph)


def run_market(spec: RunSpec, *, stop_at: float | None = None, quiet_days: int | None = None,
               levers: list | None = None, graph: Graph | None = None) -> JourneyModel:
    """Run the market day by day and return the model.

    Parameters
    ----------
    spec : RunSpec
        From :func:`diffusion_spec`.
    stop_at : float, optional
        Stop early once this share of customers has adopted.
    quiet_days : int, optional
        Stop early once nobody has adopted for this many days (a cascade that has ended:
        with word of mouth limited to ``talk_days`` after adopting, ``talk_days`` quiet days
        mean nobody is talking any more).
    levers, graph
        See :func:`make_model`.
    """
    model = make_model(spec, levers=levers, graph=graph)
    target = math.inf if stop_at is None else stop_at * spec.population.size
    counts = model.collector.stage_counts
    last_change = 0
    while model.day < spec.days:
        model.step()
        adopted = counts[model.day, ADOPTED].sum()
        if adopted >= target:
            break
        if adopted > counts[model.day - 1, ADOPTED].sum():
            last_change = model.day
        elif quiet_days is not None and model.day - last_change >= quiet_days:
            break
    return model


def run_diffusion(spec: RunSpec, *, stop_at: float | None = None, levers: list | None = None) -> np.ndarray:
    """Adopted share per day of a run of the market (see :func:`run_market`)."""
    return adopted_fraction(run_market(spec, stop_at=stop_at, levers=levers))


def milestone_days(fraction: np.ndarray, level: float) -> float:
    """Days until the adopted share first reaches ``level`` (NaN if it never does)."""
    reached = np.flatnonzero(fraction >= level)
    return float(reached[0]) if reached.size else math.nan
