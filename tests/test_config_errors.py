"""Every class of bad input gets one paragraph naming the key, the value and what is allowed.

The command line prints it and exits with status 2, never a traceback; ``docs/errors.md``
lists the same messages (regenerate its table with ``python tests/test_config_errors.py``).
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from journeysim import cli
from journeysim.api import compose_config
from journeysim.scenarios.spec import parse_config
from journeysim.sim import validate
from journeysim.sim.config import to_container
from journeysim.sim.errors import ConfigError
from journeysim.sim.validate import Column, check_memory, estimate_bytes, read_csv_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "errors.md"
FIXED_MEMORY = 16 * 2**30
"""Bytes 'available' while the documented cases run, so the memory message is reproducible."""
BASE_ARGS = ("population.size=1000", "days=5", "outputs.progress=false", "outputs.figures=false",
             "hydra.run.dir=run")


@dataclass(frozen=True)
class Case:
    """One documented class of bad input: an example command line and words its message must hold.

    ``cli``: the error comes from Hydra or from building the model, so the case runs ``journey``
    itself; the others are caught by ``parse_config``, whose message ``journey`` prints as is.
    """

    kind: str
    args: tuple[str, ...]
    words: tuple[str, ...]
    cli: bool = False


CASES = (
    Case("probability outside [0, 1]", ("market.checkout_friction=1.5",),
         ("market.checkout_friction", "1.5", "from 0.0 to 1.0")),
    Case("buying committee's talk rate outside [0, 1]", ("population=b2b", "population.buying_rule.internal_talk=1.5"),
         ("population.buying_rule.internal_talk", "1.5", "from 0.0 to 1.0")),
    Case("share outside [0, 1]", ("population.personas.loyalist.share=-0.2",),
         ("population.personas.loyalist.share", "-0.2", "from 0.0 to 1.0")),
    Case("persona shares not summing to 1", ("population.personas.deal_seeker.share=0.4",),
         ("population.personas.*.share", "summing to 1", "1.1")),
    Case("negative budget", ("channels.search.daily_budget=-10",),
         ("channels.search.daily_budget", "-10", "at least 0")),
    Case("negative or zero cost", ("channels.tv.cpm=-5",), ("channels.tv.cpm", "-5", "greater than 0")),
    Case("negative price or unit cost", ("market.unit_cost=-3",), ("market.unit_cost", "-3", "at least 0")),
    Case("size below 1", ("population.size=-5",), ("population.size", "-5", "at least 1")),
    Case("days below 1", ("days=0",), ("days", "0", "from 1 to 36500")),
    Case("text where a number belongs", ("population.size=many",),
         ("population.size", "'many'", "a whole number of at least 1")),
    Case("switch that is not true/false", ("outputs.figures=maybe",), ("outputs.figures", "'maybe'", "true or false")),
    Case("unknown scenario", ("scenario=basline",), ("scenario", "'basline'", "did you mean 'baseline'"), cli=True),
    Case("unknown config group option", ("population=b3c",), ("population", "'b3c'", "b2b, b2c"), cli=True),
    Case("unknown channel name", ("channels.serch.daily_budget=10",),
         ("unknown key 'channels.serch' (value {'daily_budget': '10'})", "did you mean 'search'"), cli=True),
    Case("unknown channel in a persona's affinity", ("+population.personas.researcher.affinity.emial=2",),
         ("unknown key 'population.personas.researcher.affinity.emial' (value 2.0)", "did you mean 'email'")),
    Case("unknown persona name", ("population.personas.deal_seekr.share=0.3",),
         ("unknown key 'population.personas.deal_seekr' (value {'share': '0.3'})", "did you mean 'deal_seeker'"),
         cli=True),
    Case("unknown stage name", ("channels.search.target_stages=[aware,considring]",),
         ("channels.search.target_stages", "'considring'", "did you mean 'considering'")),
    Case("unknown key on the command line (typo)", ("market.chekout_friction=0.1",),
         ("unknown key 'market.chekout_friction' (value '0.1')", "did you mean 'checkout_friction'",
          "+market.chekout_friction=0.1"), cli=True),
    Case("unknown key inside a YAML section", ("--config-dir", "myconf", "channels=typo"),
         ("unknown key 'channels.search.budget' (value 120)", "did you mean 'daily_budget'"), cli=True),
    Case("unknown key added with +", ("+market.coupon=5",),
         ("unknown key 'market.coupon' (value 5)", "a key of market")),
    Case("malformed override", ("market.checkout_friction=[",),
         ("market.checkout_friction=[", "override grammar", "no viable alternative"), cli=True),
    Case("override without =", ("checkout_friction",), ("'checkout_friction'", "missing EQUAL"), cli=True),
    Case("interpolation that does not resolve", ("days=${horizon}",), ("days", "Interpolation key 'horizon'",)),
    Case("service schedule not starting on day 0", ("service.staff_schedule=[{from_day:5,staff:2}]",),
         ("service.staff_schedule[0].from_day", "5", "day 0")),
    Case("population too large for memory", ("population.size=10000000000",),
         ("population.size", "10000000000", "fits in memory", "16.0 GiB")),
    Case("network degree impossible for the size", ("network=erdos_renyi", "network.mean_degree=1500"),
         ("network.mean_degree", "1500", "less than population.size (1000)")),
    Case("Watts-Strogatz degree that is odd", ("network=watts_strogatz", "network.mean_degree=5"),
         ("network.mean_degree", "5", "even whole number")),
    Case("edge-list file missing", ("network=edge_list", "network.edge_list=no_such.csv"),
         ("network.edge_list", "'no_such.csv'", "existing CSV file")),
    Case("edge list: text where a customer row belongs", ("network=edge_list", "network.edge_list=words.csv"),
         ("words.csv, line 3, column 'target'", "'two'", "whole number from 0 to 999"), cli=True),
    Case("edge list: customer out of range", ("network=edge_list", "network.edge_list=range.csv"),
         ("range.csv, line 2, column 'target'", "'1000'", "from 0 to 999"), cli=True),
    Case("edge list: too few fields", ("network=edge_list", "network.edge_list=short.csv"),
         ("short.csv, line 4", "'a line of 1 field'", "at least 2 comma-separated fields", "found 1"), cli=True),
    Case("edge list: misspelt header", ("network=edge_list", "network.edge_list=header.csv"),
         ("header.csv, line 1", "missing: target", "'targt' meant to be 'target'"), cli=True),
    Case("edge list: no edge (empty, or a header only)", ("network=edge_list", "network.edge_list=header_only.csv"),
         ("header_only.csv", "'no edge'", "at least one source,target row"), cli=True),
    Case("edge list: only self-loops", ("network=edge_list", "network.edge_list=loops.csv"),
         ("loops.csv", "'2 self-loops'", "two different customers"), cli=True),
    Case("edge list: a customer id too large for any number type", ("network=edge_list", "network.edge_list=huge.csv"),
         ("huge.csv, line 2, column 'target'", "a field of 30 characters", "from 0 to 999"), cli=True),
    Case("edge list: some other file given by mistake", ("network=edge_list", "network.edge_list=notes.csv"),
         ("notes.csv, line 1", "'a first line of 1 field'", "a header naming the columns source, target"), cli=True),
    Case("seed beyond a 64-bit whole number", ("seed=1e40",), ("seed", "1e+40", "from 0 to 9223372036854775807")),
    Case("daily budget buying more impressions than memory holds", ("channels.search.daily_budget=1e13",),
         ("channels.search.daily_budget", "impressions a day", "16.0 GiB", "at most about"), cli=True),
)

FILES = {
    "words.csv": "source,target\n0,1\n1,two\n",
    "range.csv": "0,1\n1,1000\n",
    "short.csv": "# customer rows, 0-based\nsource,target\n0,1\n7\n",
    "header.csv": "source,targt\n0,1\n",
    "header_only.csv": "source,target\n",
    "loops.csv": "source,target\n3,3\n5,5\n",
    "huge.csv": "0,1\n1," + "9" * 30 + "\n",
    "notes.csv": "my private notes: the launch date is secret\n",
    "myconf/channels/typo.yaml": ("search:\n  kind: impressions\n  cpm: 800\n  budget: 120\n"
                                  "  effect: {aware: 0.5}\n"),
}


def write_files(folder: Path) -> None:
    """The data files and the user config the cases name, relative to ``folder``."""
    for name, text in FILES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def run_case(case: Case, folder: Path) -> tuple[int, str]:
    """Run ``journey`` in this process from ``folder``: (exit status, standard error)."""
    err = io.StringIO()
    flags = [i for i, a in enumerate(case.args) if a.startswith("--")]
    options = [case.args[j] for i in flags for j in (i, i + 1)]  # --config-dir DIR goes before the overrides
    argv = ["journey", *options, *BASE_ARGS, *(a for a in case.args if a not in options)]
    cwd, term = Path.cwd(), signal.getsignal(signal.SIGTERM)
    os.chdir(folder)
    try:
        with (mock.patch.object(sys, "argv", argv), contextlib.redirect_stderr(err),
              mock.patch.object(validate, "available_memory", return_value=FIXED_MEMORY)):
            try:
                cli.main()
                status = 0
            except SystemExit as stop:
                status = stop.code
    finally:
        os.chdir(cwd)
        signal.signal(signal.SIGTERM, term)
    return status, err.getvalue()


def message_for(case: Case, folder: Path) -> str:
    """The message ``journey`` prints for ``case`` (after ``journey: error: ``)."""
    if case.cli:
        status, stderr = run_case(case, folder)
        assert status == 2, stderr
        assert "Traceback" not in stderr
        return message_of(stderr)
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        with mock.patch.object(validate, "available_memory", return_value=FIXED_MEMORY):
            parse_config(compose_config(overrides=[*BASE_ARGS[:2], *case.args]))
    except ConfigError as error:
        return str(error)
    finally:
        os.chdir(cwd)
    raise AssertionError(f"no ConfigError for {case.args}")


def message_of(stderr: str) -> str:
    """The one error paragraph of a run's standard error."""
    lines = [line for line in stderr.splitlines() if line.startswith("journey: error: ")]
    assert len(lines) == 1, stderr
    return lines[0].removeprefix("journey: error: ")


