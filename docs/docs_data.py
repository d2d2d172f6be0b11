"""Every figure and number of the documentation, with the script that makes it: ``make docs-data``.

Each :class:`Source` names the files it writes under ``docs/`` and the command that writes them.
``python docs/docs_data.py`` (what ``make docs-data`` runs) regenerates every source that is
cheap enough to rerun (a few minutes on 2 cores in all); the others take long runs and are kept
as measured, with their command and date, which the page "Where the numbers come from" shows
(generated from :data:`SOURCES` by ``docs/hooks.py``). ``make docs`` only reads these files: it
never rewrites a tracked file.

    python docs/docs_data.py                   # regenerate every cheap source
    python docs/docs_data.py --only baseline   # one source
    python docs/docs_data.py --list            # what is regenerated and what is kept as measured
"""

from __future__ import annotations

import argparse
import runpy
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent


@dataclass(frozen=True)
class Source:
    """A group of documentation files made by one command.

    Attributes
    ----------
    name : str
        Short name (``--only NAME``).
    outputs : tuple of str
        Files it writes, relative to ``docs/`` (figures and tables the pages show).
    command : str
        The command a reader runs to make them again.
    make : callable or None
        How ``make docs-data`` regenerates them (``make(docs_dir)``); None for a long run kept as
        measured.
    measured : str
        For a long run: the date (UTC) its committed outputs were measured, and on what.
    """

    name: str
    outputs: tuple[str, ...]
    command: str
    make: Callable[[Path], None] | None = None
    measured: str = ""


# --------------------------------------------------------------------------- cheap sources
BASELINE_SIZE, BASELINE_SEED = 10_000, 0
"""The baseline run of the getting-started page: ``journey`` with its defaults, seed 0."""

BASELINE_FIGURES = ("stages", "flows", "funnel", "channels", "service")


def baseline_kpi_table(customers: int = BASELINE_SIZE, seed: int = BASELINE_SEED, days: int | None = None) -> str:
    """The headline KPI table of one baseline run, as Markdown (what ``journey`` prints)."""
    from journeysim import simulate
    from journeysim.units import currency_from, kpi_rows

    overrides = {"population.size": customers} | ({"days": days} if days else {})
    result = simulate("baseline", overrides=overrides, seed=seed)
    return kpi_markdown(result, currency_from(result.config), kpi_rows)


def kpi_markdown(result, currency, kpi_rows) -> str:
    """A run's headline KPIs as a two-column Markdown table with a caption line."""
    kpis = result.kpis
    lines = [f"*`journey scenario={result.summary.get('scenario')} population.size={kpis['customers']} "
             f"days={kpis['days']} seed={result.summary.get('seed')}`, written by `docs/docs_data.py`*", "",
             "| KPI | value |", "|---|---:|"]
    lines += [f"| {label} | {value} |" for label, value in kpi_rows(kpis, currency)]
    return "\n".join(lines) + "\n"


def make_defaults(docs: Path) -> None:
    """``defaults.md``: every default of the run config with its source (from the YAML comments)."""
    sys.path.insert(0, str(Path(__file__).parent))
    import generated_pages

    write(docs / "defaults.md", generated_pages.defaults_page())


def make_baseline(docs: Path) -> None:
    """The baseline run's figures (``images/baseline_*.png``) and KPI table (``data/baseline_kpis.md``)."""
    from journeysim import simulate
    from journeysim.units import currency_from, kpi_rows

    with tempfile.TemporaryDirectory() as tmp:
        result = simulate("baseline", overrides={"population.size": BASELINE_SIZE}, seed=BASELINE_SEED,
                          path=Path(tmp) / "baseline", figures=True)
        for name in BASELINE_FIGURES:
            shutil.copyfile(Path(tmp) / "baseline" / f"{name}.png", docs / "images" / f"baseline_{name}.png")
    write(docs / "data" / "baseline_kpis.md", kpi_markdown(result, currency_from(result.config), kpi_rows))


JOURNEY_MAP_PERSONA = "deal_seeker"


