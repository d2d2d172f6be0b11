"""The trainer's page: watch journeys move on a word-of-mouth network and pull the levers live.

Serve it with ``journey-app`` (or ``solara run journeysim.app``) and open the printed address.
The page is Mesa's SolaraViz: Step, play/pause and Reset in the sidebar, the levers below them.
Lever changes take effect when Reset is pressed: the model is rebuilt from the chosen scenario
with the levers applied as config overrides, so the page runs exactly what ``journey`` would run.

Order of this file: the page's model (a :class:`JourneyModel` built from keyword levers), then as
in Mesa's examples: portrayal (network sample, layout, stage colours), ``model_params`` (seed
first), plot components, ``page``; ``journey-app`` itself is :func:`journeysim.cli.app_main`.
"""

from __future__ import annotations

import html
import threading
from collections import deque
from typing import Any

import networkx as nx
import numpy as np
import solara
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mesa.visualization import Slider, SolaraViz
from omegaconf import DictConfig, OmegaConf, open_dict

from journeysim import plots, units
from journeysim.api import compose_config
from journeysim.cli import app_main, group_options
from journeysim.runner import make_service
from journeysim.scenarios.levers import build_levers
from journeysim.scenarios.spec import parse_config
from journeysim.sim import kpis
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


def _default_config() -> DictConfig:
    with _compose_lock:
        return compose_config("baseline", [f"network={DEFAULT_NETWORK}"])


SCENARIOS = scenario_choices()
NETWORKS = network_choices()
DEFAULTS = _default_config()
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


def lever_overrides(levers: dict[str, Any], customers: int, days: int, network: str) -> list[str]:
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
    """
    overrides = [f"network={network}", f"population.size={customers}", f"days={days}",
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
                     referral_reward: float, customers: int, days: int, seed: int | None) -> DictConfig:
    """The resolved config of one page run: the scenario, then the levers on top."""
    if scenario not in SCENARIOS:
        raise ConfigError("scenario", scenario, f"one of {', '.join(SCENARIOS)}")
    if network not in NETWORKS:
        raise ConfigError("network", network, f"one of {', '.join(NETWORKS)}")
    if not 0 <= word_of_mouth <= 10:
        raise ConfigError("word_of_mouth", word_of_mouth, "a multiplier from 0 to 10")
    with _compose_lock:
        cfg = compose_config(scenario, lever_overrides(levers, customers, days, network), seed=seed)
    cfg.network.talk_rate = min(1.0, float(cfg.network.talk_rate) * word_of_mouth)
    with_referral_programme(cfg, referral_reward)
    return cfg


class ClassroomModel(JourneyModel):
    """The journey model behind the page, built from keyword levers (SolaraViz resets with them).

    Parameters
    ----------
    scenario : str
        A journey scenario of ``conf/scenario``; its own levers run on top of the page's.
    network : str
        Word-of-mouth network type (``conf/network``).
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
                               parse_seed(seed))
        spec = parse_config(cfg)
        super().__init__(spec, levers=build_levers(spec), service=make_service(spec))
        self.settings = {"scenario": scenario, "network": network, "word_of_mouth": word_of_mouth,
                         "referral_reward": referral_reward, **levers}
        rng = self.streams.generator("classroom_sample")  # its own stream: the run's draws are unchanged
        self.sample = snowball_sample(self.graph, self.state.size, min(SAMPLE_SIZE, self.state.size), rng)
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
        The levers of :class:`ClassroomModel` (SolaraViz passes them by name).
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
    """Rows of ``size`` customers reached breadth-first from random starts (ties kept visible).

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


# --------------------------------------------------------------------------- model_params
def _budget_slider(channel: str) -> Slider:
    default = DEFAULT_BUDGETS[channel]
    top = max(10 * default, 400.0)
    return Slider(f"{channel.upper() if channel == 'tv' else channel.capitalize()} budget (per day)",
                  value=int(default), min=0, max=int(top), step=4)


model_params = {
    "seed": {"type": "InputText", "value": DEFAULT_SEED, "label": "Random seed"},
    "scenario": {"type": "Select", "value": "baseline", "values": SCENARIOS, "label": "Scenario"},
    "network": {"type": "Select", "value": DEFAULT_NETWORK, "values": NETWORKS, "label": "Network type"},
    **{f"{channel}_budget": _budget_slider(channel) for channel in MAIN_CHANNELS},
    "discount": Slider("Promotion discount", value=0.0, min=0.0, max=0.5, step=0.05),
    "checkout_friction": Slider("Checkout abandonment", value=float(DEFAULTS.market.checkout_friction),
                                min=0.0, max=0.8, step=0.05),
    "word_of_mouth": Slider("Word-of-mouth strength (x)", value=1.0, min=0.0, max=5.0, step=0.25),
    "referral_reward": Slider("Referral reward (0: none)", value=0, min=0, max=50, step=5),
    "support_staff": Slider("Support staff (per 10,000)", value=DEFAULT_STAFF, min=1, max=12, step=1),
    "warehouse_capacity": Slider("Warehouse orders/day (per 10,000)", value=DEFAULT_CAPACITY,
                                 min=20, max=600, step=20),
    "customers": CUSTOMERS,
    "days": DAYS,
}


# --------------------------------------------------------------------------- plot components
def _figure(size: tuple[float, float] = (6.4, 4.2), **margins: float) -> tuple[Figure, Any]:
    """A figure with one Axes and fixed margins (figure fractions): a constrained layout would
    cost about as much as drawing, on every step."""
    figure = Figure(figsize=size)
    figure.subplots_adjust(**{"left": 0.12, "right": 0.97, "bottom": 0.12, "top": 0.92, **margins})
    return figure, figure.subplots()


def network_figure(model: ClassroomModel) -> Figure:
    """The sampled customers and their ties, coloured by today's stage."""
    figure, ax = _figure(left=0.01, right=0.8, bottom=0.01, top=0.93)
    xy = model.layout
    if model.sample_edges.size:
        segments = np.stack([xy[model.sample_edges[:, 0]], xy[model.sample_edges[:, 1]]], axis=1)
        ax.add_collection(LineCollection(segments, colors="#9e9e9e", linewidths=0.4, alpha=0.5, zorder=1))
    ax.scatter(xy[:, 0], xy[:, 1], s=22, c=stage_colours(model.state.stage[model.sample]),
               edgecolors="#555555", linewidths=0.3, zorder=2)
    ties = "no ties drawn: anyone talks to anyone" if model.graph is None else f"{len(model.sample_edges)} ties"
    ax.set_title(f"Word of mouth: {model.sample.size} customers, {ties} (day {model.day})", fontsize=10)
    ax.set_axis_off()
    handles = [Line2D([], [], marker="o", linestyle="", markersize=6, color=plots.STAGE_COLOURS[name], label=name)
               for name in STAGE_NAMES]
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=8)
    return figure


