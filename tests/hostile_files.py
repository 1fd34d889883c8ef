"""Builders of hostile and careless return files (synthetic data only), shared by the tests.

Each builder writes one file into a directory and returns its path. The
names of people in them are obviously fake ("Testname Example").
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from pathlib import Path

CASES_HEADER = "service,period,case_id,referral_date,referral_source,gender,age"
GOOD_CASE = "S01,2015-16,S01-C0001,07/04/2015,police,F,14"
VALUES_HEADER = "service,period,measure,value,gender"

#: An NHS number with a valid mod-11 check digit (made up: 943 476 5919 is the NHS's own
#: documented test number).
FAKE_NHS = "9434765919"
FAKE_PHONE = "07700 900123"  # Ofcom's drama range: never a real number
FAKE_EMAIL = "testname.example@example.com"
FAKE_NAME = "Testname Example"
FAKE_POSTCODE = "LS6 3AB"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def cases_csv(folder: Path, rows: Sequence[str], name: str = "cases.csv") -> Path:
    return write(folder / name, "\n".join([CASES_HEADER, *rows]) + "\n")


def values_csv(folder: Path, rows: Sequence[str], name: str = "values.csv") -> Path:
    return write(folder / name, "\n".join([VALUES_HEADER, *rows]) + "\n")


def wide_csv(folder: Path, columns: int, rows: int = 2) -> Path:
    """A cases file with ``columns`` columns (the real ones, then filler)."""
    header = CASES_HEADER + "".join(f",extra{i}" for i in range(columns - 7))
    body = [GOOD_CASE + "," * (columns - 7) for _ in range(rows)]
    return write(folder / "wide.csv", "\n".join([header, *body]) + "\n")


def json_returns(folder: Path, returns: list[dict[str, object]], name: str = "r.json") -> Path:
    return write(
        folder / name, json.dumps({"hubspoke": "returns", "version": 1, "returns": returns})
    )


def json_return(**changes: object) -> dict[str, object]:
    """One valid return (as JSON data) with ``changes`` applied to its top-level fields."""
    ret: dict[str, object] = {
        "service_id": "S01",
        "period": {"start": "2015-04-01", "end": "2015-06-30", "label": "2015-16 Q1"},
        "submitted_on": "2015-07-20",
        "values": [{"measure": "referrals_received", "breakdown": {}, "value": 15}],
        "cases": [],
        "activities": [],
        "outcomes": [],
    }
    ret.update(changes)
    return ret


def workbook(
    folder: Path,
    *,
    name: str = "q.xlsx",
    about: Sequence[tuple[str, object]] = (
        ("Service id", "S01"),
        ("Period", "2015-16 Q1"),
        ("Submitted on", "20/07/2015"),
    ),
    young_people: Sequence[Sequence[object]] = (),
    far_cell: str | None = None,
    extra_sheets: Sequence[tuple[str, str]] = (),
) -> Path:
    """A small quarterly workbook: an About sheet and a Young people sheet.

    ``far_cell`` puts one value at that cell of the Young people sheet (e.g.
    ``XFD1048576``); ``extra_sheets`` adds ``(title, state)`` sheets with the
    Young people header.
    """
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "About"
    sheet.append(["Field", "Value"])
    for label, value in about:
        sheet.append([label, value])
    header = ["Case id", "Referral date", "Gender", "Age"]
    young = wb.create_sheet("Young people")
    young.append(header)
    for row in young_people:
        young.append(list(row))
    if far_cell is not None:
        young[far_cell] = "x"
    for title, state in extra_sheets:
        extra = wb.create_sheet(title)
        extra.sheet_state = state
        extra.append(header)
        extra.append(["S01-C0099", "07/04/2015", "F", 14])
    path = folder / name
    wb.save(path)
    return path


def workbook_with_dimension(folder: Path, ref: str, far_cell: str | None = None) -> Path:
    """A workbook whose Young people sheet declares ``<dimension ref=...>`` whatever it holds."""
    plain = workbook(
        folder,
        name="plain.xlsx",
        young_people=[["S01-C0001", "07/04/2015", "F", 14]],
        far_cell=far_cell,
    )
    out = folder / "declared.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                text = data.decode("utf-8")
                start = text.index("<dimension ref=")
                end = text.index("/>", start)
                text = text[:start] + f'<dimension ref="{ref}"' + text[end:]
                data = text.encode("utf-8")
            dst.writestr(info, data)
    return out