def make_journey_map(docs: Path) -> None:
    """The journey-maps page: the baseline run's map for everyone and for one persona, and its table."""
    from journeysim import simulate
    from journeysim.outputs import write_figure
    from journeysim.plots import headless_axes

    result = simulate("baseline", overrides={"population.size": BASELINE_SIZE}, seed=BASELINE_SEED)
    for persona, name in ((None, "journey_map.png"), (JOURNEY_MAP_PERSONA, f"journey_map_{JOURNEY_MAP_PERSONA}.png")):
        write_figure(docs / "images" / name,
                     result.plot_journey_map(persona=persona, ax=headless_axes("journey_map")).figure)
    table = result.journey_map[result.journey_map["persona"] == "all"]
    columns = ["stage", "mean_customers", "stays", "median_days", "onward_share", "fall_back_share", "drop_off_share",
               "open_share", "abandoned_carts_per_100_stays", "late_deliveries_per_100_stays", "mean_satisfaction"]
    lines = [f"*`journey population.size={BASELINE_SIZE} seed={BASELINE_SEED}`: `journey_map.csv`, rows of "
             "`persona = all`; written by `docs/docs_data.py`*", "",
             "| " + " | ".join(columns) + " |", "|---|" + "---:|" * (len(columns) - 1)]
    for row in table[columns].itertuples(index=False):
        lines.append("| " + " | ".join(f"{v:,.2f}" if isinstance(v, float) else str(v) for v in row) + " |")
    write(docs / "data" / "journey_map.md", "\n".join(lines) + "\n")


def make_competition(docs: Path) -> None:
    """The competition page: a three-brand year's figures and its brand table (what ``journey`` prints)."""
    from journeysim import simulate
    from journeysim.report import BRAND_COLUMNS, BRAND_HEADERS
    from journeysim.units import format_kpi

    with tempfile.TemporaryDirectory() as tmp:
        result = simulate("baseline", overrides={"population.size": BASELINE_SIZE, "competition": "three_brands"},
                          seed=BASELINE_SEED, path=Path(tmp) / "three", figures=True)
        for name in ("brand_shares", "switching"):
            shutil.copyfile(Path(tmp) / "three" / f"{name}.png", docs / "images" / f"competition_{name}.png")
    section = result.summary["competition"]
    lines = [f"*`journey competition=three_brands population.size={BASELINE_SIZE} seed={BASELINE_SEED}`, "
             "written by `docs/docs_data.py`*", "",
             "| brand | " + " | ".join(BRAND_HEADERS[key] for key in BRAND_COLUMNS) + " |",
             "|---|" + "---:|" * len(BRAND_COLUMNS)]
    lines += [f"| {brand} | " + " | ".join(format_kpi(key, section[key][brand]) for key in BRAND_COLUMNS) + " |"
              for brand in section["brands"]]
    lines += ["", f"Our checkout and reorder attempts won by a competitor: {section['lost_to_competitors']:,}."]
    write(docs / "data" / "competition_brands.md", "\n".join(lines) + "\n")


AB_SIZE = 20_000
AB_DESIGN = ("--start", "60", "--window", "28")


def make_ab_tests(docs: Path) -> None:
    """The A/B page: the readout of a lever with a known effect and of a null lever (20,000
    customers), and 40 tests of the known lever (1,000 customers) in one figure.

    The null lever "changes" checkout friction to its configured default (``conf/config.yaml``'s
    ``market.checkout_friction``, 0.50 since 1bf710a), so its truth is exactly zero.
    """
    import contextlib
    import io

    from journeysim.api import compose_config
    from journeysim.experiments.ab import cli
    from journeysim.experiments.ab.method import ab_test
    from journeysim.experiments.ab.plots import plot_ab_tests
    from journeysim.outputs import write_figure
    from journeysim.plots import headless_axes

    default = f"{compose_config('baseline', []).market.checkout_friction:.2f}"
    for name, value in (("known", "0.15"), ("null", default)):
        printed = io.StringIO()
        with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(printed):
            cli.run_command(["--lever", "checkout_friction", "--value", value, *AB_DESIGN,
                             f"population.size={AB_SIZE}", f"hydra.run.dir={tmp}"])
        readout = "\n".join(line for line in printed.getvalue().splitlines() if not line.startswith("outputs:"))
        write(docs / "data" / f"ab_{name}.md",
              f"*`journey-ab --lever checkout_friction --value {value} {' '.join(AB_DESIGN)} "
              f"population.size={AB_SIZE}`, written by `docs/docs_data.py`*\n\n```text\n{readout}\n```\n")
    many = ab_test(["population.size=1000"], "checkout_friction", 0.10, 20, 20, tests=40, jobs=2)
    write_figure(docs / "images" / "ab_tests.png",
                 plot_ab_tests(many.tests, "conversion", ax=headless_axes("ab_tests")).figure)


