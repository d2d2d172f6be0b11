"""Product levers: cross-selling that fills baskets, and survey feedback that improves quality."""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeysim.scenarios.base import Lever, Params, book_cost, register
from journeysim.sim.errors import ConfigError

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel


@register("cross_sell")
class CrossSell(Lever):
    """Recommendations by email or on site: bigger baskets over a date range, at a daily cost.

    YAML::

        type: cross_sell
        uplift: 0.15      # share added to every basket (order value) while it runs
        from_day: 0
        to_day: 364       # last day (inclusive)
        daily_cost: 20    # currency per day at population.reference_size (scaled like budgets)
        personas: [loyalist]  # optional: only these personas (default everyone)

    Parameters
    ----------
    uplift : float
        Share added to the basket size.
    start, stop : int
        First and last day (inclusive).
    daily_cost : float
        Cost per day at reference size, currency.
    personas : tuple of str
        Personas it reaches (empty: everyone).
    """

    keys = ("uplift", "from_day", "to_day", "daily_cost", "personas")

    def __init__(self, uplift: float, start: int, stop: int, daily_cost: float = 0.0,
                 personas: tuple[str, ...] = ()) -> None:
        self.uplift, self.start, self.stop, self.daily_cost, self.personas = uplift, start, stop, daily_cost, personas

    @classmethod
    def from_params(cls, params: Params) -> CrossSell:
        """Build the lever from its validated YAML parameters."""
        start, stop = params.window()
        return cls(params.number("uplift", low=0.0), start, stop, params.number("daily_cost", low=0.0, default=0.0),
                   params.personas("personas"))

    def before_day(self, model: JourneyModel, day: int) -> None:
        """Switch the recommendations on and off; book today's cost while they run."""
        if day in (self.start, self.stop + 1):
            uplift = self.uplift if day == self.start else 0.0
            for scope in self.personas or (None,):
                model.controls.set_cross_sell(uplift, scope=scope)
        if self.start <= day <= self.stop:
            book_cost(model, day, self.daily_cost * model.spec.population.scale)


@register("product_improvement")
class ProductImprovement(Lever):
    """Survey feedback improves the product: the surveys channel runs, and each day the responses
    it gathered close a share of the gap between quality and its ceiling, at a development cost.

    Better quality raises satisfaction after each order, hence reviews, repurchases and word
    of mouth (:mod:`journeysim.sim.satisfaction`).

    YAML::

        type: product_improvement
        survey_budget: 20       # daily budget of the surveys channel, currency at reference size
        learning: 0.05          # share of the quality gap closed per 1,000 survey responses (illustrative)
        ceiling: 0.9            # best quality reachable, 0..1
        daily_cost: 50          # development cost per day, currency at reference size (illustrative default)
        from_day: 0

    Parameters
    ----------
    survey_budget, learning, ceiling, daily_cost : float
        See above.
    day : int
        First day of the programme.
    """

    keys = ("survey_budget", "learning", "ceiling", "daily_cost", "from_day")
    channel = "surveys"

    def __init__(self, survey_budget: float, learning: float, ceiling: float, daily_cost: float, day: int) -> None:
        self.survey_budget, self.learning, self.ceiling = survey_budget, learning, ceiling
        self.daily_cost, self.day = daily_cost, day

    @classmethod
    def from_params(cls, params: Params) -> ProductImprovement:
        """Build the lever from its validated YAML parameters (the run needs a surveys channel)."""
        if cls.channel not in params.spec.channel_names:
            raise ConfigError(params.key("type"), "product_improvement",
                              f"a lever for runs with a {cls.channel} channel (channels: "
                              f"{', '.join(params.spec.channel_names)})")
        return cls(params.number("survey_budget", low=0.0, default=20.0), params.probability("learning", 0.05),
                   params.probability("ceiling", 0.9), params.number("daily_cost", low=0.0, default=50.0),
                   int(params.number("from_day", low=0, integer=True, default=0)))

    def before_day(self, model: JourneyModel, day: int) -> None:
        """Run the surveys from the first day; learn from yesterday's responses; book the cost."""
        if day < self.day:
            return
        controls = model.controls
        if day == self.day:
            controls.set_budget(self.channel, self.survey_budget)
        else:
            k = model.spec.channel_names.index(self.channel)
            responses = float(model.collector.reach[day - 1, k]) / model.spec.population.scale  # at reference size
            gap = max(self.ceiling - controls.quality, 0.0)
            controls.set_quality(controls.quality + gap * min(1.0, self.learning * responses / 1000.0))
        book_cost(model, day, self.daily_cost * model.spec.population.scale)
