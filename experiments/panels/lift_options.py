"""The lift-test options of the commands that run lift tests (``journey-truth``, ``journey-arena``).

One definition of each option (its name, default and help), of its checks (a bad value exits 2
naming the option, before any run) and of the settings it gives
:func:`~journeysim.experiments.panels.lift.lift_tests`. The days of each test are each command's
own option (``--lift-tests DAYS`` in ``journey-truth``, where 0 means no tests; ``--lift-days`` in
``journey-arena``, whose ``--calibrate`` asks for the tests).
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass
from typing import Any

from journeysim.experiments.panels.lift import (
    HOLDOUT_SHARE,
    check_persistent,
    check_windows,
    parse_channels,
    parse_levels,
)
from journeysim.sim.config import RunSpec
from journeysim.sim.errors import ConfigError

LEVELS_HELP = ("spend levels of each span's lift tests, times the plan's mean spend: one test per level, in the "
               "window whose mean spend is nearest it (0.5,1,1.5: points of the response curve below and above "
               "the mean; default 1)")
"""Help of ``--lift-levels``."""

PERSISTENT_HELP = ("channels tested with a persistent holdout group instead: one test each, from a third of the run to "
                   "its end, as CRM teams hold a group out of email (comma-separated, e.g. email; default none)")
"""Help of ``--lift-persistent``."""


def add_options(p: argparse.ArgumentParser, title: str) -> None:
    """Add the shared lift-test options to a command's parser, under their own heading in its help.

    Parameters
    ----------
    p : argparse.ArgumentParser
        The command's parser.
    title : str
        The heading, saying when the options apply (e.g. ``"lift tests (with --calibrate)"``).
    """
    group = p.add_argument_group(title)
    group.add_argument("--lift-cooldown", type=int, default=0, metavar="DAYS",
                       help="days after each lift test whose outcomes still count (carry-over, and purchases the "
                            "held-out customers only delayed: the test then measures the return over its days and "
                            "these; default 0: the test's days only)")
    group.add_argument("--lift-budget-split", action="store_true",
                       help="budget-split lift tests: the held-out customers get their share of every other "
                            "impressions channel's budget, drawn from them, so exposed customers moved into other "
                            "channels' target stages take none of the held-out customers' impressions (default: one "
                            "budget for both)")
    group.add_argument("--holdout-share", type=float, default=HOLDOUT_SHARE,
                       help=f"share of customers each lift test holds out (default {HOLDOUT_SHARE})")
    group.add_argument("--lift-windows", type=int, default=1, metavar="N",
                       help="lift tests per channel, in N equal spans from a third of the run to its end (seasons "
                            "and flighting averaged over them; default 1)")
    group.add_argument("--lift-levels", default="1", metavar="LEVELS", help=LEVELS_HELP)
    group.add_argument("--lift-persistent", default="", metavar="CHANNELS", help=PERSISTENT_HELP)


@dataclass(frozen=True)
class LiftOptions:
    """The lift-test settings of a command line (:func:`add_options`), checked.

    Attributes
    ----------
    cooldown_days : int
        Days after each test whose outcomes still count.
    holdout_share : float
        Share of customers each test holds out, in (0, 1).
    budget_split : bool
        Budget-split tests (the held-out customers get their share of the other channels' budgets).
    windows : int
        Tests per channel, in as many spans.
    levels : tuple of float
        Spend levels of each span's tests, times the plan's mean spend.
    persistent : tuple of str
        Channels tested with a persistent holdout group instead.
    """

    cooldown_days: int
    holdout_share: float
    budget_split: bool
    windows: int
    levels: tuple[float, ...]
    persistent: tuple[str, ...]

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> LiftOptions:
        """The options of :func:`add_options`, checked.

        Parameters
        ----------
        args : argparse.Namespace
            A command line parsed by a parser that :func:`add_options` completed.

        Raises
        ------
        ConfigError
            A bad value, naming its option, the value and what is allowed.
        """
        if args.lift_cooldown < 0:
            raise ConfigError("--lift-cooldown", args.lift_cooldown, "days after each lift test, 0 or more")
        if not 0 < args.holdout_share < 1:
            raise ConfigError("--holdout-share", args.holdout_share, "a share of customers strictly between 0 and 1")
        if args.lift_windows < 1:
            raise ConfigError("--lift-windows", args.lift_windows, "lift tests per channel, 1 or more")
        return cls(args.lift_cooldown, args.holdout_share, args.lift_budget_split, args.lift_windows,
                   parse_levels(args.lift_levels, "--lift-levels"), parse_channels(args.lift_persistent))

    @property
    def needs_market(self) -> bool:
        """Whether :meth:`check` needs the market (several windows, or persistent channels)."""
        return self.windows > 1 or bool(self.persistent)

    def check(self, spec: RunSpec, test_days: int) -> None:
        """Refuse, before any run, windows the run cannot hold and persistent channels it cannot test.

        Parameters
        ----------
        spec : RunSpec
            The run the tests are for.
        test_days : int
            Days of each test (each command's own option).

        Raises
        ------
        ConfigError
            Naming ``--lift-windows`` or ``--lift-persistent``.
        """
        if self.windows > 1:
            check_windows(spec, test_days, self.cooldown_days, self.windows, "--lift-windows")
        check_persistent(spec, self.persistent, key="--lift-persistent")

    def settings(self) -> dict[str, Any]:
        """Keyword arguments of :func:`~journeysim.experiments.panels.lift.lift_tests` for these options."""
        return asdict(self)