def make_adaptive(docs: Path) -> None:
    """The continuous-optimisation section: the adaptive budget's shares over one run (the first
    fresh seed of journey-optimise) in the default market and in the clear-channel market."""
    from matplotlib.figure import Figure

    from journeysim.experiments.compose import compose_base
    from journeysim.experiments.optimisation import bind, parse_plan, read_plan_file
    from journeysim.experiments.optimisation.adaptive import adaptive_path
    from journeysim.experiments.optimisation.plots import plot_adaptive_path
    from journeysim.outputs import write_figure

    fig = Figure(figsize=(9, 6), layout="constrained")
    for ax, (source, settings) in zip(fig.subplots(2, 1), (("budget", {}), (
            str(REPO / "examples" / "adaptive_clear_channel.yaml"), {"every": 7})), strict=True):
        plan = parse_plan(*read_plan_file(source))
        problem = bind(plan, compose_base(plan.scenario, plan.overrides))
        seed = plan.fresh_seeds[0]
        plot_adaptive_path(adaptive_path(problem, settings, seed), problem.configured.daily(1.0), problem.days,
                           ax=ax)
        ax.set_title(f"{plan.name}: seed {seed}, reallocating every {settings.get('every', 14)} days",
                     fontsize="small")
    write_figure(docs / "images" / "adaptive_shares.png", fig)


BLACK_FRIDAY = ("black_friday_burst", "support_staffing")
BLACK_FRIDAY_KPIS = ("orders", "revenue", "spend", "profit", "nps", "returns")


def black_friday_table(customers: int = 10_000, seeds: int = 5) -> str:
    """The worked example of the what-if page: burst against burst with peak staffing, paired by seed."""
    from journeysim import comparison_markdown, sweep

    comparison = sweep(list(BLACK_FRIDAY), seeds=seeds, overrides={"population.size": customers},
                       reference=BLACK_FRIDAY[0])
    caption = (f"*{seeds} seeds × {customers:,} customers × one year, mean ± 95% t half-width; written by "
               "`docs/docs_data.py` (`python docs/docs_data.py --only black_friday`)*")
    return included(caption, comparison_markdown(comparison, kpis=list(BLACK_FRIDAY_KPIS)))


def make_black_friday(docs: Path) -> None:
    """The what-if page's figure (seed 0) and its table over five seeds."""
    import matplotlib

    matplotlib.use("Agg")
    from journeysim import simulate
    from journeysim.plots import plot_what_if

    runs = {name: simulate(name, overrides={"population.size": 10_000}, seed=0)
            for name in ("baseline", *BLACK_FRIDAY)}
    figure = plot_what_if({name: run.daily for name, run in runs.items()},
                          columns=("orders", "backlog_orders", "mean_delivery_days", "nps"),
                          start=280, stop=365, shade=(327, 334),
                          title="Black Friday week (shaded): burst alone vs burst with peak staffing, seed 0")
    figure.savefig(docs / "images" / "what_if_black_friday.png", dpi=130)
    write(docs / "data" / "black_friday.md", black_friday_table())


EXPERIMENTS = ("baseline", "referral_programme", "checkout_fix")


