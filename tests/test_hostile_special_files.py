"""Paths that are not regular files (a FIFO, a link to /dev/zero) are refused before anything
reads them, and a failure inside a built-in importer is a located finding, never
"report this to its author".
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import hostile_files as h
from hubspoke.inputs import NotARegularFileError, open_regular, regular_file_problem
from hubspoke.validation import validate_file

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "returns.csv"
    os.mkfifo(path)
    return path


@pytest.fixture
def zero(tmp_path: Path) -> Path:
    path = tmp_path / "zero.csv"
    path.symlink_to("/dev/zero")
    return path


def test_a_fifo_is_refused_by_validate_with_a_clear_message(fifo: Path) -> None:
    (d,) = validate_file(fifo).diagnostics
    assert d.code == "file-unreadable"
    assert "is a named pipe (FIFO), not a regular file" in d.message


def test_a_link_to_dev_zero_is_refused_by_validate(zero: Path) -> None:
    (d,) = validate_file(zero).diagnostics
    assert "is a device (a symbolic link to /dev/zero)" in d.message


def test_open_regular_never_blocks_on_a_fifo(fifo: Path) -> None:
    with pytest.raises(NotARegularFileError) as caught:
        open_regular(fifo)
    assert "named pipe" in str(caught.value.strerror)
    assert regular_file_problem(fifo) is not None


def test_a_link_to_a_regular_file_is_fine(tmp_path: Path) -> None:
    target = h.cases_csv(tmp_path, [h.GOOD_CASE])
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert regular_file_problem(link) is None
    assert validate_file(link).rows_imported == 1


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_import_refuses_special_files_instead_of_hanging(
    tmp_path: Path, kind: str, request: pytest.FixtureRequest
) -> None:
    path: Path = request.getfixturevalue(kind)
    done = subprocess.run(
        [sys.executable, "-m", "hubspoke", "import", str(path), "-w", str(tmp_path / "w.db")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "not a regular file" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_built_in_importer_failure_is_a_located_finding_not_the_authors_fault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hubspoke_importers._cases_read as cases_read

    def explode(*_args: object, **_kwargs: object) -> object:
        raise MemoryError

    monkeypatch.setattr(cases_read, "read_table", explode)
    (d,) = validate_file(h.cases_csv(tmp_path, [h.GOOD_CASE])).diagnostics
    assert d.code == "import-failed"
    assert d.location.file == "cases.csv"
    assert "more memory than is available" in d.message
    assert "report this to its author" not in d.message


def test_deeply_nested_json_is_not_blamed_on_the_importer(tmp_path: Path) -> None:
    deep = '{"hubspoke": "returns", "version": 1, "returns": [' + "[" * 100_000
    path = h.write(tmp_path / "deep.json", deep + "]" * 100_000 + "]}")
    report = validate_file(path)
    assert report.diagnostics
    assert all("report this to its author" not in d.message for d in report.diagnostics)
    assert all(d.code != "importer-contract" for d in report.diagnostics)
