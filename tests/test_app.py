"""The trainer's page: its levers, network sample, snapshot and charts, then end to end in a real
headless browser (the end of a run, the layout at a projector's and a screen's size).

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

from journeysim import app, page_charts  # noqa: E402
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
STEP_DAY_TIMEOUT = 150  # ms more per day a Step press runs (a year of 10,000 customers on a loaded machine)


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


def test_the_funnel_axis_spans_the_population_from_day_0() -> None:
    empty = dict.fromkeys(("aware", "considering", "deciding", "customer"), 0)
    svg = page_charts.funnel_svg(empty, 10_000, dict.fromkeys(empty, "#999"))
    ticks = re.findall(r'text-anchor="middle"[^>]*>([^<]+)</text>', svg)
    assert ticks[1:] == ["0", "2,500", "5,000", "7,500", "10k"]  # after the title


def test_axis_ticks_are_round_and_cover_the_largest_value() -> None:
    assert page_charts.nice_ticks(10_000) == [0, 2_000, 4_000, 6_000, 8_000, 10_000]
    assert page_charts.nice_ticks(1_112)[-1] >= 1_112
    assert page_charts.nice_ticks(0) == [0.0, 1.0]


def test_the_journey_map_panel_shows_each_stage_with_how_its_stays_ended() -> None:
    session = app.Session({**app.DEFAULT_LEVERS, **SMALL})
    shot = session.step(SMALL["days"])
    svg = app.charts(shot, None)[2]
    assert 'aria-label="Journey map' in svg and f"(days 1-{SMALL['days']})" in svg
    assert [row["stage"] for row in shot.journey_map] == list(app.STAGE_NAMES)
    aware = next(row for row in shot.journey_map if row["stage"] == "aware")
    assert aware["stays"] > 0 and f"onward {aware['onward_share']:.0%}" in svg
    widths = [float(w) for w in re.findall(r'y="88" width="([\d.]+)"', svg)]
    from journeysim.journey_map import stay_ends

    ends = [len(stay_ends(row)) for row in shot.journey_map]  # onward, back, drop, still (and left, if any)
    assert len(widths) == sum(ends) and set(ends) <= {4, 5}
    unaware_bar = sum(widths[:ends[0]])  # shares of stays that began (ended or still open) sum to one
    assert unaware_bar == pytest.approx(1280 / len(app.STAGE_NAMES) - 18, abs=0.5)


def test_with_competitors_the_page_shows_brand_shares_and_our_market_share() -> None:
    session = app.Session({**app.DEFAULT_LEVERS, **SMALL, "competition": "three_brands"})
    shot = session.step(SMALL["days"])
    assert shot.brands[0] == "ours" and len(shot.brands) == 3
    assert shot.brand_shares.shape == (SMALL["days"] + 1, 3)
    sold = np.isfinite(shot.brand_shares).all(axis=1)
    assert sold.any() and np.allclose(shot.brand_shares[sold].sum(axis=1), 1.0)
    assert 0 < shot.values["market_share_volume"] < 1
    assert "Market share (orders)" in dict(shot.kpi_rows())
    svgs = app.charts(shot, None)
    shares = next(svg for svg in svgs if 'aria-label="Market share' in svg)
    assert all(f">{name}</text>" in shares for name in shot.brands)
    assert "competitors value, premium" in shot.settings


def test_without_competitors_the_page_has_no_brand_panel() -> None:
    shot = app.Session({**app.DEFAULT_LEVERS, **SMALL, "competition": "none"}).step(5)
    assert shot.brands == () and "market_share_volume" not in shot.values
    assert not any('aria-label="Market share' in svg for svg in app.charts(shot, None))


def test_a_snapshot_is_a_copy_that_later_steps_do_not_change() -> None:
    session = app.Session({**app.DEFAULT_LEVERS, **SMALL})
    first = session.step(5)
    counts, stages = first.stage_counts.copy(), first.sample_stages.copy()
    second = session.step(10)
    assert (first.day, second.day) == (5, 15)
    assert (first.stage_counts == counts).all() and (first.sample_stages == stages).all()
    assert first.stage_counts.shape[0] == 6 and second.stage_counts.shape[0] == 16


def test_stepping_past_the_last_day_does_nothing_and_says_the_run_has_ended() -> None:
    session = app.Session({**app.DEFAULT_LEVERS, **SMALL})
    last = session.step(SMALL["days"] + 5)
    assert last.day == SMALL["days"] and last.ended
    again = session.step(30)
    assert again.day == SMALL["days"] and again.ended
    assert (again.stage_counts == last.stage_counts).all()


def test_reset_and_closing_the_session_free_the_runs_model() -> None:
    import gc
    import weakref

    import mesa

    session = app.Session({**app.DEFAULT_LEVERS, **SMALL})
    first = weakref.ref(session.model)
    session.step(3)
    session.reset({**app.DEFAULT_LEVERS, **SMALL})
    gc.collect()
    assert first() is None  # Mesa's class-level Agent._ids no longer holds it
    second = weakref.ref(session.model)
    session.close()
    gc.collect()
    assert second() is None and session.model is None
    assert all(model is not second() for model in mesa.Agent._ids)


def test_step_play_pause_and_reset_from_many_threads_never_step_a_model_at_once() -> None:
    import threading

    session = app.Session({**app.DEFAULT_LEVERS, **SMALL})
    errors: list[BaseException] = []
    seen: list[tuple[int, int]] = []

    def press(action) -> None:
        try:
            for _ in range(6):
                shot = action()
                if shot is not None:
                    seen.append((shot.run, shot.day))
        except BaseException as error:  # noqa: BLE001 - the test reports any error a press raised
            errors.append(error)

    def play() -> app.Snapshot | None:
        session.playing.set()
        return session.play_frame(2, lambda shot: None)

    actions = [lambda: session.step(3), play, session.pause, lambda: session.reset({**app.DEFAULT_LEVERS, **SMALL})]
    threads = [threading.Thread(target=press, args=(action,)) for action in actions for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    final = session.step(0)
    model = session.model
    assert final.day == model.day and final.stage_counts.shape[0] == model.day + 1
    # the last row counts the people in the market on that day (open market: entrants in, leavers out)
    assert final.stage_counts[-1].sum() == model.state.in_market
    assert all(0 <= day <= SMALL["days"] for _, day in seen)


def test_kpis_on_the_page_carry_units_from_the_formatting_module() -> None:
    session = app.Session({**app.DEFAULT_LEVERS, **SMALL})
    rows = dict(session.step(10).kpi_rows())
    assert rows["Churn (per customer-year)"].endswith("%")
    assert rows["Revenue"].startswith("$") and rows["CAC"].startswith("$")


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


VIEWPORTS = {"projector": (1366, 768), "screen": (1920, 1080)}  # px: the screens a trainer uses
NARROW_VIEWPORTS = {"tablet": (768, 1024), "phone": (390, 844)}  # px: a class following on its own devices


def open_page(browser: Browser, url: str, size: tuple[int, int] = (1600, 1000)) -> Page:
    """A fresh browser tab on the page, once its first run is shown (the session is live)."""
    tab = browser.new_page(viewport={"width": size[0], "height": size[1]})
    tab.set_default_timeout(UI_TIMEOUT)
    expect.set_options(timeout=UI_TIMEOUT)
    tab.goto(url)
    expect(day_readout(tab)).to_have_text(re.compile(r"^Day 0 of \d+$"), timeout=60_000)
    return tab


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    """A fresh browser tab on the page."""
    tab = open_page(browser, app_url)
    yield tab
    tab.close()


def day_readout(tab: Page):
    """The page's ``Day n of N`` readout."""
    return tab.locator(".journey-day")


