"""The console scripts' entry points: a signal at any moment, even while a command's modules are
still loading, ends the command with one line and exit status 128 + the signal (130 for Ctrl-C,
143 for SIGTERM), never a traceback.

Every console script of ``pyproject.toml`` points here; :data:`TARGETS` names the function that does
the command's work (a command in the shape of :mod:`journeysim.commands`). A new command adds a
line to :data:`TARGETS`, a function below and its script in ``pyproject.toml``.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Sequence
from importlib import import_module

from journeysim import interrupts
from journeysim.sim.errors import exit_status

TARGETS = {
    "journey": "journeysim.cli:main",
    "journey-scenarios": "journeysim.cli:scenarios_main",
    "journey-compare": "journeysim.experiments.compare:main",
    "journey-sensitivity": "journeysim.experiments.sensitivity.cli:main",
    "journey-app": "journeysim.cli:app_main",
    "journey-calibrate": "journeysim.experiments.calibration.cli:main",
    "journey-optimise": "journeysim.experiments.optimisation.cli:main",
    "journey-truth": "journeysim.experiments.truth.cli:main",
    "journey-attribution": "journeysim.experiments.attribution.cli:main",
    "journey-ab": "journeysim.experiments.ab.cli:main",
    "journey-arena": "journeysim.experiments.arena.cli:main",
}
"""Console script -> ``module:function`` doing its work (takes ``argv``, returns the exit status)."""


def launch(prog: str, argv: Sequence[str] | None = None) -> int:
    """Load and run the command ``prog``; a signal while it loads exits 128 + the signal, quietly.

    Parameters
    ----------
    prog : str
        A key of :data:`TARGETS`.
    argv : sequence of str, optional
        The command line (default ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status.
    """
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    defaults = {signal.SIGTERM: signal.SIG_DFL, signal.SIGINT: signal.default_int_handler}
    taken = [signum for signum, handler in previous.items() if handler == defaults[signum]]
    try:
        for signum in taken:  # SIGTERM raises Interrupted as Ctrl-C raises KeyboardInterrupt, even mid-compilation
            signal.signal(signum, interrupts.stop)
        if taken:
            interrupts.guard()
        module, _, function = TARGETS[prog].partition(":")
        work = getattr(import_module(module), function)
        interrupts.raise_received()  # a signal swallowed while the command's modules loaded
        return work(argv)
    except (KeyboardInterrupt, Exception) as error:
        # the interruption itself, or an error it caused: a signal inside an extension module's import
        # comes out as that module's own error ("ImportError: numba._devicearray failed to import")
        interruption = interrupts.behind(error)
        if interruption is None:
            raise
        print(f"{prog}: interrupted", file=sys.stderr)
        return exit_status(interruption)
    finally:
        for signum in taken:
            signal.signal(signum, previous[signum])


def journey(argv: Sequence[str] | None = None) -> int:
    """``journey``: run one scenario or a sweep."""
    return launch("journey", argv)


def scenarios(argv: Sequence[str] | None = None) -> int:
    """``journey-scenarios``: list the scenario library."""
    return launch("journey-scenarios", argv)


def compare(argv: Sequence[str] | None = None) -> int:
    """``journey-compare``: compare the scenarios of a sweep."""
    return launch("journey-compare", argv)


def sensitivity(argv: Sequence[str] | None = None) -> int:
    """``journey-sensitivity``: Morris screening of a plan's parameters."""
    return launch("journey-sensitivity", argv)


def app(argv: Sequence[str] | None = None) -> int:
    """``journey-app``: serve the trainer's page."""
    return launch("journey-app", argv)


def calibrate(argv: Sequence[str] | None = None) -> int:
    """``journey-calibrate``: fit a plan's parameters to observed data."""
    return launch("journey-calibrate", argv)


def optimise(argv: Sequence[str] | None = None) -> int:
    """``journey-optimise``: search a plan's budgets for the best one."""
    return launch("journey-optimise", argv)


def truth(argv: Sequence[str] | None = None) -> int:
    """``journey-truth``: the true effects of a scenario's channels."""
    return launch("journey-truth", argv)


def attribution(argv: Sequence[str] | None = None) -> int:
    """``journey-attribution``: attribution methods against the truth."""
    return launch("journey-attribution", argv)


def ab(argv: Sequence[str] | None = None) -> int:
    """``journey-ab``: an A/B test in the market, beside the truth."""
    return launch("journey-ab", argv)


def arena(argv: Sequence[str] | None = None) -> int:
    """``journey-arena``: marketing-mix models scored against the truth."""
    return launch("journey-arena", argv)
