"""What every command shares: exit statuses, and turning hubspoke errors into messages.

Use :func:`friendly_errors` on a command's callback (below ``@click.command``)
so that a :class:`~hubspoke.errors.HubspokeError` or an ``OSError`` prints
``error: <message>`` on stderr and exits with :data:`EXIT_DATA` or
:data:`EXIT_USAGE`, never with a traceback. Call :func:`fail` to stop a
command with a message and a status of your choosing.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import NoReturn, ParamSpec, TypeVar

import click

from hubspoke.errors import HubspokeError

#: The command did its work and found nothing wrong.
EXIT_OK = 0
#: The data is invalid (a return has errors).
EXIT_DATA = 1
#: The command was used wrongly (missing file, unknown format name...).
EXIT_USAGE = 2

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str, status: int = EXIT_USAGE) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``status``."""
    click.echo(f"error: {message}", err=True)
    raise click.exceptions.Exit(status)


def exit_status_for(exc: BaseException) -> int:
    """:data:`EXIT_USAGE` for a usage problem (unknown format, bad path); else :data:`EXIT_DATA`."""
    from hubspoke.plugins.registry import UnknownFormatError

    if isinstance(exc, UnknownFormatError | OSError):
        return EXIT_USAGE
    return EXIT_DATA


def friendly_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command callback so hubspoke errors and OS errors become messages and statuses."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except HubspokeError as exc:
            fail(str(exc), exit_status_for(exc))
        except BrokenPipeError:
            # The reader stopped early (``hubspoke score | head``): not an error.
            _quiet_stdout()
            raise click.exceptions.Exit(EXIT_OK) from None
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            fail(f"cannot use{where}: {exc.strerror or exc}", EXIT_USAGE)

    return wrapper


def _quiet_stdout() -> None:
    """Point stdout at the null device so the interpreter's final flush cannot fail again."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (e.g. under a test runner)
        pass