def current_day(tab: Page) -> int:
    """The day the page shows."""
    return int(day_readout(tab).inner_text().split()[1])


def stage_counts(tab: Page) -> dict[str, int]:
    """Today's customers per stage, read from the page's stage-count line."""
    text = tab.locator(".journey-stage-counts").inner_text()
    return {name: int(count.replace(",", "")) for name, count in re.findall(r"([a-z]+) ([\d,]+)", text)}


def step_button(tab: Page):
    """The Step button (exact: the "Step moves" picker also has "Step" in its name)."""
    return tab.get_by_role("button", name="Step", exact=True)


def choose(tab: Page, picker: str, option: str) -> None:
    """Pick ``option`` in the drop-down whose label starts with ``picker``."""
    tab.get_by_role("button", name=re.compile(rf"^{re.escape(picker)}")).click()
    tab.get_by_role("option", name=option, exact=True).click()
    expect(tab.get_by_role("button", name=re.compile(rf"^{re.escape(picker)}"))).to_contain_text(option)


def press_step(tab: Page, times: int, days: int = 7) -> None:
    """Press Step ``times`` times (each moves ``days`` days), waiting each time for the new day."""
    first = current_day(tab)
    for k in range(1, times + 1):
        step_button(tab).click()
        expect(day_readout(tab)).to_have_text(re.compile(rf"^Day {first + k * days} of"),
                                              timeout=UI_TIMEOUT + STEP_DAY_TIMEOUT * days)
    # the readout and the KPI table are separate widgets, updated by separate messages: wait for both
    expect(tab.locator(".journey-kpis")).to_contain_text(f"this run (day {first + times * days})")


