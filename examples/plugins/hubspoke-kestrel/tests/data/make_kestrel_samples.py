# ruff: noqa: E501
"""Write the synthetic CaseFlow exports used by the tests (run: python make_kestrel_samples.py).

Every name, reference and date is invented. The workbooks imitate CaseFlow:
title rows above the headers, several services on one sheet, quarters
written "Q3 2015/16", dates as "05-Aug-2015" text or as date cells, a Notes
column and a Total row under the data.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
HEADERS = [
    "Service",
    "Quarter",
    "Client No",
    "Referral Date",
    "Referred By",
    "Gender",
    "Ethnicity",
    "Age",
    "Risk at Referral",
    "Current Risk",
    "Closed Date",
    "Notes",
]
# fmt: off
CLEAN = [
    ["S05", "Q3 2015/16", "KP-1001", "05-Aug-2015", "School", "Female", "White British", 14, "Red", "Amber", None, "weekly sessions"],
    ["S05", "Q3 2015/16", "KP-1002", "14-Oct-2015", "Police", "Female", "Pakistani", 15, "Amber", "Green", "18-Dec-2015", ""],
    ["S05", "Q3 2015/16", "KP-1003", datetime(2015, 11, 2), "Children's Services", "Male", "Mixed", 16, "Red", "Red", None, "joint visit planned"],
    ["S05", "Q3 2015/16", "KP-1004", "3 Nov 2015", "Parent", "Prefer not to say", "Prefer not to say", 13, "Amber", "Amber", None, None],
    ["S06", "Q3 2015/16", "KP-1001", "21-Oct-2015", "School", "Female", "White British", 14, "Amber", "Amber", None, "moved from S05 area"],
    ["S06", "Q3 2015/16", "KP-2001", "09-Nov-2015", "Police", "Non-binary", "Black African", 17, "Red", "Amber", None, ""],
    ["S06", "Q3 2015/16", "KP-2002", "27-Nov-2015", "School", "Female", "White Irish", 15, "Green", "Green", "30-Dec-2015", ""],
]
WITH_ERRORS = [
    ["S05", "Q3 2015/16", "KP-3001", "05-Aug-2015", "School", "Female", "White British", 14, "Red", "Amber", None, ""],
    ["S05", "Q3 2015/16", "KP-3002", "31-Feb-2015", "Police", "Female", "Whte British", 15.5, "Amber", "Green", None, ""],
    ["S5", "Q3 2015/16", "KP-3003", "10/25/2015", "School", "Male", "Mixed", 16, "Redd", "Red", None, ""],
    ["S06", "Q3", "KP-3004", "09-Nov-2015", "Police", "Female", "Black African", 17, "Red", "Amber", None, ""],
    ["S05", "Q3 2015/16", "KP-3001", "12-Nov-2015", "School", "Female", "White British", 14, "Red", "Amber", None, ""],
]
# fmt: on


def write(path: Path, rows: list[list[object]]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Case list"
    sheet.append(["Kestrel Project: CaseFlow case list"])
    sheet.append(["Exported 08/01/2016"])
    sheet.append([])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    sheet.append(["Total", None, len(rows)])
    lists = book.create_sheet("Lists")
    lists.append(["Referred By"])
    for source in ("School", "Police", "Children's Services", "Parent"):
        lists.append([source])
    # fixed timestamps: the same rows give the same bytes
    book.properties.created = book.properties.modified = datetime(2016, 1, 8)
    book.save(path)


if __name__ == "__main__":
    write(HERE / "kestrel-2015-16-q3.xlsx", CLEAN)
    write(HERE / "kestrel-with-errors.xlsx", WITH_ERRORS)
