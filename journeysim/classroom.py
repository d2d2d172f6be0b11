"""The classroom's model: a :class:`JourneyModel` built from the trainer's page's levers.

The page (:mod:`journeysim.app`) builds one :class:`PageModel` per browser tab and per Reset. The
levers become config overrides of a scenario, so the page runs exactly what ``journey`` would
run; the network panel's customers are sampled along their ties once per run.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

import networkx as nx
import numpy as np
from omegaconf import DictConfig, OmegaConf, open_dict

from journeysim import plots
from journeysim.api import compose_config
from journeysim.cli import group_options
from journeysim.runner import make_service
from journeysim.scenarios.levers import build_levers
from journeysim.scenarios.spec import parse_config
from journeysim.sim.errors import ConfigError
from journeysim.sim.model import JourneyModel
from journeysim.sim.network import Graph
from journeysim.sim.stages import STAGE_NAMES
from journeysim.units import currency_from

CUSTOMERS = 10_000  # customers on the page: the reference size, so budgets and staff mean what the
# configs say (per 10,000 customers) with no rounding; a step takes a few milliseconds
DAYS = 730  # days per run (two years)
SAMPLE_SIZE = 300  # customers drawn in the network panel
MAIN_CHANNELS = ("search", "social", "display", "tv")  # channels with a budget slider
EXCLUDED_SCENARIOS = ("bass",)  # reference check, not a journey: no stages to watch
EXCLUDED_NETWORKS = ("edge_list",)  # needs a file of the user's own
DEFAULT_NETWORK = "watts_strogatz"
DEFAULT_SEED = 42  # the page's seed until a trainer types another
SCENARIO_COMPETITION = "as the scenario sets"  # the Competitors picker's choice that overrides nothing
_compose_lock = threading.Lock()  # Hydra's global state: one compose at a time across sessions


def scenario_choices() -> list[str]:
    """Journey scenarios of ``conf/scenario`` (read from the folder, Bass excluded)."""
    from importlib.resources import files

    folder = files("journeysim.conf").joinpath("scenario")
    names = []
    for name in group_options("scenario"):
        body = OmegaConf.load(str(folder.joinpath(f"{name}.yaml")))
        if name not in EXCLUDED_SCENARIOS and body.get("kind", "journey") == "journey":
            names.append(name)
    return names


def network_choices() -> list[str]:
    """Word-of-mouth network types of ``conf/network`` that need no input file."""
    return [name for name in group_options("network") if name not in EXCLUDED_NETWORKS]


def competition_choices() -> list[str]:
    """The Competitors picker: the scenario's own market, or a ``conf/competition`` market."""
    return [SCENARIO_COMPETITION, *group_options("competition")]


def _default_config() -> DictConfig:
    with _compose_lock:
        return compose_config("baseline", [f"network={DEFAULT_NETWORK}"])


SCENARIOS = scenario_choices()
NETWORKS = network_choices()
COMPETITIONS = competition_choices()
DEFAULTS = _default_config()
CURRENCY = currency_from(DEFAULTS)  # the levers' money unit (the default market's currency)
DEFAULT_BUDGETS = {name: float(DEFAULTS.channels[name].daily_budget) for name in MAIN_CHANNELS}
DEFAULT_STAFF = int(DEFAULTS.service.staff_schedule[0].staff)  # agents per 10,000 customers
DEFAULT_CAPACITY = int(DEFAULTS.service.fulfilment_capacity)  # orders/day per 10,000 customers


# --------------------------------------------------------------------------- the model
def parse_seed(seed: Any) -> int | None:
    """The seed typed into the page (text) as an int; None keeps the config's seed."""
    if seed is None or (isinstance(seed, str) and not seed.strip()):
        return None
    try:
        value = int(str(seed).strip())
    except ValueError:
        raise ConfigError("seed", seed, "a whole number of at least 0") from None
    if value < 0:
        raise ConfigError("seed", seed, "a whole number of at least 0")
    return value


def lever_overrides(levers: dict[str, Any], customers: int, days: int, network: str,
                    competition: str = SCENARIO_COMPETITION) -> list[str]:
    """Config overrides for the page's levers (Hydra override syntax).

    Parameters
    ----------
    levers : dict
        ``<channel>_budget`` (currency/day at the reference size), ``discount`` (0..1),
        ``checkout_friction`` (probability), ``support_staff`` (agents per 10,000 customers) and
        ``warehouse_capacity`` (orders/day per 10,000 customers).
    customers, days : int
        Population size and run length (days).
    network : str
        A ``conf/network`` choice.
    competition : str
        A ``conf/competition`` choice, or :data:`SCENARIO_COMPETITION` (the scenario's own).
    """
    overrides = [] if competition == SCENARIO_COMPETITION else [f"competition={competition}"]
    overrides += [f"network={network}", f"population.size={customers}", f"days={days}",
                 f"market.discount={levers['discount']}", f"market.checkout_friction={levers['checkout_friction']}",
                 f"service.fulfilment_capacity={levers['warehouse_capacity']}",
                 f"service.staff_schedule=[{{from_day:0,staff:{int(levers['support_staff'])}}}]"]
    overrides += [f"channels.{name}.daily_budget={levers[f'{name}_budget']}" for name in MAIN_CHANNELS]
    return overrides