def page_errors(tab: Page) -> list[str]:
    """Errors the page shows: Solara's error boxes and Python tracebacks."""
    shown = tab.locator(".v-alert.error, .solara-error").all_inner_texts()
    return shown + [t for t in [tab.locator("body").inner_text()] if "Traceback" in t]


@needs_browser
def test_pressing_step_moves_customers_between_stages(page: Page) -> None:
    before = stage_counts(page)
    customers = sum(before.values())
    assert customers > 0 and before["unaware"] == customers  # day 0: nobody has heard of the brand
    press_step(page, 1)
    after = stage_counts(page)
    assert abs(sum(after.values()) - customers) <= 0.01 * customers  # an open market: a few entered, a few left
    assert after["unaware"] < before["unaware"]
    assert after["aware"] > 0


def kpi_table(tab: Page) -> dict[str, list[str]]:
    """The KPI table: label -> its cells (this run, and with a previous run: that run, the change)."""
    rows = tab.locator(".journey-kpis tr").all_inner_texts()
    return {cells[0]: cells[1:] for cells in (row.split("\t") for row in rows[1:])}


@needs_browser
def test_the_teaching_script_plays_past_the_end_changes_a_lever_resets_and_compares(page: Page) -> None:
    """docs/teaching.md, "The script in short": each numbered step there is a block here."""
    # 1. Play a run to its last day, and press Step and Play past it.
    choose(page, "Step moves", "1 year")
    press_step(page, 1, days=365)
    choose(page, "Play speed", "fast (60 days/s)")
    page.get_by_role("button", name="Play", exact=True).click()  # plays on to the last day and stops there
    ended = page.locator(".journey-ended")
    expect(ended).to_contain_text("The run has ended", timeout=60_000)
    expect(day_readout(page)).to_have_text("Day 730 of 730")
    for _ in range(2):  # past the end: nothing moves, nothing breaks
        step_button(page).click()
        page.get_by_role("button", name="Play", exact=True).click()
    expect(day_readout(page)).to_have_text("Day 730 of 730")
    expect(ended).to_be_visible()
    assert page_errors(page) == []
    expect(page.locator(".journey-kpis")).to_contain_text("this run (day 730)")
    before = kpi_table(page)
    journey_map = page.get_by_role("img", name=re.compile("^Journey map"))
    expect(journey_map).to_contain_text("days 1-730")
    if os.environ.get("JOURNEYSIM_SCREENSHOTS"):  # docs/images/app-journey-map.png, looked at before committing
        journey_map.screenshot(path=str(Path(os.environ["JOURNEYSIM_SCREENSHOTS"]) / "app-journey-map.png"))
    # 2. Fix the checkout: abandonment from the default (50%) to 10%; it applies on Reset, not before.
    from journeysim.classroom import DEFAULTS

    default = round(100 * float(DEFAULTS.market.checkout_friction))
    settings = page.locator(".journey-settings")
    slider = page.get_by_role("slider", name=re.compile("^Checkout abandonment"))
    for _ in range((default - 10) // 5):  # the slider moves in steps of 5 points
        slider.press("ArrowLeft")
    expect(page.get_by_text("Checkout abandonment: 10%")).to_be_visible()
    expect(page.locator(".journey-pending")).to_be_visible()
    expect(settings).to_contain_text(f"checkout abandonment {default}%")
    # 3. Reset: a new run with the lever, the old one kept to compare with.
    page.get_by_role("button", name="Reset").click()
    expect(day_readout(page)).to_have_text("Day 0 of 730")
    expect(ended).to_have_count(0)
    expect(settings).to_contain_text("checkout abandonment 10%")
    expect(page.locator(".journey-kpis")).to_contain_text("previous run (day 730)")
    # 4. Compare at the same day: the fixed checkout wins more customers than the run before it.
    press_step(page, 2, days=365)
    compared = kpi_table(page)
    now, previous, change = compared["Acquisitions"]
    assert previous == before["Acquisitions"][0]
    assert change.startswith("+") and int(now.replace(",", "")) > int(previous.replace(",", ""))
    expect(page.get_by_role("img", name=re.compile("^New customers so far"))).to_contain_text("previous run")
    page.get_by_text("Compare with the previous run").click()  # the label: Vuetify covers the box itself
    expect(page.locator(".journey-kpis")).not_to_contain_text("previous run")
    assert page_errors(page) == []


OVERFLOWING = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('.journey-page *')) {
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const plot = el.tagName.toLowerCase() === 'svg';
    if (plot) {
      const box = el.getBoundingClientRect(), parent = el.parentElement.getBoundingClientRect();
      if (box.right > parent.right + 1 || box.bottom > parent.bottom + 1 || box.width < 50)
        bad.push('plot ' + el.getAttribute('aria-label') + ' ' + JSON.stringify([box, parent]));
    } else if (text && style.display !== 'inline' &&
               (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)) {
      bad.push(el.tagName + '.' + el.className + ' "' + el.textContent.trim().slice(0, 60) + '" ' +
               [el.scrollWidth, el.clientWidth, el.scrollHeight, el.clientHeight].join(','));
    }
  }
  return bad;
}"""
"""JavaScript: the page's text boxes whose content overflows them, and plots that leave their box."""

