"""A/B tests in the market are calibrated (#25): A/A false positives and interval coverage.

Small markets and short windows (1,000 customers, the test from day 21 for 20 days), each test
its own seed. Pass criteria (issue 25):

* over at least 400 A/A tests at level 0.05 (no lever: both arms untreated), the share
  significant on conversion lies between 0.025 and 0.075;
* over at least 400 tests of a lever with a known effect (checkout friction 0.50 -> 0.10 for
  the treatment arm), the 95% interval of the conversion lift covers the true effect on the
  treated arm (its paired counterfactual under common random numbers) in 92% to 98% of tests.

Reported beside them, not pass criteria: the same coverage for revenue per customer, and how
far the estimate lies from the effect of rolling the lever out to everyone (word of mouth
carries effects across the arms, and a roll-out changes the whole market).
"""

from __future__ import annotations

from pathlib import Path

from journeysim.experiments.ab.method import ab_test
from journeysim.experiments.ab.result import calibration
from journeysim.experiments.validation.experiment import Check, Outcome, save_figure, save_table

NAME = "ab_calibration"
TESTS = 400
SIZE = 1_000
START, WINDOW = 20, 20
LEVER, VALUE = "checkout_friction", 0.10
FPR_BAND = (0.025, 0.075)
COVERAGE_BAND = (0.92, 0.98)


def checks(aa: dict, known: dict, known_revenue: dict) -> list[Check]:
    """The pass criteria (module notes) on the calibration rates."""
    return [
        Check(NAME, f"A/A tests at level 0.05: false-positive rate in [{FPR_BAND[0]}, {FPR_BAND[1]}]",
              bool(FPR_BAND[0] <= aa["rejection_rate"] <= FPR_BAND[1]),
              f"{aa['rejection_rate']:.3f} of {aa['tests']} A/A tests significant on conversion"),
        Check(NAME, f"95% intervals cover the treated arm's true effect in [{COVERAGE_BAND[0]:.0%}, "
                    f"{COVERAGE_BAND[1]:.0%}] of tests ({LEVER} {VALUE})",
              bool(COVERAGE_BAND[0] <= known["coverage"] <= COVERAGE_BAND[1]),
              f"{known['coverage']:.3f} of {known['tests']} tests (conversion; true lift on the treated "
              f"{100 * known['mean_true_treated']:.2f} pp, mean estimate {100 * known['mean_estimate']:.2f} pp)"),
        Check(NAME, "revenue per customer: coverage of the treated arm's true effect", None,
              f"{known_revenue['coverage']:.3f} of {known_revenue['tests']} tests"),
        Check(NAME, "gap of the estimate to the effect of rolling out to everyone", None,
              f"conversion: roll-out {100 * known['mean_true_rollout']:.2f} pp against treated "
              f"{100 * known['mean_true_treated']:.2f} pp; mean estimate - roll-out "
              f"{100 * known['mean_gap_to_rollout']:+.2f} pp "
              f"(mean |gap| {100 * known['mean_abs_gap_to_rollout']:.2f} pp); "
              f"right ship decisions {known['right_decisions']:.1%}"),
    ]


def run(out_dir: Path, jobs: int = 1, seed: int = 0, tests: int = TESTS, size: int = SIZE) -> Outcome:
    """Run the A/A and the known-effect tests, write their tables and figure, check the criteria."""
    overrides = [f"population.size={size}", f"seed={seed}"]
    aa = ab_test(overrides, None, None, START, WINDOW, tests=tests, jobs=jobs)
    known = ab_test(overrides, LEVER, VALUE, START, WINDOW, tests=tests, jobs=jobs)
    level = known.meta["level"]
    aa_rates = calibration(aa.tests, "conversion", level)
    rates = calibration(known.tests, "conversion", level)
    from journeysim.experiments.ab.plots import plot_ab_tests
    from journeysim.plots import headless_axes

    figure = plot_ab_tests(known.tests, "conversion", ax=headless_axes("ab_tests")).figure
    files = [save_table(out_dir, f"{NAME}_aa", aa.tests), save_table(out_dir, f"{NAME}_known", known.tests),
             save_figure(out_dir, NAME, figure)]
    return Outcome(NAME, checks(aa_rates, rates, calibration(known.tests, "revenue", level)), files)
