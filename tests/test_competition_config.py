"""The ``competition`` config group: none by default, three_brands on request, bad brands refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeysim.api import compose_config
from journeysim.runner import config_hash
from journeysim.sim.config import to_container
from journeysim.sim.errors import ConfigError
from tests.conftest import make_spec
from tests.test_config_errors import Case, message_of, run_case

SMALL = ("population.size=500", "days=5")


def test_the_default_market_has_no_competitors_and_three_brands_has_two() -> None:
    assert make_spec(*SMALL).competition.brands == ()
    spec = make_spec(*SMALL, "competition=three_brands")
    assert spec.competition.brand_names == ("ours", "value", "premium")
    value = spec.competition.brands[0]
    assert value.price < spec.market.price and set(value.media) <= set(spec.channel_names)
    assert spec.competition.choice == make_spec(*SMALL).competition.choice  # one set of choice weights


def test_a_market_without_competitors_hashes_as_before_the_competition_section_existed() -> None:
    cfg = to_container(compose_config(overrides=list(SMALL)))
    assert cfg["competition"]["brands"] == {}
    assert config_hash(cfg) == config_hash({k: v for k, v in cfg.items() if k != "competition"})
    three = to_container(compose_config(overrides=[*SMALL, "competition=three_brands"]))
    assert config_hash(three) != config_hash(cfg)


@pytest.mark.parametrize(("override", "words"), [
    ("competition.brands.value.price=-1", ("competition.brands.value.price", "-1", "greater than 0")),
    ("competition.brands.value.quality=1.5", ("competition.brands.value.quality", "0.0 to 1.0")),
    ("+competition.brands.value.media.radio=3", ("competition.brands.value.media.radio", "search")),
    ("+competition.brands.value.levers.price_change.change=-2", ("price_change.change", "-0.99")),
    ("+competition.brands.value.levers.discount=1", ("competition.brands.value.levers.discount", "price_change")),
    ("competition.consideration.trial_rate=2", ("competition.consideration.trial_rate", "0.0 to 1.0")),
    ("+competition.brands.ours.price=50", ("competition.brands", "'ours'")),
])
def test_a_bad_competitor_key_names_the_key_the_value_and_what_is_allowed(override: str, words) -> None:
    extra = ("+competition.brands.ours.quality=0.5",) if "brands.ours" in override else ()
    with pytest.raises(ConfigError) as error:
        make_spec(*SMALL, "competition=three_brands", override, *extra)
    for word in words:
        assert word in str(error.value), (word, str(error.value))


def test_journey_exits_2_without_traceback_on_a_bad_competitor(tmp_path: Path) -> None:
    status, stderr = run_case(Case("bad competitor", ("competition=three_brands",
                                                      "competition.brands.premium.price=0"), ()), tmp_path)
    assert status == 2 and "Traceback" not in stderr
    assert message_of(stderr) == "competition.brands.premium.price = 0 is not allowed: a number greater than 0."