def with_referral_programme(cfg: DictConfig, reward: float) -> None:
    """Run the library's ``referral_programme`` lever at ``reward`` (currency per referred customer).

    A reward of 0 adds nothing (a scenario's own programme, if any, runs as written); a positive
    reward replaces any referral programme of the scenario, so exactly one runs.
    """
    if reward < 0:
        raise ConfigError("referral_reward", reward, "a reward of at least 0 (0: no programme)")
    if reward == 0:
        return
    with open_dict(cfg):
        levers = [lever for lever in (cfg.scenario.get("levers") or []) if lever.get("type") != "referral_programme"]
        cfg.scenario.levers = [*levers, {"type": "referral_programme", "reward": float(reward)}]


def classroom_config(scenario: str, network: str, levers: dict[str, Any], word_of_mouth: float,
                     referral_reward: float, customers: int, days: int, seed: int | None,
                     competition: str = SCENARIO_COMPETITION) -> DictConfig:
    """The resolved config of one page run: the scenario, then the levers on top."""
    if scenario not in SCENARIOS:
        raise ConfigError("scenario", scenario, f"one of {', '.join(SCENARIOS)}")
    if network not in NETWORKS:
        raise ConfigError("network", network, f"one of {', '.join(NETWORKS)}")
    if competition not in COMPETITIONS:
        raise ConfigError("competition", competition, f"one of {', '.join(COMPETITIONS)}")
    if not 0 <= word_of_mouth <= 10:
        raise ConfigError("word_of_mouth", word_of_mouth, "a multiplier from 0 to 10")
    with _compose_lock:
        cfg = compose_config(scenario, lever_overrides(levers, customers, days, network, competition), seed=seed)
    cfg.network.talk_rate = min(1.0, float(cfg.network.talk_rate) * word_of_mouth)
    with_referral_programme(cfg, referral_reward)
    return cfg


class ClassroomModel(JourneyModel):
    """The journey model behind the page, built from keyword levers (the page rebuilds it with them on Reset).

    Parameters
    ----------
    scenario : str
        A journey scenario of ``conf/scenario``; its own levers run on top of the page's.
    network : str
        Word-of-mouth network type (``conf/network``).
    competition : str
        The market's competitors: a ``conf/competition`` choice, or :data:`SCENARIO_COMPETITION`.
    search_budget, social_budget, display_budget, tv_budget : float
        Daily budgets, currency/day at ``population.reference_size`` customers.
    discount : float
        Promotion discount on the list price, 0..1.
    checkout_friction : float
        Probability that a checkout attempt is abandoned.
    word_of_mouth : float
        Multiplier on conversations per day (``network.talk_rate``); 0 silences word of mouth.
    referral_reward : float
        Currency per referred new customer; above 0 the library's referral programme runs
        (rewarded customers talk more, each referral costs the reward).
    support_staff : int
        Support agents per 10,000 customers.
    warehouse_capacity : int
        Orders shipped per day per 10,000 customers.
    customers : int
        Population size.
    days : int
        Run length, days.
    seed : int or str, optional
        The run's seed (text from the page is accepted); None keeps the config's seed.
    """

    def __init__(self, scenario: str = "baseline", network: str = DEFAULT_NETWORK,
                 competition: str = SCENARIO_COMPETITION,
                 search_budget: float = DEFAULT_BUDGETS["search"], social_budget: float = DEFAULT_BUDGETS["social"],
                 display_budget: float = DEFAULT_BUDGETS["display"], tv_budget: float = DEFAULT_BUDGETS["tv"],
                 discount: float = 0.0, checkout_friction: float = float(DEFAULTS.market.checkout_friction),
                 word_of_mouth: float = 1.0, referral_reward: float = 0.0, support_staff: int = DEFAULT_STAFF,
                 warehouse_capacity: int = DEFAULT_CAPACITY, customers: int = CUSTOMERS, days: int = DAYS,
                 seed: int | str | None = None) -> None:
        levers = {"search_budget": search_budget, "social_budget": social_budget, "display_budget": display_budget,
                  "tv_budget": tv_budget, "discount": discount, "checkout_friction": checkout_friction,
                  "support_staff": support_staff, "warehouse_capacity": warehouse_capacity}
        cfg = classroom_config(scenario, network, levers, word_of_mouth, referral_reward, customers, days,
                               parse_seed(seed), competition)
        spec = parse_config(cfg)
        super().__init__(spec, levers=build_levers(spec), service=make_service(spec))
        self.settings = {"scenario": scenario, "network": network, "competition": competition,
                         "word_of_mouth": word_of_mouth,
                         "referral_reward": referral_reward, **levers}
        rng = self.streams.generator("classroom_sample")  # its own stream: the run's draws are unchanged
        people = self.population.size  # the people in the market on day 0 (an open population adds entrants)
        self.sample = snowball_sample(self.graph, people, min(SAMPLE_SIZE, people), rng)
        self.sample_edges = induced_edges(self.graph, self.sample)
        self.layout = sample_layout(self.sample.size, self.sample_edges, self.spec.seed)
        self.input_error: str | None = None