def occupancy_figure(model: JourneyModel) -> Figure:
    """Customers in each stage by day, so far."""
    figure, ax = _figure(right=0.8)
    counts = model.collector.stage_counts[: model.day + 1]
    days = np.arange(counts.shape[0])
    ax.stackplot(days, counts.T, labels=STAGE_NAMES, colors=[plots.STAGE_COLOURS[s] for s in STAGE_NAMES],
                 linewidth=0)
    ax.set(xlabel="day", ylabel="customers", title="Stage occupancy", xlim=(0, max(model.day, 30)),
           ylim=(0, model.state.size))
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=8, reverse=True)
    return figure


def funnel_figure(model: JourneyModel) -> Figure:
    """Customers who have ever reached each funnel stage."""
    figure, ax = _figure((6.4, 3.8), left=0.16, bottom=0.14, top=0.9)
    plots.plot_funnel(kpis.funnel(model), ax=ax)
    return figure


def operations_figure(model: JourneyModel) -> Figure:
    """Service load by day: support tickets waiting and orders waiting in the warehouse."""
    figure = Figure(figsize=(6.4, 3.6))
    figure.subplots_adjust(left=0.1, right=0.97, bottom=0.15, top=0.9, wspace=0.4)
    queue_ax, backlog_ax = figure.subplots(1, 2)
    daily, days = model.collector.daily, np.arange(model.day)
    queue_ax.plot(days, daily["queue_tickets"][: model.day], color="#de2d26")
    queue_ax.set(xlabel="day", ylabel="tickets", title="Support queue", xlim=(0, max(model.day, 30)))
    backlog_ax.plot(days, daily["backlog_orders"][: model.day], color="#756bb1")
    backlog_ax.set(xlabel="day", ylabel="orders", title="Warehouse backlog", xlim=(0, max(model.day, 30)))
    for ax in (queue_ax, backlog_ax):
        ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 5))
    return figure


def _figure_panel(draw, model: JourneyModel):
    """A figure component redrawn only when the run or its day changes (not on every lever move)."""
    changes = [model, model.day]
    figure = solara.use_memo(lambda: draw(model), dependencies=changes)
    return solara.FigureMatplotlib(figure, dependencies=changes, format="png")


def NetworkPanel(model: ClassroomModel):  # noqa: N802 - Solara components are capitalised
    """Network panel component."""
    return _figure_panel(network_figure, model)


def OccupancyPanel(model: JourneyModel):  # noqa: N802
    """Stage-occupancy panel component."""
    return _figure_panel(occupancy_figure, model)


def FunnelPanel(model: JourneyModel):  # noqa: N802
    """Funnel panel component."""
    return _figure_panel(funnel_figure, model)


def OperationsPanel(model: JourneyModel):  # noqa: N802
    """Service-load panel component."""
    return _figure_panel(operations_figure, model)