OUTSIDE_FIRST_VIEWPORT = """(selectors) => {
  const outside = [];
  for (const el of document.querySelectorAll(selectors)) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.left < 0 || box.top < 0 || box.right > innerWidth || box.bottom > innerHeight)
      outside.push((el.getAttribute('aria-label') || el.textContent.trim()).slice(0, 50) + ' ' +
                   JSON.stringify([Math.round(box.right), Math.round(box.bottom)]));
  }
  return outside;
}"""
"""JavaScript: the elements matching ``selectors`` that lie outside the first viewport."""

CONTROLS = "button, [role=slider], .v-select, .v-text-field, .v-input--checkbox, .journey-day, .journey-kpis tr"


@needs_browser
@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_the_page_fits_the_screen_without_clipping(browser: Browser, app_url: str, screen: str) -> None:
    tab = open_page(browser, app_url, VIEWPORTS[screen])
    try:
        press_step(tab, 1)
        assert tab.title() == app.PAGE_TITLE  # the tab says what it is (it said "PAGE 0")
        assert tab.get_by_text("This website runs on").count() == 0  # no banner over the charts
        assert tab.evaluate(OVERFLOWING) == []
        assert tab.evaluate(OUTSIDE_FIRST_VIEWPORT, CONTROLS) == []
        assert tab.evaluate("() => document.documentElement.scrollWidth <= innerWidth")  # no sideways scrolling
        if os.environ.get("JOURNEYSIM_SCREENSHOTS"):  # docs/images/app-<width>.png, looked at before committing
            out = Path(os.environ["JOURNEYSIM_SCREENSHOTS"]) / f"app-{VIEWPORTS[screen][0]}.png"
            tab.screenshot(path=str(out))
    finally:
        tab.close()


OVERLAPPING_LABELS = """() => {
  const boxes = [...document.querySelectorAll('.journey-levers .v-label, .journey-bar .v-label')]
    .map(el => [el.textContent.trim(), el.getBoundingClientRect()]).filter(([, b]) => b.width > 0);
  const hits = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, p] = boxes[i], [b, q] = boxes[j];
    const apart = p.right - 1 <= q.left || q.right - 1 <= p.left || p.bottom - 1 <= q.top || q.bottom - 1 <= p.top;
    if (!apart) hits.push(a + ' / ' + b);
  }
  return hits;
}"""
"""JavaScript: the pairs of lever and picker labels whose boxes overlap."""


@needs_browser
@pytest.mark.parametrize("screen", list(NARROW_VIEWPORTS))
def test_on_a_tablet_or_a_phone_the_page_stacks_without_clipping_or_overlapping(browser: Browser, app_url: str,
                                                                                 screen: str) -> None:
    tab = open_page(browser, app_url, NARROW_VIEWPORTS[screen])
    try:
        press_step(tab, 1)
        assert tab.evaluate(OVERLAPPING_LABELS) == []
        assert tab.evaluate(OVERFLOWING) == []
        assert tab.evaluate("() => document.documentElement.scrollWidth <= innerWidth")  # no sideways scrolling
        levers = tab.locator(".journey-levers").bounding_box()
        kpis = tab.locator(".journey-kpis").bounding_box()
        assert kpis["y"] >= levers["y"] + levers["height"] - 1  # the KPIs under the levers, not squeezed beside
        assert kpis["x"] + kpis["width"] <= NARROW_VIEWPORTS[screen][0]
        if os.environ.get("JOURNEYSIM_SCREENSHOTS"):
            out = Path(os.environ["JOURNEYSIM_SCREENSHOTS"]) / f"app-{NARROW_VIEWPORTS[screen][0]}.png"
            tab.screenshot(path=str(out))
    finally:
        tab.close()