class PageModel(ClassroomModel):
    """The page's model: bad input is reported on the page instead of ending the session.

    A seed that is not a whole number runs with the default seed; levers the config rejects (say,
    a scenario's budget plan that cannot fit the budgets set) run the page's default levers. The
    KPI panel shows the error either way.

    Parameters
    ----------
    seed : int or str, optional
        As typed into the page.
    **kwargs
        The levers of :class:`ClassroomModel` (the page passes them by name).
    """

    def __init__(self, seed: int | str | None = DEFAULT_SEED, **kwargs: Any) -> None:
        errors = []
        try:
            parsed = parse_seed(seed)
        except ConfigError as bad_seed:
            parsed = DEFAULT_SEED
            errors.append(f"{bad_seed} This run uses seed {DEFAULT_SEED}.")
        try:
            super().__init__(seed=parsed, **kwargs)
        except ConfigError as bad_levers:  # raised while composing and checking, before any state exists
            errors.append(f"{bad_levers} This run uses the page's default levers.")
            super().__init__(seed=parsed, **{key: kwargs[key] for key in ("customers", "days") if key in kwargs})
        self.input_error = " ".join(errors) or None


# --------------------------------------------------------------------------- portrayal
def snowball_sample(graph: Graph | None, n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Rows of ``size`` customers among the first ``n`` reached breadth-first from random starts (ties
    kept visible).

    Without a graph (fully mixed or personal groups) it is a simple random sample.
    """
    if graph is None:
        return np.sort(rng.choice(n, size, replace=False))
    taken = np.zeros(n, bool)
    chosen: list[int] = []
    frontier: deque[int] = deque()
    while len(chosen) < size:
        if not frontier:
            start = int(rng.choice(np.flatnonzero(~taken)))
            taken[start] = True
            frontier.append(start)
        row = frontier.popleft()
        chosen.append(row)
        neighbours = graph.indices[graph.indptr[row]:graph.indptr[row + 1]]
        neighbours = neighbours[neighbours < n]  # an open population's graph also ties rows of later entrants
        fresh = rng.permutation(neighbours[~taken[neighbours]])
        taken[fresh] = True
        frontier.extend(int(v) for v in fresh)
    return np.array(chosen, np.int64)


def induced_edges(graph: Graph | None, sample: np.ndarray) -> np.ndarray:
    """Ties among the sampled customers, as pairs of positions in ``sample`` (each tie once)."""
    if graph is None:
        return np.zeros((0, 2), np.int64)
    position = np.full(graph.indptr.size - 1, -1, np.int64)
    position[sample] = np.arange(sample.size)
    degree = graph.indptr[sample + 1] - graph.indptr[sample]
    starts = np.repeat(graph.indptr[sample], degree)
    offsets = np.arange(degree.sum()) - np.repeat(np.cumsum(degree) - degree, degree)
    source = np.repeat(np.arange(sample.size), degree)
    target = position[graph.indices[starts + offsets]]
    keep = target > source
    return np.column_stack([source[keep], target[keep]])


def sample_layout(size: int, edges: np.ndarray, seed: int) -> np.ndarray:
    """Node positions (size x 2), computed once per run: spring layout, or a circle without ties."""
    if edges.size == 0:
        angle = np.linspace(0.0, 2 * np.pi, size, endpoint=False)
        return np.column_stack([np.cos(angle), np.sin(angle)])
    graph = nx.Graph()
    graph.add_nodes_from(range(size))
    graph.add_edges_from(edges.tolist())
    positions = nx.spring_layout(graph, seed=seed, iterations=60)
    return np.array([positions[k] for k in range(size)])


def stage_colours(stages: np.ndarray) -> np.ndarray:
    """RGB hex colour of each stage code (``plots.STAGE_COLOURS``)."""
    palette = np.array([plots.STAGE_COLOURS[name] for name in STAGE_NAMES])
    return palette[stages.astype(np.int64)]


