"""Opening input files safely: only regular files are read, whatever the name points at.

Reading a FIFO blocks until someone writes to it, and ``/dev/zero`` never
ends, so hashing, sniffing or reading either would hang (or fill memory)
before any size check could help. :func:`regular_file_problem` says what a
path is when it is not a regular file (following symbolic links), and
:func:`open_regular` opens without blocking and checks the opened file
itself, so a path swapped for a FIFO between the check and the open is
still refused.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _problem(path: Path, mode: int) -> str:
    what = _kind(mode)
    link = ""
    if path.is_symlink():
        try:
            link = f" (a symbolic link to {os.readlink(path)})"
        except OSError:
            link = " (a symbolic link)"
    return f"is {what}{link}, not a regular file; hubspoke reads only regular files"


def regular_file_problem(path: Path) -> str | None:
    """None when ``path`` is a regular file (after following links); else what is wrong.

    The answer completes a sentence starting with the path: "does not
    exist", "is a named pipe (FIFO), not a regular file; ...".
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "does not exist" + (" (a broken symbolic link)" if path.is_symlink() else "")
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    return _problem(path, mode)


class NotARegularFileError(OSError):
    """The path is not a regular file (a FIFO, a device, a directory...).

    ``strerror`` says what it is, ``filename`` is the path.
    """


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for binary reading; :class:`NotARegularFileError` unless a regular file.

    The open never blocks (``O_NONBLOCK``, so a FIFO without a writer does
    not hang), and the check is on the opened descriptor.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotARegularFileError(errno.EINVAL, _problem(path, mode), str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of the regular file ``path`` (see :func:`open_regular`)."""
    with open_regular(path) as fh:
        return fh.read(limit + 1)
