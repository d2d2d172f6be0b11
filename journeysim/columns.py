"""Every column of every table a run writes: name, unit and meaning (the column reference).

``docs/reference/columns.md`` is generated from :data:`TABLES`, and a test checks that every
column of every table is listed here, so a new column cannot go undocumented.

**One day convention.** In every table (``daily``, ``flows``, ``channels``, ``events``,
``adoption``) ``day`` is the simulated day, 1 to ``days``: a row of day ``d`` holds what happened
during day ``d`` and the state at its end. The initial state (before day 1) is not a day of any
table: it is ``summary.json`` → ``initial`` (customers per stage at the start). So all tables of a
run join on ``day`` without shifts, and so do the exports (journey paths, MMM tables). Lever days
(``from_day``, ``to_day``) are 0-based: lever day ``d`` is table day ``d + 1``.
"""

from __future__ import annotations

from dataclasses import dataclass

from journeysim.sim.schema.devices import DEVICES
from journeysim.sim.schema.places import PLACES
from journeysim.sim.stage_stays import PAIN_POINTS
from journeysim.sim.stages import STAGE_NAMES


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Parameters
    ----------
    name : str
        The column's header.
    unit : str
        Its unit in words (``currency/day`` is the run's ``market.currency`` per day).
    meaning : str
        What it holds.
    """

    name: str
    unit: str
    meaning: str


DAY = Column("day", "day", "simulated day, 1 to `days` (the initial state is `summary.json` → `initial`)")

DAY_CONVENTION = ("`day` is the simulated day, 1 to `days`, in every table and the event log: a row of day "
                  "*d* holds what happened during day *d* and the state at its end. The initial state (before "
                  "day 1) is no day of any table; it is `summary.json` → `initial`. All tables of a run join on "
                  "`day` without shifts, and so do the exports of a run (`paths`: `touch_days`, `first_touch_day`, "
                  "`conversion_day`; `mmm_daily`, `mmm_weekly`: `day`). Lever days in scenarios (`from_day`, "
                  "`to_day`, staff and capacity schedules) are 0-based: lever day *d* is table day *d* + 1.")
"""The day convention, as the docs state it."""

_DAILY = (
    DAY,
    *(Column(stage, "customers", f"customers in stage {stage} at the end of the day") for stage in STAGE_NAMES),
    Column("acquisitions", "customers/day", "first orders"),
    Column("repurchases", "orders/day", "repeat orders"),
    Column("orders", "orders/day", "all orders"),
    Column("winbacks", "customers/day", "lapsed customers back to considering"),
    Column("churned", "customers/day", "customers who lapsed"),
    Column("switched", "customers/day", "our customers who bought a rival at a reorder (not in churned)"),
    Column("checkout_attempts", "attempts/day", "checkout attempts"),
    Column("abandoned", "attempts/day", "abandoned checkouts (back to considering)"),
    Column("carts", "carts/day", "carts created: prospects reaching deciding or checkout, and repeat order attempts"),
    Column("revenue", "currency/day", "revenue net of the day's refunds"),
    Column("margin", "currency/day", "revenue − orders × unit cost, net of refunds"),
    Column("refunds", "currency/day", "money refunded for returns"),
    Column("returns", "orders/day", "returned orders"),
    Column("conversations_positive", "conversations/day", "conversations that raised a listener's interest"),
    Column("conversations_negative", "conversations/day", "conversations that lowered it"),
    Column("referrals", "customers/day", "acquisitions referred by a positive conversation"),
    Column("nps", "points, −100..100", "NPS of everyone who has bought so far (empty before the first order)"),
    Column("review_score", "stars, 1..5", "public review score at the end of the day"),
    Column("tickets", "tickets/day", "support tickets opened"),
    Column("mean_wait_days", "days", "mean wait of the tickets whose service started that day (empty if none)"),
    Column("p95_wait_days", "days", "95th percentile of those waits (empty if none)"),
    Column("utilisation", "share, 0..1", "busy / staffed support agent-time that day"),
    Column("backlog_orders", "orders", "orders waiting to ship at the end of the day"),
    Column("queue_tickets", "tickets", "tickets waiting at the end of the day"),
    Column("deliveries", "orders/day", "parcels delivered"),
    Column("mean_delivery_days", "days", "mean order-to-door time of the day's deliveries (empty if none)"),
    Column("programme_cost", "currency/day",
           "costs booked by levers that day (referral rewards, loyalty perks, extra staff, a checkout fix)"),
    Column("loyal_repurchases", "orders/day", "repeat orders of loyal customers and advocates"),
    Column("basket_units", "orders/day", "the day's orders in standard orders: the sum of their basket sizes "
           "(gross revenue / basket_units is the day's mean offered price)"),
    Column("list_price", "currency/order", "the day's list price for customers outside any scoped price"),
    Column("discount", "share, 0..1", "the day's market-wide discount off the list price (promotions)"),
    Column("support_cost", "currency/day", "support contacts and staffed agent-days, at each support channel's "
           "costs (counted in profit, not in spend)"),
    Column("organic_discoveries", "customers/day", "prospects who discovered the category without paid media "
           "(need recognition, unpaid search, word of shop; `market.demand.need_rate`)"),
    Column("season", "index, mean 1", "the day's category demand index: weekday factor × yearly curve "
           "(`market.demand.weekly`, `market.demand.yearly`)"),
    Column("entrants", "people/day", "new prospects who entered the market (`market.demand.entry_rate`)"),
    Column("leavers", "people/day", "people who left the market (`market.demand.exit_rate`)"),
    *(Column(f"sessions_{d}", "sessions/day", f"sessions on {d} (a customer reached by an impressions channel, or "
             "a checkout attempt; `market.devices`)") for d in DEVICES),
    *(Column(f"orders_{d}", "orders/day", f"orders checked out on {d}") for d in DEVICES),
    Column("cross_device_orders", "orders/day", "orders whose journey since the last order used two or more devices"),
    *(Column(f"orders_{p}", "orders/day", f"orders placed {'in the ' if p != 'web' else 'on the '}{p}"
             + (" shop" if p == "web" else "") + " (`market.places`)") for p in PLACES),
    Column("online_to_store_orders", "orders/day", "store orders whose journey since the last order had online "
           "sessions (research online, buy in store)"),
    Column("store_to_online_orders", "orders/day", "web or app orders whose journey since the last order visited a "
           "store (research in store, buy online)"),
    Column("click_and_collect_orders", "orders/day", "web or app orders collected in a store (the click_and_collect "
           "lever)"),
    Column("store_exchanges", "orders/day", "returns brought to a store and exchanged for another product there (the "
           "store_returns lever; each exchange is a store order)"),
    Column("spend", "currency/day", "media spend of all channels"),
    Column("impressions", "exposures/day", "exposures bought by all channels"),
    Column("adopted_fraction", "share, 0..1", "Bass scenario only: share of the population that has adopted"),
)

_PERIOD = (
    Column("day", "day", "first simulated day of the row, 1 to `days` (weekly: 1, 8, 15, ...)"),
    Column("week", "week", "week of the row, 1 to ..: 7-day blocks from day 1, as `mmm_weekly`"),
    Column("date", "date", "calendar date of `day` (day 1 = 2025-01-06, as the MMM exports)"),
    Column("days", "days", "days in the row (1 per day; 7 per week, the last week may be short)"),
)
"""Columns locating a row of the truth's per-period tables in time."""

_BOUNDS = (
    Column("<estimate>_low", "as the estimate", "lower bound of the estimate's t interval over seeds (empty "
                                                "below 2 seeds; `journey-truth` warns below 5)"),
    Column("<estimate>_high", "as the estimate", "upper bound of that interval"),
)
"""Interval bounds of every estimate of the truth's summary tables."""

TABLES: dict[str, tuple[str, tuple[Column, ...]]] = {
    "daily": ("one row per simulated day: stage occupancy at the end of the day and the day's KPIs", _DAILY),
    "flows": ("stage-to-stage moves per day (only non-zero flows; backward moves included; an open population's "
              "entries and exits as moves from and to `outside`)", (
        DAY,
        Column("from_stage", "stage", "the stage customers left (`outside`: they entered the market)"),
        Column("to_stage", "stage", "the stage they moved to (`outside`: they left the market)"),
        Column("customers", "customers/day", "customers who made that move that day"),
    )),
    "channels": ("one row per channel and day", (
        DAY,
        Column("channel", "name", "the channel (`channels.<name>`)"),
        Column("impressions", "exposures/day", "exposures bought"),
        Column("reach", "customers/day", "customers exposed at least once that day"),
        Column("spend", "currency/day", "media spend"),
        Column("last_touch_acquisitions", "customers/day", "acquisitions whose last touch was the channel"),
    )),
    "events": ("the journey log: every customer at small sizes, `outputs.event_log_sample` customers at large "
               "ones; one row per event, by customer, day and kind", (
        Column("customer", "row", "the customer's row: 0 to `population.size` − 1 for the people in the "
               "market at the start, then entrants in order of entry (open population)"),
        DAY,
        Column("kind", "name", "exposure, word_of_mouth, stage_change, purchase, abandon or return"),
        Column("detail", "name", "exposure: the channel; word_of_mouth: positive or negative; stage_change: the "
                                 "new stage; purchase: first or repeat; abandon and return: empty"),
    )),
    "journey_map": ("the journey map: one row per persona (and `all`) and stage, over the whole run; a stay is "
                    "one customer's time in one stage, from entering it to leaving it or to the end of the run", (
        Column("persona", "name", "the persona (`population.personas`), or `all` for everyone"),
        Column("stage", "stage", "the stage, in journey order (unaware ... advocate, then lapsed)"),
        Column("mean_customers", "customers", "customers in the stage on an average day (customer-days / days)"),
        Column("stays", "stays", "stays in the stage begun during the run, those at the start included"),
        Column("median_days", "days", "median length of the stays that ended (empty if none ended)"),
        Column("onward_share", "share, 0..1", "stays that ended in a later stage (from lapsed: back into the "
                                              "journey)"),
        Column("fall_back_share", "share, 0..1", "stays that ended in an earlier stage other than unaware"),
        Column("drop_off_share", "share, 0..1", "stays that ended back at unaware or lapsed"),
        Column("open_share", "share, 0..1", "stays still open at the end of the run"),
        Column("left_market_share", "share, 0..1", "stays that ended with the customer leaving the market (open "
                                                   "population, `market.demand.exit_rate`)"),
        *(Column(f"{pain}_per_100_stays", "events per 100 stays", f"{pain.replace('_', ' ')} while in the stage "
                 "(abandoned carts; support contacts abandoned or waiting over a day; parcels delivered late; "
                 "returned orders; conversations that lowered interest)" if pain == PAIN_POINTS[0] else
                 f"{pain.replace('_', ' ')} while in the stage (see `{PAIN_POINTS[0]}_per_100_stays`)")
          for pain in PAIN_POINTS),
        Column("mean_satisfaction", "−1..1", "mean satisfaction at the end of the stays (ended, open and cut "
                                            "short by leaving the market): the journey's emotion line"),
    )),
    "journey_touchpoints": ("exposures by channel that reached customers in each stage, per persona (and `all`)", (
        Column("persona", "name", "the persona, or `all`"),
        Column("stage", "stage", "the stage the exposed customers were in"),
        Column("channel", "name", "the channel (`channels.<name>`)"),
        Column("exposures", "exposures", "exposures over the run (broadcast channels: spread over everyone)"),
        Column("share", "share, 0..1", "share of the stage's exposures (empty if the stage had none)"),
    )),
    "brands": ("runs with competitors only (`competition.brands`): per day and brand", (
        DAY,
        Column("brand", "name", "`ours`, then the competitors in the order of `competition.brands`"),
        Column("orders", "orders", "the brand's orders of the day (ours: every order we took, refunds aside)"),
        Column("revenue", "currency", "the brand's revenue of the day before refunds (value of its orders)"),
        Column("spend", "currency", "the brand's media spend of the day (ours: every channel's spend)"),
        Column("share_volume", "share, 0..1", "the brand's share of the category's orders over the trailing 28 "
                                              "days (empty while the window holds no order)"),
    )),
    "adoption": ("Bass scenario only: the adoption curve", (
        DAY,
        Column("adopted_fraction", "share, 0..1", "share of the population that has adopted at the end of the day"),
    )),
    "paths": ("exports (`journey-truth`'s `paths.csv`, `Result.paths()`): one row per customer journey, up to the "
              "first purchase or the horizon; needs every journey logged (`outputs.event_log_sample` at least "
              "`population.size`)", (
        Column("customer", "row", "the customer's row"),
        Column("path", "names", "touches in time order joined by ` > ` (logged exposures and positive "
                                "conversations as `word_of_mouth`); `direct` for a purchase without a logged touch"),
        Column("touch_days", "days", "the day of each touch (1 to `days`), joined by ` > `, same order"),
        Column("touches", "touches", "number of touches"),
        Column("first_touch_day", "day", "day of the first touch (empty for `direct`)"),
        Column("converted", "0 or 1", "1 if the journey ended in the customer's first purchase"),
        Column("conversion_day", "day", "day of that purchase (empty otherwise); touches of that day come before it"),
        Column("value", "currency", "revenue of the first order (after the day's discount); 0 without conversion"),
    )),
    "mmm": ("exports (`journey-truth`'s `mmm_daily.csv` and `mmm_weekly.csv`, observed: `mmm_weekly_observed.csv`; "
            "`Result.mmm_table()`): one row per day or week, in the shape of PyMC-Marketing's MMM", (
        Column("date", "date", "calendar date of the day, or of the week's first day (day 1 = `start_date`, "
                               "2025-01-06 by default)"),
        Column("day", "day", "first simulated day of the row, 1 to `days` (weekly: 1, 8, 15, ...)"),
        Column("days", "days", "days in the row (the last week may be short)"),
        Column("spend_<channel>", "currency", "media spend of the channel"),
        Column("impressions_<channel>", "exposures", "exposures bought of the channel"),
        Column("acquisitions", "customers", "first orders"),
        Column("orders", "orders", "all orders"),
        Column("revenue", "currency", "net revenue (orders minus refunds)"),
        Column("programme_cost", "currency", "cost of scenario programmes (referral rewards, ...)"),
        Column("discount", "share, 0..1", "share off the list price (weekly: mean)"),
        Column("promotion", "0 or 1", "1 on a day with a discount (weekly: share of the days)"),
        Column("month", "month", "calendar month of `date`, 1 to 12"),
        Column("day_of_year", "day", "day of the year of `date`, 1 to 366"),
        Column("season_sin", "−1..1", "yearly Fourier term of `date` (weekly: mean)"),
        Column("season_cos", "−1..1", "yearly Fourier term of `date` (weekly: mean)"),
    )),
    "truth_ledger": ("`journey-truth`'s `truth_ledger` (per day) and `truth_ledger_weekly` (per week), "
                     "`TruthResult.ledger`: the truth per period, one row per seed, channel and day or week; each "
                     "amount is the factual run minus the run with the channel off under the same seed, so a "
                     "channel's rows of a seed sum exactly to its incremental effect over the run", (
        Column("seed", "seed", "the seed of the pair of runs"),
        Column("channel", "name", "the channel switched off in the counterfactual run"),
        *_PERIOD,
        Column("spend", "currency", "the channel's media spend in the factual run"),
        Column("attended_spend", "currency", "the part of that spend that bought attended exposures: the "
                                             "channel's Hill curve of its adstocked spend (the truth of "
                                             "journey-arena regresses on it)"),
        Column("incremental_orders", "orders", "orders the channel added in the period (all orders)"),
        Column("incremental_first_orders", "orders", "first orders (acquisitions) it added"),
        Column("incremental_later_orders", "orders", "later orders it added (repeat orders and win-backs, of "
                                                     "customers it acquired earlier or helped to buy again)"),
        Column("incremental_revenue", "currency", "revenue it added, net of refunds: first-order plus "
                                                  "later-order revenue minus refunds"),
        Column("incremental_first_order_revenue", "currency", "gross value of the first orders it added"),
        Column("incremental_later_order_revenue", "currency", "gross value of the later orders it added"),
        Column("incremental_refunds", "currency", "refunds it added (returns of orders it brought)"),
    )),
    "truth_contribution": ("`journey-truth`'s `truth_contribution`, `TruthResult.contribution`: the weekly "
                           "contribution of each channel, the weekly ledger's mean over seeds with its t interval "
                           "(each estimate has `_low` and `_high` bounds)", (
        Column("channel", "name", "the channel"),
        *_PERIOD,
        Column("spend", "currency", "the channel's media spend in the week (mean over seeds)"),
        Column("incremental_revenue", "currency", "net revenue the channel added in the week"),
        Column("incremental_first_order_revenue", "currency", "gross value of the first orders it added"),
        Column("incremental_orders", "orders", "orders it added (all)"),
        Column("incremental_first_orders", "orders", "first orders (acquisitions) it added"),
        *_BOUNDS,
    )),
    "truth_pulses": ("`journey-truth --pulses N`'s `truth_pulses`, `TruthResult.pulses`: one row per seed, pulse "
                     "and horizon; a pulse run removes one week's spend of one channel and is compared with the "
                     "factual run day by day", (
        Column("seed", "seed", "the seed of the pair of runs"),
        Column("channel", "name", "the channel whose week of spend was removed"),
        Column("week", "week", "the week removed (7-day blocks from day 1)"),
        Column("day", "day", "first day of that week, 1 to `days`"),
        Column("spend", "currency", "the spend removed: the channel's spend in that week of the factual run"),
        Column("horizon_weeks", "weeks", "the horizon, from the first day of the pulse's week"),
        Column("incremental_revenue", "currency", "net revenue of the factual run minus the pulse run over the "
                                                  "horizon (empty when the horizon runs past the end of the run)"),
        Column("incremental_first_order_revenue", "currency", "the same for the gross value of first orders"),
        Column("incremental_first_orders", "orders", "the same for first orders"),
        Column("before", "currency", "net revenue difference before the pulse's week: 0 under common random "
                                     "numbers (a check)"),
    )),
    "truth_horizons": ("`journey-truth --pulses N`'s `truth_horizons.csv`, `TruthResult.horizons`: ROAS over each "
                       "horizon after the spend, per channel: per seed the channel's pulses pooled (summed "
                       "increments over summed spend removed), then the mean over seeds with its t interval "
                       "(each estimate has `_low` and `_high` bounds)", (
        Column("channel", "name", "the channel"),
        Column("horizon_weeks", "weeks", "weeks after the first day of the pulse's week"),
        Column("pulses", "weeks", "weeks pulsed (the same weeks for every seed)"),
        Column("seeds", "seeds", "seeds with the horizon observed"),
        Column("spend", "currency", "spend removed per pulse (mean)"),
        Column("roas", "currency/currency", "net revenue added over the horizon per currency of spend"),
        Column("first_order_roas", "currency/currency", "gross value of first orders added per currency of spend"),
        Column("cost_per_acquisition", "currency/customer", "spend per first order added (empty if none)"),
        *_BOUNDS,
    )),
    "truth_response": ("`journey-truth --response F,...`'s `truth_response.csv`, `TruthResult.response`: the "
                       "response curve per channel, its whole plan scaled by a factor, against the channel off "
                       "(each estimate has `_low` and `_high` bounds)", (
        Column("channel", "name", "the channel"),
        Column("factor", "times the plan", "budget factor over the whole run (0: off, 1: as planned)"),
        Column("spend", "currency", "the channel's spend over the run (mean over seeds)"),
        Column("incremental_revenue", "currency", "net revenue over the run against the channel off"),
        Column("roas", "currency/currency", "incremental revenue / spend (empty at factor 0)"),
        *_BOUNDS,
    )),
    "truth_baseline": ("`journey-truth`'s `truth_baseline`, `TruthResult.baseline`: the organic baseline, the run "
                       "with every channel off, one row per seed and day", (
        Column("seed", "seed", "the run's seed"),
        *_PERIOD,
        Column("orders", "orders", "all orders"),
        Column("first_orders", "orders", "first orders (acquisitions)"),
        Column("later_orders", "orders", "repeat orders and win-backs"),
        Column("revenue", "currency", "revenue net of refunds"),
        Column("first_order_revenue", "currency", "gross value of first orders"),
        Column("later_order_revenue", "currency", "gross value of later orders"),
        Column("refunds", "currency", "money refunded for returns"),
    )),
    "meridian": ("exports (`journey-truth`'s `meridian_weekly.csv`, geo panels' `geo_panel.csv`; observed: "
                 "`meridian_weekly_observed.csv`; "
                 "`journeysim.experiments.panels.meridian_panel`): one row per geo and whole week, in the layout "
                 "Google Meridian's `DataFrameDataLoader` and `CsvDataLoader` read", (
        Column("geo", "name", "the geo (`national` for one run; the region's name in a geo panel)"),
        Column("time", "date", "ISO date of the week's first day (day 1 = `start_date`, 2025-01-06 by default)"),
        Column("day", "day", "first simulated day of the week, 1 to `days` (1, 8, 15, ...)"),
        Column("population", "people", "people in the market, mean over the week"),
        Column("orders", "orders", "all orders of the week: the KPI (Meridian `kpi`)"),
        Column("revenue_per_order", "currency/order", "order value before refunds per order of the week (Meridian "
                                                      "`revenue_per_kpi`, non-negative; 0 without orders)"),
        Column("acquisitions", "customers", "first orders: the alternative KPI (no revenue per KPI)"),
        Column("revenue", "currency", "net revenue of the week: orders × revenue per order − refunds (may be "
                                      "negative)"),
        Column("promotion", "share, 0..1", "share of the week's days with a discount (a control)"),
        Column("discount", "share, 0..1", "mean share off the list price (a control)"),
        Column("impressions_<channel>", "exposures", "exposures bought of the channel (Meridian `media`)"),
        Column("spend_<channel>", "currency", "media spend of the channel (`media_spend` or `rf_spend`)"),
        Column("reach_<channel>", "people", "different people the channel exposed in the week, from the journey log "
                                            "(scaled up from a logged sample; empty without a log); broadcast: "
                                            "everyone in the market in a week on air"),
        Column("frequency_<channel>", "exposures/person", "impressions / reach (0 without reach)"),
    )),
    "robyn": ("exports (`journey-truth`'s `robyn_weekly.csv` with its arguments in `robyn_inputs.json`; observed: "
              "`robyn_weekly_observed.csv`; `journeysim.experiments.panels.robyn_table`): Robyn's `dt_input`, one row "
              "per whole week, only the columns `robyn_inputs()` names", (
        Column("DATE", "date", "ISO date of the week's Monday (Robyn's `date_var`)"),
        Column("revenue", "currency", "net revenue of the week (`dep_var`, `dep_var_type = \"revenue\"`)"),
        Column("acquisitions", "customers", "first orders, the `dep_var` with `dep_var_type = \"conversion\"` "
                                            "(instead of `revenue`)"),
        Column("spend_<channel>", "currency", "media spend (`paid_media_spends`)"),
        Column("impressions_<channel>", "exposures", "exposures bought (`paid_media_vars`, same order)"),
        Column("promotion", "share, 0..1", "share of the week's days with a discount (`context_vars`)"),
        Column("discount", "share, 0..1", "mean share off the list price (`context_vars`)"),
    )),
    "lift_tests": ("lift tests (`lift_tests.csv`, `journeysim.experiments.panels.lift_tests`): one row per test, "
                   "target and seed; a test holds a random share of customers out of one channel's effect for a "
                   "period and compares them with the exposed customers", (
        Column("seed", "seed", "the seed of the test's runs"),
        Column("channel", "name", "the channel tested (an impressions channel)"),
        Column("target", "name", "acquisitions (first orders), orders, or revenue (before refunds, currency)"),
        Column("start_day", "day", "first day of the test, 1 to `days`"),
        Column("end_day", "day", "last day of the test"),
        Column("window_end_day", "day", "last day whose outcomes count (`end_day` + cool-down)"),
        Column("date_start", "date", "calendar date of `start_day`"),
        Column("date_end", "date", "calendar date of `end_day`"),
        Column("holdout_share", "share, 0..1", "share of customers held out"),
        Column("budget_split", "true/false", "whether the held-out customers had their share of every other "
                                             "impressions channel's budget, drawn from them (a budget-split test)"),
        Column("customers_treated", "customers", "customers the channel reached during the test, exposed as planned"),
        Column("customers_holdout", "customers", "customers the channel reached during the test, held out (ghost "
                                                 "exposures)"),
        Column("spend", "currency", "the channel's spend during the test"),
        Column("x", "currency/week", "the channel's weekly spend during the test (PyMC-Marketing's `x`)"),
        Column("delta_x", "currency/week", "the change of spend the test measures: all of it, −`x`"),
        Column("lift", "target", "the test's estimate of the target the channel added over the window, whole "
                                 "market: (mean of the exposed − mean of the held out, each from their first "
                                 "exposure) × customers reached"),
        Column("lift_se", "target", "its standard error (difference of two means)"),
        Column("delta_y", "target/week", "−`lift` per week of the test (PyMC-Marketing's `delta_y`)"),
        Column("sigma", "target/week", "`lift_se` per week of the test (PyMC-Marketing's `sigma`)"),
        Column("true_lift", "target", "the truth: factual run minus the run with the channel's exposures without "
                                      "effect for everyone during the test, same seed, over the window"),
        Column("true_delta_y", "target/week", "−`true_lift` per week of the test"),
    )),
    "lift_tests_pymc": ("PyMC-Marketing's `lift_test` table (`lift_tests_pymc.csv`, target acquisitions) for "
                        "`MMM.add_lift_test_measurements`", (
        Column("channel", "name", "the MMM's channel column (`spend_<channel>`)"),
        Column("x", "currency/week", "the channel's weekly spend during the test"),
        Column("delta_x", "currency/week", "its change: −`x`"),
        Column("delta_y", "acquisitions/week", "the change of the target per week"),
        Column("sigma", "acquisitions/week", "standard error of `delta_y`"),
    )),
    "lift_tests_meridian": ("Meridian's ROI priors from the revenue lift tests (`lift_tests_meridian.csv`), one row "
                            "per channel", (
        Column("channel", "name", "the channel (Meridian's media channel)"),
        Column("roi", "currency/currency", "tested incremental revenue over spend (mean over the channel's tests)"),
        Column("roi_se", "currency/currency", "its standard error"),
        Column("mu", "log", "`LogNormal(mu, sigma)` whose mean is `roi` and standard deviation `roi_se` "
                            "(empty if `roi` ≤ 0)"),
        Column("sigma", "log", "see `mu`"),
        Column("start_date", "date", "first day of the panel week holding the tests' first day (`DateRange` of "
                                     "`roi_calibration`)"),
        Column("end_date", "date", "first day of the panel week holding the tests' last day"),
    )),
    "lift_tests_robyn": ("Robyn's `calibration_input` (`lift_tests_robyn.csv`, metric revenue)", (
        Column("channel", "name", "Robyn's `paid_media_spends` column (`spend_<channel>`)"),
        Column("liftStartDate", "date", "first day of the test"),
        Column("liftEndDate", "date", "last day of the test"),
        Column("liftAbs", "currency", "incremental revenue the test measured (point estimate)"),
        Column("spend", "currency", "the channel's spend during the test"),
        Column("confidence", "0..1", "1 − the two-sided p-value of the lift"),
        Column("metric", "name", "Robyn's `dep_var` (`revenue`)"),
        Column("calibration_scope", "name", "`immediate` (test period only) or `total` (with a cool-down)"),
    )),
    "geo_truth": ("geo panels (`geo_truth.csv`, `journeysim.experiments.panels.geo.geo_truth`): the truth per "
                  "region, one row per seed, region and channel; each region is its own market, its channel-off run "
                  "shares its seed", (
        Column("geo", "name", "the region (`geo` of `geo_panel.csv`)"),
        Column("seed", "seed", "the seed (region *g*, from 0, runs seed + 1000 *g*)"),
        Column("channel", "name", "the channel switched off"),
        Column("spend", "currency", "the channel's spend in the region's factual run"),
        Column("incremental_acquisitions", "customers", "first orders the channel added in the region"),
        Column("incremental_orders", "orders", "orders it added"),
        Column("incremental_revenue", "currency", "net revenue it added"),
        Column("roas", "currency/currency", "incremental revenue / spend (empty where the region spent nothing)"),
    )),
    "geo_truth_weekly": ("geo panels (`geo_truth_weekly.csv`): the truth per region, seed, channel and whole week", (
        Column("geo", "name", "the region"),
        Column("seed", "seed", "the seed"),
        Column("channel", "name", "the channel switched off"),
        Column("week", "week", "week of the run, 1 to `days` // 7"),
        Column("day", "day", "first simulated day of the week (1, 8, 15, ...)"),
        Column("spend", "currency", "the channel's spend in the week"),
        Column("incremental_acquisitions", "customers", "first orders it added in the week"),
        Column("incremental_orders", "orders", "orders it added in the week"),
        Column("incremental_revenue", "currency", "net revenue it added in the week"),
    )),
    "geos": ("geo panels (`geos.csv`): the regions and their spend plans", (
        Column("geo", "name", "the region"),
        Column("size", "customers", "its population"),
        Column("seed_offset", "seeds", "added to each seed for the region's runs"),
        Column("budget_<channel>", "multiplier", "the region's multiplier of the channel's planned budget (0: dark)"),
    )),
}

"""Each table a run writes (``<name>.csv`` or ``.parquet``) and the exports of a run: what a row is, and its
columns in order (``<channel>`` stands for each channel's name)."""

for _table, _what in (("journey_map", "the journey map by the customers' primary device (`market.devices`): one "
                       "row per device (and `all`) and stage; the columns of `journey_map`, `device` for `persona`"),
                      ("journey_touchpoints", "exposures by channel that reached customers in each stage, per "
                       "primary device (and `all`)")):
    TABLES[f"{_table}_by_device"] = (_what, (
        Column("device", "name", "the customers' primary device (mobile, desktop, tablet), or `all` for everyone"),
        *TABLES[_table][1][1:]))


def columns(table: str) -> dict[str, Column]:
    """The documented columns of ``table`` by name."""
    return {column.name: column for column in TABLES[table][1]}


def reference_page() -> str:
    """The column reference as a Markdown page (``docs/reference/columns.md``)."""
    lines = ["# Columns of the output tables", "",
             "Every column of every table a run writes, with its unit and meaning. Generated from "
             "`journeysim/columns.py`; a test checks that every column a run writes, and every column of its "
             "exports, is listed here.", "",
             "**Days.** " + DAY_CONVENTION, "",
             "**Money.** *currency* is the run's `market.currency` (default USD); `manifest.json` and "
             "`summary.json` record it. Empty cells are undefined values (no ticket served, no order yet).", ""]
    lines += ["## Files of a run directory", "",
              "| File | Holds |", "|---|---|",
              "| `daily`, `flows`, `channels`, `events`, `journey_map`, `journey_touchpoints`, "
              "`journey_map_by_device`, `journey_touchpoints_by_device`, `brands` (competitors "
              "only) (`.csv` or `.parquet`, "
              "`outputs.format`) | the tables below; "
              "the journey log is written in pieces (Parquet: one row group per million events) |",
              "| `adoption.csv` | Bass scenario only: the adoption curve |",
              "| `summary.json` | the KPIs (`kpis`, with `not_applicable` reasons), `initial` (stages before day 1), "
              "a Bass run's `bass` fit, `service`, and with competitors `competition` (shares, share of voice, "
              "penetration, purchase frequency, switching matrix) |",
              "| `status.json` | `running`, `complete`, `incomplete` (interrupted; `partial` if the finished days "
              "were kept) or `failed` |",
              "| `manifest.json` | the resolved config, seeds, package versions, git commit and the size and sha256 "
              "of every other file (also in sweep and experiment directories; `journeysim.manifest.verify_manifest`)"
              " |",
              "| `*.png` | the figures (`outputs.figures`) |", ""]
    for table, (what, cols) in TABLES.items():
        lines += [f"## `{table}`", "", what[0].upper() + what[1:] + ".", "",
                  "| Column | Unit | Meaning |", "|---|---|---|",
                  *(f"| `{c.name}` | {c.unit} | {c.meaning} |" for c in cols), ""]
    return "\n".join(lines)