def make_experiments(docs: Path) -> None:
    """The experiments page's sweep: three scenarios × 10 seeds × 10,000 customers (30 one-year runs)."""
    import matplotlib

    matplotlib.use("Agg")
    from journeysim import comparison_markdown, sweep

    with tempfile.TemporaryDirectory() as tmp:
        comparison = sweep(list(EXPERIMENTS), seeds=10, overrides={"population.size": 10_000}, path=tmp, n_jobs=2)
        for name in ("comparison", "differences"):
            shutil.copyfile(Path(tmp) / f"{name}.png", docs / "images" / f"experiments_{name}.png")
    caption = ("*`journey --multirun scenario=baseline,referral_programme,checkout_fix seed='range(10)' "
               "population.size=10000`, as run by `python docs/docs_data.py --only experiments`*")
    write(docs / "data" / "experiments_comparison.md", included(caption, comparison_markdown(comparison)))


def make_sensitivity(docs: Path) -> None:
    """The experiments page's Morris screening: ``journey-sensitivity growth_levers`` (70 runs at 5,000)."""
    from importlib.metadata import entry_points

    main = entry_points(group="console_scripts")["journey-sensitivity"].load()  # wherever the module lives
    with tempfile.TemporaryDirectory() as tmp:
        if main(["growth_levers", f"hydra.run.dir={tmp}", "--jobs", "2"]):
            raise SystemExit("docs-data: journey-sensitivity growth_levers failed")
        shutil.copyfile(Path(tmp) / "morris.png", docs / "images" / "experiments_morris.png")
        morris = (Path(tmp) / "morris.md").read_text()
    caption = "*`journey-sensitivity growth_levers`, as run by `python docs/docs_data.py --only sensitivity`*"
    write(docs / "data" / "sensitivity_morris.md", included(caption, morris))


def make_validation(docs: Path) -> None:
    """The validation suite's tables and figures (``make validate``; about 21 minutes of CPU, seeded)."""
    from journeysim.experiments.validation import run

    status = run.main([f"hydra.run.dir={docs / 'validation'}", "--jobs", "2", "--seed", "0"])
    (docs / "validation" / "manifest.json").unlink(missing_ok=True)  # provenance of this run, not docs content
    shutil.rmtree(docs / "validation" / "calibration_recovery", ignore_errors=True)  # the recovery's data and fit
    if status:
        print("docs-data: validation: some criterion FAILED (see docs/validation/checks.csv)", flush=True)


GALLERY = ("bass", "black_friday", "networks", "what_if", "year_of_journeys")
GALLERY_FIGURES = {"bass": "bass_check.png", "black_friday": "black_friday_service.png",
                   "networks": "networks.png", "what_if": "what_if_digital_shift.png",
                   "year_of_journeys": "year_of_journeys.png"}


def gallery_maker(script: str) -> Callable[[Path], None]:
    """Run ``examples/gallery_<script>.py --out docs/images/gallery`` (its default sizes)."""
    def make(docs: Path) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        argv = sys.argv
        sys.argv = [f"gallery_{script}.py", "--out", str(docs / "images" / "gallery")]
        try:
            runpy.run_path(str(REPO / "examples" / f"gallery_{script}.py"), run_name="__main__")
        finally:
            sys.argv = argv
            plt.close("all")
    return make


def included(caption: str, markdown: str) -> str:
    """A table written by a command, to include in a page: its caption, then the command's Markdown
    without headings (the page has its own)."""
    body = "\n".join(line for line in markdown.strip().splitlines() if not line.startswith("#")).strip()
    return f"{caption}\n\n{body}\n"


