"""Signal handlers that raise, made safe while numba compiles.

A handler that raises (SIGTERM as :class:`~journeysim.sim.errors.Interrupted`, as Ctrl-C raises
KeyboardInterrupt) runs between two Python bytecodes of the main thread. While numba compiles a
kernel (the first run in a fresh checkout, before its cache exists), Python code runs inside
llvmlite's ctypes callbacks: an exception raised there is printed as "Exception ignored" and
dropped, so the command went on as if never signalled. :func:`stop` therefore only notes a signal
that arrives during a compilation, and the compilation's end raises it. Python drops an exception
raised inside a weak-reference callback or a ``__del__`` the same way (any library's, importlib's
module locks included): :func:`guard`'s unraisable hook sends such a signal again instead of
printing it. Some libraries catch an interruption, log it as an error with its traceback and raise
it again (SQLAlchemy's connection pool, under pyabc's history, when a connection is returned): the
interruption still stops the command, and :func:`guard`'s logging filter keeps its traceback off
the terminal. And :func:`stop` remembers every signal, so that :func:`raise_received` can raise one
that some library's catch-all swallowed.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import sys
import threading
from types import FrameType

from journeysim.sim.errors import Interrupted


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


class _Compilations:
    """Listener of numba's ``numba:compiler_lock`` events (held while a kernel is loaded from the
    cache, compiled or saved): how deep the main thread is in them, and a signal that arrived
    meanwhile (raised when the outermost ends, outside any callback)."""

    def __init__(self) -> None:
        self.depth = 0
        self.pending: int | None = None

    def on_start(self, event: object) -> None:  # noqa: ARG002 - numba's listener signature
        if _main_thread():
            self.depth += 1

    def on_end(self, event: object) -> None:  # noqa: ARG002 - numba's listener signature
        if not _main_thread():
            return
        self.depth -= 1
        if self.depth == 0 and self.pending is not None:
            signum, self.pending = self.pending, None
            raise interruption(signum)


COMPILATIONS: _Compilations | None = None
"""The process's listener, once :func:`guard_compilations` registered it."""


def interruption(signum: int) -> KeyboardInterrupt:
    """The exception a signal raises: KeyboardInterrupt for Ctrl-C, :class:`Interrupted` otherwise."""
    return KeyboardInterrupt() if signum == signal.SIGINT else Interrupted(signum)


RECEIVED: int | None = None
"""The last signal :func:`stop` handled (None: none yet), for :func:`raise_received`."""


REDELIVER_S = 0.05
"""Seconds after which a signal that arrived where an exception would be dropped is sent again."""


def stop(signum: int, frame: FrameType | None) -> None:  # noqa: ARG001 - a signal handler's signature
    """Signal handler: raise :func:`interruption` now, or when the running numba compilation ends."""
    global RECEIVED
    RECEIVED = signum
    if COMPILATIONS is not None and COMPILATIONS.depth > 0:  # Python runs handlers in the main thread
        COMPILATIONS.pending = signum
        return
    raise interruption(signum)


def _send_dropped_again(unraisable: sys.UnraisableHookArgs, *, previous) -> None:
    """Unraisable hook: an interruption that Python dropped (raised inside a weak-reference callback
    or a ``__del__``, say a model freed as a run ends) is sent again :data:`REDELIVER_S` seconds
    later, without the "Exception ignored" traceback; anything else goes to the ``previous`` hook."""
    error = unraisable.exc_value
    if isinstance(error, Interrupted | KeyboardInterrupt) and _main_thread():
        signum = error.signum if isinstance(error, Interrupted) else signal.SIGINT
        threading.Timer(REDELIVER_S, os.kill, (os.getpid(), signum)).start()
        return
    previous(unraisable)


class QuietInterruptions(logging.Filter):
    """Logging filter: drops a record that carries an interruption as its exception (a library that
    logs "Exception during reset or similar" with the traceback of a SIGTERM it then raises again).
    The command says it was interrupted; the traceback would only alarm."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a record whose ``exc_info`` is an interruption."""
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, KeyboardInterrupt)  # Interrupted is one


QUIET = QuietInterruptions()
"""The filter :func:`guard` puts on the handlers that print to the terminal."""


def quiet_logging() -> None:
    """Put :data:`QUIET` on Python's last-resort handler (what prints while no handler is configured:
    in journey-calibrate, where pyabc's SQLAlchemy logs) and on the root logger's handlers configured
    by then (handlers that Hydra configures later, in ``journey``'s runs, do not have it)."""
    for handler in [logging.lastResort, *logging.getLogger().handlers]:
        if handler is not None and QUIET not in handler.filters:
            handler.addFilter(QUIET)


def guard() -> None:
    """Make :func:`stop`'s exceptions safe where Python would drop them or a library would print
    them: register :data:`COMPILATIONS` with numba (once per process), so :func:`stop` knows when a
    compilation runs; install the unraisable hook that sends a dropped interruption again (in front
    of whatever hook is installed, unless it already is); and keep logged interruptions' tracebacks
    off the terminal (:func:`quiet_logging`)."""
    global COMPILATIONS
    if getattr(sys.unraisablehook, "func", None) is not _send_dropped_again:
        sys.unraisablehook = functools.partial(_send_dropped_again, previous=sys.unraisablehook)
    quiet_logging()
    if COMPILATIONS is not None:
        return
    from numba.core import event

    class Listener(_Compilations, event.Listener):
        pass

    COMPILATIONS = Listener()
    event.register("numba:compiler_lock", COMPILATIONS)


def raise_received() -> None:
    """Raise the interruption of a signal that :func:`stop` handled but something swallowed: code
    that catches every exception (``except BaseException``, a bare ``except``), as some libraries do
    around optional imports, would otherwise let the command go on as if never signalled. Raised
    once: the signal is then forgotten (a process that goes on, as a test does, starts afresh)."""
    global RECEIVED
    if RECEIVED is not None:
        signum, RECEIVED = RECEIVED, None
        raise interruption(signum)


def behind(error: BaseException) -> KeyboardInterrupt | None:
    """The interruption that ``error`` replaced, if any: a signal's exception raised inside a
    library's ``except`` or ``finally`` (Hydra reading a config file, OmegaConf half-way through
    building a node) can leave that code to raise another error of its own (``UnboundLocalError``,
    ``AttributeError`` on the half-built node, a ``ConfigCompositionException`` wrapping either).
    The interruption is then among the error's causes and contexts, which are walked both (a
    context hidden by ``raise ... from None``, as Hydra's errors are turned into ``ConfigError``,
    included); None if it is not there."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        cause = pending.pop()
        if id(cause) in seen:
            continue
        if isinstance(cause, KeyboardInterrupt):
            return cause
        seen.add(id(cause))
        pending += [linked for linked in (cause.__cause__, cause.__context__) if linked is not None]
    return None
