"""The last line of defence: no traceback reaches a user, and SIGTERM stops a run like Ctrl-C.

Expected failures are one-line ``Error:`` messages with status 1 (``commands.user_errors``).
What is left is a bug: :class:`GuardedGroup` prints one line that says so, and how to see the
traceback (``AECODEC_TRACEBACK=1``), and exits with :data:`BUG_STATUS`. While a command runs,
SIGTERM raises :class:`Terminated` (a ``KeyboardInterrupt``), so the same clean-up runs as for
Ctrl-C (temporary files removed, batch workers stopped), and the exit status is 143.

A signal handler's exception is lost when it lands while Python runs a finalizer, so both signals
are also recorded: a command that ends after a lost one still stops as interrupted, and long loops
call :func:`raise_if_interrupted` between items to stop promptly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator

import click

BUG_STATUS = 70
"""Exit status for an internal error (``EX_SOFTWARE`` in sysexits.h)."""
TERMINATED_STATUS = 128 + signal.SIGTERM
TRACEBACK_VARIABLE = "AECODEC_TRACEBACK"
_CLICK_OUTCOMES = (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort)


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop as for Ctrl-C."""


class GuardedGroup(click.Group):
    """A click group whose commands never end in a traceback (unless ``AECODEC_TRACEBACK`` is set)."""

    def invoke(self, ctx: click.Context):
        try:
            with sigterm_interrupts():
                result = super().invoke(ctx)
                raise_if_interrupted()
                return result
        except _CLICK_OUTCOMES:
            raise
        except Terminated:
            click.echo("aecodec: terminated", err=True)
            ctx.exit(TERMINATED_STATUS)
        except Exception as error:
            if os.environ.get(TRACEBACK_VARIABLE):
                raise
            click.echo(bug_message(error), err=True)
            ctx.exit(BUG_STATUS)


def bug_message(error: BaseException) -> str:
    """The one line for an unexpected exception."""
    detail = " ".join(str(error).split())
    return (f"Error: internal error, a bug in aecodec ({type(error).__name__}{': ' + detail if detail else ''}); "
            f"run again with {TRACEBACK_VARIABLE}=1 to see the traceback and report it")


_RECEIVED: list[type[KeyboardInterrupt]] = []
"""The interrupts received inside :func:`sigterm_interrupts` (SIGTERM as Terminated, SIGINT)."""


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` and SIGINT ``KeyboardInterrupt`` in the
    main thread, and both are recorded (elsewhere, or where no signal can be set, nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _RECEIVED.clear()
    previous = {signum: signal.signal(signum, _raise_interrupt) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _RECEIVED.clear()


def raise_if_interrupted() -> None:
    """Raise the first interrupt received, in case its handler's exception was lost."""
    if _RECEIVED:
        raise _RECEIVED[0]


def _raise_interrupt(signum: int, frame: object) -> None:
    interrupt = Terminated if signum == signal.SIGTERM else KeyboardInterrupt
    _RECEIVED.append(interrupt)
    raise interrupt
