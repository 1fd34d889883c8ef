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
from pathlib import Path
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
    """Print ``error: message`` on stderr and exit with ``status``.

    Control characters (a newline or ANSI escape in a file name) are escaped.
    """
    from hubspoke.diagnostics import printable

    click.echo(f"error: {printable(message)}", err=True)
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


_SIZE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


class FileSize(click.ParamType):  # type: ignore[type-arg]
    """A size in bytes, written as a whole number with an optional K, M or G (binary) suffix."""

    name = "size"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().removesuffix("IB").removesuffix("B")
        number, unit = (text[:-1], text[-1]) if text[-1:] in _SIZE_UNITS else (text, "")
        if not number.isdigit() or int(number) <= 0 or len(number) > 15:
            self.fail(f"{value!r} is not a size such as 200M, 1G or 52428800", param, ctx)
        return int(number) * _SIZE_UNITS[unit]


def max_file_size_option() -> Callable[[Callable[P, R]], Callable[P, R]]:
    """``--max-file-size`` (default: $HUBSPOKE_MAX_FILE_SIZE, else LoadOptions' default)."""
    from hubspoke.plugins.contract import DEFAULT_MAX_BYTES

    return click.option(
        "--max-file-size",
        "max_file_size",
        type=FileSize(),
        envvar="HUBSPOKE_MAX_FILE_SIZE",
        default=DEFAULT_MAX_BYTES,
        show_default=f"{DEFAULT_MAX_BYTES // 1024**2}M",
        help="Refuse return files larger than this (e.g. 200M, 1G). "
        "Default: $HUBSPOKE_MAX_FILE_SIZE. Workbooks keep a lower limit of their own.",
    )


def workspace_option() -> Callable[[Callable[P, R]], Callable[P, R]]:
    """``--workspace/-w``: an existing workspace file (default: $HUBSPOKE_WORKSPACE)."""
    return click.option(
        "--workspace",
        "-w",
        required=True,
        envvar="HUBSPOKE_WORKSPACE",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="The workspace file. Default: $HUBSPOKE_WORKSPACE.",
    )