def write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (folders made as needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- the registry
MEASURED = "long run, measured 2026-11-24 on a 2-core machine, before the layout restructure (#16)"

SOURCES: tuple[Source, ...] = (
    Source("defaults", ("defaults.md",), "python docs/docs_data.py --only defaults", make_defaults),
    Source("baseline", (*(f"images/baseline_{n}.png" for n in BASELINE_FIGURES), "data/baseline_kpis.md"),
           "python docs/docs_data.py --only baseline", make_baseline),
    Source("black_friday", ("images/what_if_black_friday.png", "data/black_friday.md"),
           "python docs/docs_data.py --only black_friday", make_black_friday),
    *(Source(f"gallery_{name}", (f"images/gallery/{GALLERY_FIGURES[name]}",),
             f"python examples/gallery_{name}.py --out docs/images/gallery", gallery_maker(name))
      for name in GALLERY),
    Source("journey_map", ("images/journey_map.png", f"images/journey_map_{JOURNEY_MAP_PERSONA}.png",
                           "data/journey_map.md"), "python docs/docs_data.py --only journey_map", make_journey_map),
    Source("competition", ("images/competition_brand_shares.png", "images/competition_switching.png",
                           "data/competition_brands.md"), "python docs/docs_data.py --only competition",
           make_competition),
    Source("ab_tests", ("data/ab_known.md", "data/ab_null.md", "images/ab_tests.png"),
           "python docs/docs_data.py --only ab_tests", make_ab_tests),
    Source("experiments", ("images/experiments_comparison.png", "images/experiments_differences.png",
                           "data/experiments_comparison.md"),
           "python docs/docs_data.py --only experiments", make_experiments),
    Source("sensitivity", ("images/experiments_morris.png", "data/sensitivity_morris.md"),
           "python docs/docs_data.py --only sensitivity", make_sensitivity),
    Source("attribution", ("images/truth.png", "images/attribution.png"),
           "journey-attribution scenario=attribution_lab --seeds 5 population.size=50000 hydra.run.dir=DIR",
           measured="long run (74 s on the 2-core machine, 124 s and up when busy), measured 2026-12-05 on "
                    "main 6722a62, after the attended-exposures change a23f0a1"),
    Source("truth_per_period", ("images/truth_weekly.png",),
           "journey-truth scenario=mmm_lab --seeds 5 population.size=5000 days=364 --pulses 2 --response 0.5,2 "
           "--jobs 2 hydra.run.dir=DIR (truth_weekly.png; the tables on the truth page)",
           measured="long run (187-325 s on the shared 2-core machine; 25 min busy on 12-04), measured 2026-12-05 "
                    "on main 6722a62, after the attended-exposures change a23f0a1"),
    Source("arena", ("images/arena_flighted.png", "images/arena_confounded.png", "images/arena_word_of_mouth.png"),
           "make arena (journey-truth then journey-arena per scenario: the commands on the arena page)",
           measured="long run (21 minutes on 2 cores: 100,000 customers, three years; most of it the truth "
                    "runs), measured 2026-12-06 on f3ce243, the true ROAS per unit of spend (#26)"),
    Source("arena_5y", ("images/arena_flighted_5y.png",),
           "journey-truth scenario=mmm_lab population.size=100000 days=1820 --seeds 5 --pulses 0 --marginal false "
           "--response none --lift-tests 28 --jobs 2 hydra.run.dir=DIR, then journey-arena --truth flighted=DIR "
           "--calibrate --draws 300 --tune 300 --jobs 2 (its scoreboard.png)",
           measured="long run (14 minutes alone for the truth and 25 for its lift tests with other work on the "
                    "machine, 10 for the fits), measured 2026-12-06 on f3ce243, the true ROAS per unit of spend (#26)"),
    Source("arena_5y_persistent", ("images/arena_flighted_5y_persistent.png",),
           "make arena, its last step: journey-arena scenario=mmm_lab population.size=100000 days=1820 --seeds 10 "
           "--calibrate --lift-persistent email --label flighted --draws 300 --tune 300 --jobs 2 "
           "hydra.run.dir=outputs/arena/flighted_5y (its scoreboard.png)",
           measured="long run (27 minutes on the quiet 2-core machine: 100 truth runs, 150 lift-test runs, four "
                    "fits), measured 2026-12-06 on c519288 with --lift-persistent (#26)"),
    Source("calibration", ("images/calibration_posterior.png", "images/calibration_fit.png"),
           "journey-calibrate recovery (the commands on the calibration page)",
           measured="long run (586 s for both on the busy 2-core machine), measured 2026-12-05 on main 6722a62, "
                    "after the attended-exposures change a23f0a1"),
    Source("optimisation", ("images/optimise_tradeoff.png", "images/optimise_response.png"),
           "journey-optimise budget --jobs 2",
           measured="long run (about 4 minutes on the busy 2-core machine), measured 2026-12-05 on main 6722a62, "
                    "after the attended-exposures change a23f0a1 (with --adaptive: the adaptive_budget run)"),
    Source("adaptive_shares", ("images/adaptive_shares.png",), "python docs/docs_data.py --only adaptive_shares",
           make_adaptive),
    Source("adaptive_budget", ("data/adaptive_budget.md", "data/adaptive_clear_channel.md"),
           "journey-optimise budget --adaptive --jobs 2 hydra.run.dir=DIR (the optimisation figures too) and "
           "journey-optimise examples/adaptive_clear_channel.yaml --adaptive-settings every=7 --no-curves --jobs 2 "
           "hydra.run.dir=DIR (each DIR/best_plan.md)",
           measured="long run (about 5 minutes together on the busy 2-core machine), measured 2026-12-05 on main "
                    "6722a62, after the attended-exposures change a23f0a1 (#25)"),
    Source("validation", tuple(f"validation/{name}" for name in (
        "checks.csv", "bass_products.csv", "bass_products.png", "talk_of_the_network.png",
        "talk_of_the_network_effects.csv", "talk_of_the_network_runs.csv", "network_speed.csv",
        "network_speed.png", "network_speed_curves.csv", "epidemic_threshold.csv", "epidemic_threshold.png",
        "epidemic_threshold_runs.csv", "price_elasticity.csv",
        *(f"{fact}.{ext}" for fact in ("price_response", "advertising_elasticity", "repeat_buying", "cart_abandonment",
                                       "organic_base", "repeat_profile") for ext in ("csv", "png")),
        "ab_calibration_aa.csv", "ab_calibration_known.csv", "ab_calibration.png",
        "brand_laws_toothpaste.csv", "brand_laws_toothpaste.png", "brand_laws_market.csv", "brand_laws_market.png",
        "brand_laws_market_seeds.csv", "cross_price_elasticity.csv", "cross_price_elasticity.png",
        *(f"facts_three_brands{part}" for part in (".csv", ".png", "_price.csv", "_advertising.csv", "_nbd.csv",
                                                   "_cart.csv", "_organic.csv", "_profile.csv")),
        "device_gap.csv", "device_gap.png", "buying_committees.csv", "buying_committees.png",
        "service_burst.csv", "service_burst_notifications.csv", "support_queues.csv", "support_queues.png",
        "calibration_recovery.csv", "calibration_recovery.png", "lift_interference.csv", "lift_interference.png")),
           "make validate (python -m journeysim.experiments.validation.run)", make_validation),
    Source("app", ("images/app-1366.png", "images/app-1920.png", "images/app-390.png", "images/app-journey-map.png"),
           "JOURNEYSIM_SCREENSHOTS=docs/images pytest tests/test_app.py -k 'fits or stacks or teaching' (the page's "
           "layout tests at day 7, a phone's among them; the journey map at the teaching script's day 730)",
           measured="screenshots by the browser test, looked at before each commit (#28)"),
    Source("performance", (), "make bench (the table on the performance page)", measured=MEASURED),
    Source("errors", (), "python tests/test_config_errors.py (the table of messages on the errors page)",
           measured="checked against fresh runs by tests/test_config_errors.py in every test run"),
)
"""Every source of a figure or number in ``docs/``; a test checks that each file a page shows is here."""


def sources_markdown() -> str:
    """The table of the page "Where the numbers come from"."""
    rows = ["| files (under `docs/`) | made by | regenerated by `make docs-data` |", "|---|---|---|"]
    for source in SOURCES:
        files = "<br>".join(f"`{name}`" for name in source.outputs) or "numbers in the page's text"
        how = "yes" if source.make else f"no: {source.measured}"
        rows.append(f"| {files} | `{source.command}` | {how} |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Regenerate the cheap sources (all, or ``--only`` some); ``--list`` shows the registry."""
    parser = argparse.ArgumentParser(prog="python docs/docs_data.py", description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=[s.name for s in SOURCES if s.make], metavar="NAME",
                        help="regenerate these sources only")
    parser.add_argument("--list", action="store_true", help="list every source and exit")
    args = parser.parse_args(argv)
    if args.list:
        print(sources_markdown())
        return 0
    for source in SOURCES:
        if source.make is None or (args.only and source.name not in args.only):
            continue
        print(f"docs-data: {source.name}: {source.command}", flush=True)
        source.make(DOCS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