def unlisted(text: str) -> str:
    """``text`` with the lists of valid names elided (others add scenarios and channels)."""
    return re.sub(r"one of [\w, ]+", "one of ...", text)


def doc_row(case: Case, message: str) -> str:
    """The row of the docs table for ``case``."""
    example = " ".join(case.args)
    cell = message.replace("|", "\\|")
    return f"| {case.kind} | `journey {example}` | `{cell}` |"


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cases")
    write_files(folder)
    return folder


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_each_bad_input_class_gets_its_documented_message(case: Case, case_dir: Path) -> None:
    message = message_for(case, case_dir)
    for word in case.words:
        assert word in message, (word, message)
    documented = unlisted(DOC.read_text())
    assert unlisted(doc_row(case, message)) in documented, f"docs/errors.md is stale for: {doc_row(case, message)}"


def test_a_config_error_is_printed_as_one_paragraph_with_exit_status_2(case_dir: Path) -> None:
    status, stderr = run_case(Case("negative budget", ("channels.search.daily_budget=-10",), ()), case_dir)
    assert status == 2 and "Traceback" not in stderr
    assert message_of(stderr) == "channels.search.daily_budget = -10 is not allowed: a number of at least 0.0."


def test_hydra_errors_exit_2_without_traceback_from_the_console_script(tmp_path) -> None:
    journey = Path(sys.executable).parent / "journey"
    args = ("market.chekout_friction=0.1",)
    result = subprocess.run([str(journey), *BASE_ARGS, *args], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env={k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "HYDRA_FULL_ERROR" not in result.stderr
    assert args[0].split("=")[0] in message_of(result.stderr)


# --------------------------------------------------------------------------- unknown keys in sections
@pytest.fixture(scope="module")
def base_config() -> dict:
    return to_container(compose_config(overrides=["population.size=1000", "days=5"]))


@pytest.mark.parametrize(("path", "typo", "expected"), [
    ((), "seeds", "seed"),
    (("population",), "sise", "size"),
    (("population", "personas", "loyalist"), "sharee", "share"),
    (("channels", "search"), "budget", "daily_budget"),
    (("channels", "search", "saturation"), "shap", "shape"),
    (("network",), "talk_rat", "talk_rate"),
    (("network", "talk"), "advocat", "advocate"),
    (("market",), "pric", "price"),
    (("market", "thresholds"), "awar", "aware"),
    (("outputs",), "figure", "figures"),
    (("service",), "ticket_probabilty", "ticket_probability"),
    (("service", "delivery_penalty"), "per_dy", "per_day"),
])
def test_every_section_rejects_unknown_keys_suggesting_the_closest(base_config, path, typo, expected) -> None:
    cfg = copy.deepcopy(base_config)
    node = cfg
    for key in path:
        node = node[key]
    node[typo] = 1.0
    with pytest.raises(ConfigError) as error:
        parse_config(cfg)
    assert error.value.key == ".".join((*path, typo))
    assert f"did you mean '{expected}'" in str(error.value)
    assert str(error.value).startswith(f"unknown key '{error.value.key}' (value 1.0);")  # the value, not the key


@pytest.mark.parametrize("currency", ["text", "EURO", "E1", "us$"])
def test_a_currency_that_is_no_three_letter_code_is_refused_naming_what_is_allowed(base_config, currency) -> None:
    cfg = copy.deepcopy(base_config)
    cfg["market"]["currency"] = currency
    with pytest.raises(ConfigError) as error:
        parse_config(cfg)
    assert error.value.key == "market.currency.code" and "three-letter ISO 4217 code" in str(error.value)
    assert f"= '{currency}'" in str(error.value)  # the value as given, not as it would be capitalised
    cfg["market"]["currency"] = "eur"
    assert parse_config(cfg).market.currency.code == "EUR"


@pytest.mark.parametrize("command", ["journey", "journey-truth", "journey-sensitivity", "journey-attribution"])
def test_an_unknown_key_names_the_value_given_to_it_not_the_key_again(command: str, tmp_path: Path,
                                                                      capsys) -> None:
    from journeysim import entry

    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        try:
            status = entry.launch(command, ["seed=2", "sedes=2"])
        except SystemExit as stop:
            status = stop.code
    finally:
        os.chdir(cwd)
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err
    assert f"{command}: error: unknown key 'sedes' (value '2'); did you mean 'seed'? Allowed: a key of the root " \
           "config, one of" in err
    assert "sedes = 'sedes'" not in err


def test_bass_scenario_rejects_unknown_keys_but_journey_scenarios_keep_lever_params(base_config) -> None:
    cfg = copy.deepcopy(base_config)
    cfg["scenario"] = {"name": "bass", "kind": "bass", "p": 0.03, "qq": 0.4}
    with pytest.raises(ConfigError, match="did you mean 'q'"):
        parse_config(cfg)
    cfg["scenario"] = {"name": "mine", "kind": "journey", "note": "free text for levers"}
    assert parse_config(cfg).scenario_params == {"note": "free text for levers"}


@pytest.mark.parametrize(("path", "value", "words"), [
    (("channels", "search", "effect"), 5, "a mapping of stage names"),
    (("channels", "search", "target_stages"), "aware", "a list of stage names"),
    (("channels", "search", "saturation"), [1, 2], "a mapping"),
    (("population", "personas", "loyalist", "affinity"), "email", "a mapping"),
    (("service", "staff_schedule"), 5, "a list of {from_day"),
    (("service", "wait_penalty", "shape"), "cubic", "one of linear, logistic"),
    (("days",), float("inf"), "a finite whole number"),
    (("population", "size"), float("nan"), "a finite whole number"),
    (("seed",), True, "a whole number from 0 to"),
    (("market", "price"), "cheap", "a number of at least 0.0"),
])
def test_wrong_types_get_a_config_error_not_a_crash(base_config, path, value, words) -> None:
    cfg = copy.deepcopy(base_config)
    node = cfg
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ConfigError, match=re.escape(words)):
        parse_config(cfg)


def test_a_missing_mandatory_value_names_its_key() -> None:
    cfg = compose_config(overrides=["population.size=1000", "market.price=???"])
    with pytest.raises(ConfigError) as error:
        parse_config(cfg)
    assert error.value.key == "market.price" and "it is missing" in str(error.value)


# --------------------------------------------------------------------------- memory
def test_memory_check_names_the_largest_population_that_fits(base_config) -> None:
    spec = parse_config(base_config)
    per_customer = estimate_bytes(spec) / spec.population.size
    available = int(per_customer * 200)
    big = parse_config({**base_config, "population": {**base_config["population"], "size": 100_000}},
                       check_resources=False)
    with pytest.raises(ConfigError) as error:
        check_memory(big, available=available)
    assert error.value.key == "population.size" and error.value.value == 100_000
    fits = int(str(error.value).split("at most about ")[1].split(" customers")[0].replace(",", ""))
    assert 0 < fits < 100_000
    small = parse_config({**base_config, "population": {**base_config["population"], "size": fits}},
                         check_resources=False)
    assert estimate_bytes(small) <= available


def test_memory_estimate_grows_with_eager_agents_and_random_graphs(base_config) -> None:
    def estimate(**changes) -> int:
        cfg = copy.deepcopy(base_config)
        for section, values in changes.items():
            cfg[section].update(values)
        return estimate_bytes(parse_config(cfg, check_resources=False))

    lazy = estimate(outputs={"mesa_agents": "lazy"})
    assert estimate(outputs={"mesa_agents": "eager"}) > lazy
    assert estimate(outputs={"mesa_agents": "lazy"}, network={"type": "erdos_renyi", "mean_degree": 20}) > 10 * lazy


def test_memory_estimate_counts_the_lifetime_table_of_a_long_run(base_config) -> None:
    from journeysim.sim.lifetime import CustomerValue

    cfg = copy.deepcopy(base_config)
    cfg["population"]["size"], cfg["days"] = 10, 36_500
    table = CustomerValue(10, ("search",), 36_500).margin_by_age.nbytes  # grows with the square of the days
    assert table > 300e6 and estimate_bytes(parse_config(cfg, check_resources=False)) > table


def test_memory_estimate_is_not_below_the_measured_peak_of_a_small_run(base_config) -> None:
    """State arrays of a built model (lazy agents) stay within the per-customer estimate."""
    from journeysim.runner import build_model

    cfg = copy.deepcopy(base_config)
    cfg["population"]["size"] = 20_000
    cfg["outputs"]["mesa_agents"] = "lazy"
    spec = parse_config(cfg)
    model = build_model(spec).run()
    held = model.state.nbytes() + sum(
        a.nbytes for c in model.touchpoints.channels for a in (c.stock, c.stock_day, c.dose_weight) if a is not None)
    assert held <= validate.bytes_per_customer(spec) * spec.population.size


# --------------------------------------------------------------------------- CSV data files
def test_csv_reader_takes_comments_blank_lines_headers_in_any_order_and_extra_columns(tmp_path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("# calibration data\n\nweight, target ,source\n1.5,2,0\n\n2.5,0,1  # note\n")
    columns = (Column("source", "int", 0, 9), Column("target", "int", 0, 9))
    table = read_csv_table(path, columns, key="data", allow_extra=True)
    assert table["source"].tolist() == [0, 1] and table["target"].tolist() == [2, 0]
    assert table["source"].dtype == np.int64


def test_csv_reader_checks_text_columns_against_their_choices(tmp_path) -> None:
    path = tmp_path / "stages.csv"
    path.write_text("stage,share\naware,0.5\nconsidring,0.5\n")
    columns = (Column("stage", "str", choices=("aware", "considering")), Column("share", "float", 0, 1))
    with pytest.raises(ConfigError) as error:
        read_csv_table(path, columns, key="calibration.file", header="required")
    assert error.value.key == "calibration.file (stages.csv, line 3, column 'stage')"
    assert "did you mean 'considering'" in str(error.value)


@pytest.mark.parametrize(("text", "where", "allowed"), [
    ("0,1.5\n", "line 1, column 'b'", "a whole number"),
    ("0,1\n1,\n", "line 2, column 'b'", "the field is empty"),
    ("0,1\n1,2,3\n", "line 2", "2 comma-separated fields"),
    ("0,1\n-1,2\n", "line 2, column 'a'", "from 0 to 5"),
    ("0,1\n1,nan\n", "line 2, column 'b'", "a whole number"),
])
def test_csv_reader_reports_the_first_bad_line_and_column(tmp_path, text, where, allowed) -> None:
    path = tmp_path / "t.csv"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        read_csv_table(path, (Column("a", "int", 0, 5), Column("b", "int", 0, 5)), key="k", header="none")
    assert error.value.key == f"k (t.csv, {where})"
    assert allowed in str(error.value)


def test_csv_reader_requires_the_rows_asked_for(tmp_path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("# nothing yet\n")
    with pytest.raises(ConfigError, match="at least 1 data rows"):
        read_csv_table(path, (Column("a"),), key="k", min_rows=1)


def test_edge_list_with_a_weight_column_is_read() -> None:
    from journeysim.sim.network import read_edge_list

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "weighted.csv"
        path.write_text("source,target,weight\n0,1,0.5\n1,2,2.0\n")
        u, v = read_edge_list(path, 3)
    assert u.tolist() == [0, 1] and v.tolist() == [1, 2]


def markdown_table() -> str:
    """The docs table, produced by running every case."""
    rows = ["| Bad input | Example | Message (after `journey: error: `; exit status 2) |", "|---|---|---|"]
    with tempfile.TemporaryDirectory() as folder:
        write_files(Path(folder))
        for case in CASES:
            rows.append(doc_row(case, message_for(case, Path(folder))))
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