def kpi_rows(model: JourneyModel) -> list[tuple[str, str]]:
    """Live KPI figures (label, value) from :mod:`journeysim.sim.kpis`, written by :mod:`journeysim.units`
    exactly as the terminal's KPI table writes them."""
    daily, yesterday = model.collector.daily, max(model.day - 1, 0)
    currency = currency_from(model.spec)
    live = {
        "acquisitions": kpis.acquisitions(model),
        "churned": kpis.total(model, "churned"),
        "churn_rate_per_year": kpis.churn_rate(model),
        "nps": kpis.nps(model),
        "revenue": kpis.revenue(model),
        "spend": kpis.spend(model),
        "profit": kpis.profit(model),
        "cac": kpis.cac(model),
        "word_of_mouth_share": kpis.word_of_mouth_share(model),
        "queue_tickets": float(daily["queue_tickets"][yesterday]),
        "mean_wait_days": float(daily["mean_wait_days"][yesterday]) if model.day else float("nan"),
        "backlog_orders": float(daily["backlog_orders"][yesterday]),
    }
    return units.kpi_rows({**live, "not_applicable": kpis.not_applicable(model)}, currency, keys=live)


def stage_line(model: JourneyModel) -> str:
    """Today's stage counts as one line of text."""
    counts = kpis.stage_counts(model)
    return " · ".join(f"{name} {count:,}" for name, count in counts.items())


def lever_line(model: ClassroomModel) -> str:
    """The levers this run was built with, as one line of text."""
    s = model.settings
    budgets = ", ".join(f"{name} {s[f'{name}_budget']:g}" for name in MAIN_CHANNELS)
    referral = f"referral reward {s['referral_reward']:g}" if s["referral_reward"] else "no page referral programme"
    return (f"scenario {s['scenario']}, network {s['network']}, seed {model.spec.seed}; budgets/day: {budgets}; "
            f"discount {s['discount']:.0%}; checkout abandonment {s['checkout_friction']:.0%}; "
            f"word of mouth x{s['word_of_mouth']:g}; {referral}; support staff {s['support_staff']:g}; "
            f"warehouse {s['warehouse_capacity']:g} orders/day (per 10,000); "
            f"scenario levers: {', '.join(lever.name or type(lever).__name__ for lever in model.levers) or 'none'}")


SLIDER_VALUES_CSS = """
.v-slider [role="slider"]::after {
    content: attr(aria-valuenow); position: absolute; top: 10px; left: 50%;
    transform: translateX(-50%); font-size: 11px; color: #555; white-space: nowrap;
}
"""
"""Show each slider's value under its thumb (SolaraViz's sliders show it only while dragged)."""


def kpi_table(rows: list[tuple[str, str]], columns: int = 2) -> str:
    """HTML table of (label, value) pairs, ``columns`` pairs per row (no Markdown: its maths
    renderer would be fetched from a CDN, which classrooms behind firewalls cannot reach)."""
    cells = [f'<td style="white-space:nowrap">{html.escape(k)}</td>'
             f'<td style="text-align:right;padding-right:1.5em;white-space:nowrap">{html.escape(v)}</td>'
             for k, v in rows]
    body = "".join("<tr>" + "".join(cells[start:start + columns]) + "</tr>" for start in range(0, len(cells), columns))
    return f'<table class="journey-kpis" style="border-spacing:0.6em 0.15em">{body}</table>'


def KpiPanel(model: ClassroomModel):  # noqa: N802
    """Live KPI readouts, today's stage counts and the levers of this run."""
    with solara.Column(gap="4px", style={"font-size": "0.9em"}) as panel:
        solara.Style(SLIDER_VALUES_CSS)
        if getattr(model, "input_error", None):
            solara.Error(model.input_error)
        solara.Text(f"Day {model.day} of {model.spec.days}, {model.spec.population.size:,} customers",
                    style={"font-weight": "bold"})
        solara.Text(stage_line(model), classes=["journey-stage-counts"])
        solara.HTML(tag="div", unsafe_innerHTML=kpi_table(kpi_rows(model)))
        solara.Text("This run: " + lever_line(model), classes=["journey-levers"], style={"font-size": "0.85em"})
        solara.Text("Move a lever, then press Reset: the run restarts with it.", style={"font-style": "italic"})
    return panel


# --------------------------------------------------------------------------- page
@solara.component
def Page():  # noqa: N802
    """The page, with one model per browser session (classmates' tabs never share a run)."""
    model = solara.use_memo(lambda: PageModel(seed=DEFAULT_SEED), dependencies=[])
    return SolaraViz(
        model,
        components=[NetworkPanel, OccupancyPanel, KpiPanel, FunnelPanel, OperationsPanel],
        model_params=model_params,
        name="journeysim: customer journeys, live",
    )


page = Page()


# --------------------------------------------------------------------------- console script
main = app_main  # ``journey-app`` (:func:`journeysim.cli.app_main`) serves this module's ``page``
