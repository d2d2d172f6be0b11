"""The ``network`` section (Hydra group ``conf/network``): who talks to whom, how often, how strongly."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import numpy as np
from pydantic import model_validator

from journeysim.sim.errors import ConfigError
from journeysim.sim.schema.fields import PROBABILITY, Choice, Number, Rule, SpecBase, StageVector, Text, spec
from journeysim.sim.stages import STAGE_NAMES

NETWORK_TYPES = (
    "fully_mixed",
    "erdos_renyi",
    "watts_strogatz",
    "barabasi_albert",
    "homophilous",
    "edge_list",
    "groups",
)
RANDOM_GRAPHS = ("erdos_renyi", "watts_strogatz", "barabasi_albert", "homophilous")
"""Network types drawn as random graphs (their mean degree must be below the population size)."""
NETWORK_MODES = ("conversations", "cascade")
"""Word-of-mouth modes: daily conversations with one listener each, or an independent cascade
(a newly informed customer tells each neighbour with a daily probability for ``talk_days``)."""


def _silent() -> np.ndarray:
    return np.zeros(len(STAGE_NAMES), dtype=np.float64)


@spec
class NetworkSpec(SpecBase):
    """Word of mouth: who talks to whom, how often, and how strongly."""

    type: Annotated[str, Choice(NETWORK_TYPES)]
    mean_degree: Annotated[float, Number(low=0.0)] = 10.0  # contacts per customer
    rewiring: Annotated[float, PROBABILITY] = 0.1
    homophily: Annotated[float, PROBABILITY] = 0.8
    edge_list: Annotated[str | None, Text(optional=True)] = None
    talk_rate: Annotated[float, Number(low=0.0, high=1.0)]  # conversations per talker per day
    positive_kick: Annotated[float, Number(low=0.0)]  # interest
    negative_kick: Annotated[float, Number(low=0.0)]  # interest
    talk: Annotated[np.ndarray, StageVector()] = dataclasses.field(default_factory=_silent)
    dissatisfied_talk: Annotated[float, Number(low=-1.0, high=1.0)] = 0.0
    talk_days: Annotated[int | None, Number(low=1, integer=True, optional=True)] = None  # days
    group_size: Annotated[int, Number(low=1, integer=True)] = 10  # customers
    weak_ties: Annotated[int, Number(low=0, integer=True)] = 2  # contacts per day
    weak_kick: Annotated[float | None, Number(low=0.0, optional=True)] = None
    mode: Annotated[str, Choice(NETWORK_MODES)] = "conversations"
    transmission: Annotated[float, PROBABILITY] = 0.0
    weak_transmission: Annotated[float | None, Number(low=0.0, high=1.0, optional=True)] = None

    @model_validator(mode="after")
    def _possible_graph(self) -> NetworkSpec:
        degree, kind = self.mean_degree, self.type
        if kind == "watts_strogatz" and (degree < 2 or degree != int(degree) or int(degree) % 2):
            raise Rule(degree, "an even whole number of at least 2 for watts_strogatz", ("mean_degree",))
        if kind == "barabasi_albert" and degree < 2:
            raise Rule(degree, "at least 2 for barabasi_albert (m = mean_degree / 2)", ("mean_degree",))
        if kind == "edge_list" and not self.edge_list:
            raise Rule(self.edge_list, "a path to a CSV edge list when network.type is edge_list", ("edge_list",))
        if kind == "edge_list" and not Path(self.edge_list).is_file():
            raise Rule(self.edge_list, "a path to an existing CSV file (source,target rows)", ("edge_list",))
        return self


def check_network_size(network: NetworkSpec, size: int) -> None:
    """Refuse a graph impossible for ``size`` customers (``population.size``).

    Raises
    ------
    ConfigError
        For a random graph's ``network.mean_degree`` or a personal group's ``network.group_size``.
    """
    if network.type in RANDOM_GRAPHS and network.mean_degree >= size:
        raise ConfigError("network.mean_degree", network.mean_degree,
                          f"less than population.size ({size}) for {network.type}")
    if network.type == "groups" and network.group_size > size:
        raise ConfigError("network.group_size", network.group_size, f"at most population.size ({size}) for groups")
