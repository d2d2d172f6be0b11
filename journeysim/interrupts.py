"""Signal handlers that raise, made safe while numba compiles.

A handler that raises (SIGTERM as :class:`~journeysim.sim.errors.Interrupted`, as Ctrl-C raises
KeyboardInterrupt) runs between two Python bytecodes of the main thread. While numba compiles a
kernel (the first run in a fresh checkout, before its cache exists), Python code runs inside
llvmlite's ctypes callbacks: an exception raised there is printed as "Exception ignored" and
dropped, so the command went on as if never signalled. :func:`stop` therefore only notes a signal
that arrives during a compilation, and the compilation's end raises it; sends again a signal that
arrives inside a weak-reference callback or a ``__del__`` (where an exception is dropped the same
way); and it remembers every signal, so that :func:`raise_received` can raise one that some
library's catch-all swallowed.
"""

from __future__ import annotations

import os
import signal
import threading
import weakref
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


def drops_exceptions(frame: FrameType | None) -> bool:
    """Whether ``frame`` runs inside a weak-reference callback or a ``__del__`` method, where Python
    prints an exception as "Exception ignored" and drops it (a model freed as a run ends calls one:
    the Mesa workaround's weak dictionary, :mod:`journeysim.agents.customer`)."""
    while frame is not None:
        code = frame.f_code
        if code.co_name == "__del__" or code.co_filename == weakref.__file__:
            return True
        frame = frame.f_back
    return False


def stop(signum: int, frame: FrameType | None) -> None:
    """Signal handler: raise :func:`interruption` now; or when the running numba compilation ends;
    or, when the signal arrived inside a callback that would drop the exception
    (:func:`drops_exceptions`), once it is sent again :data:`REDELIVER_S` seconds later."""
    global RECEIVED
    RECEIVED = signum
    if COMPILATIONS is not None and COMPILATIONS.depth > 0:  # Python runs handlers in the main thread
        COMPILATIONS.pending = signum
        return
    if drops_exceptions(frame):
        threading.Timer(REDELIVER_S, os.kill, (os.getpid(), signum)).start()
        return
    raise interruption(signum)


def guard_compilations() -> None:
    """Register :data:`COMPILATIONS` with numba (once per process), so :func:`stop` knows when a
    compilation runs."""
    global COMPILATIONS
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
