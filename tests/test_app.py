"""The trainer's page: its levers and network sample, then end to end in a real headless browser.

The browser tests serve the page with ``journey-app`` and drive Debian's Chromium (``make browser``
installs it) with Playwright; they are skipped, saying why, only where no ``chromium`` is installed.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

os.environ.setdefault("SOLARA_CHECK_HOOKS", "off")  # Mesa's page trips Solara's hook linter on import

from journeysim import app  # noqa: E402
from journeysim.sim.errors import ConfigError  # noqa: E402

CHROMIUM = shutil.which("chromium")
needs_browser = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium browser on this machine (`make browser` installs Debian's chromium); "
           "the page's end-to-end test needs one",
)

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SERVER_START_TIMEOUT = 90.0  # s: importing the app and building its first model, on a busy machine
UI_TIMEOUT = 20_000  # ms: each page update after a click


SMALL = {"customers": 2_000, "days": 30}  # model tests: a small population, a short horizon


# --------------------------------------------------------------------------- the page's model
def test_page_levers_become_the_runs_config() -> None:
    default_talk = app.ClassroomModel(**SMALL).spec.network.talk_rate
    model = app.ClassroomModel(search_budget=300, discount=0.2, checkout_friction=0.1, word_of_mouth=2.0,
                               support_staff=5, warehouse_capacity=200, seed="7", **SMALL)
    spec = model.spec
    assert spec.seed == 7 and spec.population.size == SMALL["customers"] and spec.days == SMALL["days"]
    assert dict(zip(spec.channel_names, (c.daily_budget for c in spec.channels), strict=True))["search"] == 300
    assert spec.market.discount == 0.2 and model.controls.friction == 0.1
    assert spec.network.talk_rate == pytest.approx(2.0 * default_talk)
    assert spec.service.staff_schedule == [{"from_day": 0, "staff": 5}]
    assert spec.service.fulfilment_capacity == 200


def test_referral_reward_runs_the_referral_programme_lever() -> None:
    assert "referral_programme" not in [lever.name for lever in app.ClassroomModel(**SMALL).levers]
    model = app.ClassroomModel(referral_reward=15, **SMALL)
    assert [lever.name for lever in model.levers].count("referral_programme") == 1
    assert model.controls.referral_reward == 15


def test_network_panel_draws_only_real_ties_among_sampled_customers() -> None:
    model = app.ClassroomModel(network="watts_strogatz", **SMALL)
    sample, edges = model.sample, model.sample_edges
    assert np.unique(sample).size == sample.size == app.SAMPLE_SIZE
    assert edges.size and (edges[:, 0] < edges[:, 1]).all()
    graph = model.graph
    for i, j in edges:
        assert sample[j] in graph.indices[graph.indptr[sample[i]]:graph.indptr[sample[i] + 1]]
    assert model.layout.shape == (sample.size, 2) and np.isfinite(model.layout).all()


def test_a_fully_mixed_network_shows_customers_without_ties() -> None:
    model = app.ClassroomModel(network="fully_mixed", **SMALL)
    assert model.graph is None and model.sample_edges.shape == (0, 2)
    assert np.allclose(np.hypot(*model.layout.T), 1.0)  # on a circle


@pytest.mark.parametrize(("key", "levers"), [("seed", {"seed": "forty-two"}), ("scenario", {"scenario": "basss"}),
                                             ("network", {"network": "edge_list"})])
def test_bad_page_input_is_a_config_error_naming_its_key(key: str, levers: dict) -> None:
    with pytest.raises(ConfigError) as error:
        app.ClassroomModel(**levers, **SMALL)
    assert error.value.key == key


def test_a_mistyped_seed_on_the_page_is_reported_and_the_default_seed_runs() -> None:
    model = app.PageModel(seed="forty-two", **SMALL)
    assert model.spec.seed == app.DEFAULT_SEED
    assert "seed = 'forty-two' is not allowed" in model.input_error
    assert app.PageModel(seed=" 7 ", **SMALL).input_error is None


def test_levers_the_config_rejects_are_reported_and_the_default_levers_run() -> None:
    model = app.PageModel(scenario="no_such_scenario", discount=0.3, **SMALL)
    assert "scenario = 'no_such_scenario' is not allowed" in model.input_error
    assert model.settings["scenario"] == "baseline" and model.spec.market.discount == 0.0


def test_scenario_picker_offers_journey_scenarios_but_not_bass() -> None:
    assert "baseline" in app.SCENARIOS and "bass" not in app.SCENARIOS


def test_journey_app_serves_this_machine_only_unless_told_otherwise() -> None:
    from journeysim.cli import parse_app_args, server_command

    args = parse_app_args([])
    assert (args.host, args.port) == ("127.0.0.1", 8765)
    command = server_command(args.host, 9001)
    assert command[command.index("--host") + 1] == "127.0.0.1" and command[command.index("--port") + 1] == "9001"
    assert "--no-check-version" in command  # no call to PyPI on start
    assert parse_app_args(["--host", "0.0.0.0", "--port", "0"]).host == "0.0.0.0"
    with pytest.raises(ConfigError, match="--port"):
        parse_app_args(["--port", "70000"])


# --------------------------------------------------------------------------- in the browser
def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    """Poll ``url`` until it answers; fail with the server's log if it exits or never answers."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"journey-app exited with status {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(f"journey-app did not answer at {url} within {SERVER_START_TIMEOUT:.0f} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the page with the ``journey-app`` console script on a free localhost port."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = tmp_path_factory.mktemp("journey_app") / "server.log"
    script = Path(sys.executable).with_name("journey-app")
    command = [str(script)] if script.exists() else [sys.executable, "-c",
                                                    "from journeysim.app import main; main()"]
    env = {**os.environ, "SOLARA_CHECK_HOOKS": "off", "MPLBACKEND": "Agg"}
    with log.open("w") as output:
        server = subprocess.Popen([*command, "--port", str(port)], stdout=output, stderr=subprocess.STDOUT, env=env)
    try:
        wait_until_serving(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium under Playwright."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    """A fresh browser tab on the page, once its first model is shown (the session is live)."""
    tab = browser.new_page(viewport={"width": 1600, "height": 1100})
    tab.set_default_timeout(UI_TIMEOUT)
    expect.set_options(timeout=UI_TIMEOUT)
    tab.goto(app_url)
    expect(step_counter(tab)).to_have_text("Step: 0", timeout=60_000)
    yield tab
    tab.close()


def step_counter(tab: Page):
    """SolaraViz's ``Step: n`` readout."""
    return tab.get_by_text(re.compile(r"^Step: \d+$"))


def stage_counts(tab: Page) -> dict[str, int]:
    """Today's customers per stage, read from the page's stage-count line."""
    text = tab.locator(".journey-stage-counts").inner_text()
    return {name: int(count.replace(",", "")) for name, count in re.findall(r"([a-z]+) ([\d,]+)", text)}


def press_step(tab: Page, times: int) -> None:
    """Press Step ``times`` times, each time waiting for the page to show the new day."""
    first = int(step_counter(tab).inner_text().split()[-1])
    for day in range(first + 1, first + times + 1):
        tab.get_by_role("button", name="Step").click()
        expect(step_counter(tab)).to_have_text(f"Step: {day}")


@needs_browser
def test_pressing_step_moves_customers_between_stages(page: Page) -> None:
    before = stage_counts(page)
    customers = sum(before.values())
    assert customers > 0 and before["unaware"] == customers  # day 0: nobody has heard of the brand
    press_step(page, 3)
    expect(page.locator(".journey-stage-counts")).not_to_have_text(re.compile(rf"^unaware {customers:,} "))
    after = stage_counts(page)
    assert sum(after.values()) == customers
    assert after["unaware"] < before["unaware"]
    assert after["aware"] > 0


@needs_browser
def test_moving_a_slider_then_reset_restarts_the_run_with_the_new_value(page: Page) -> None:
    levers = page.locator(".journey-levers")
    expect(levers).to_contain_text("discount 0%")
    press_step(page, 2)
    slider = page.get_by_role("slider", name="Promotion discount")
    slider.press("ArrowRight")
    slider.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuenow", "0.1")
    expect(levers).to_contain_text("discount 0%")  # a lever applies on Reset, not before
    page.get_by_role("button", name="Reset").click()
    expect(step_counter(page)).to_have_text("Step: 0")
    expect(levers).to_contain_text("discount 10%")
    counts = stage_counts(page)
    assert counts["unaware"] == sum(counts.values())  # back to day 0
