"""Write the workbook and JSON sample returns in this folder (deterministic).

All services, people and figures are fictional. The CSV samples beside this
script are written by hand; this script writes:

- ``quarterly-S21-2015-16-Q3.xlsx``: the blank template, filled in;
- ``quarterly-S30-2016-17-Q1-messy.xlsx``: valid, but laid out the way real
  workbooks are (title rows, merged header cells, blank rows, numbers stored
  as text, dates as Excel serial numbers and as text);
- ``flawed-quarterly-S33-2016-17-Q2.xlsx``: a workbook with mistakes (see README.md);
- ``returns-S12-2015-16.json`` and ``flawed-json-S12.json``: the native JSON form.

The same bytes come out on every run: zip timestamps and the workbook's
"modified" property are fixed. Usage: ``python examples/returns/make_samples.py``.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook

from hubspoke.codes import ActivityKind, GoalStatus
from hubspoke.model import Activity, CaseRecord, DataValue, MonitoringReturn, OutcomeRecord
from hubspoke.periods import financial_quarter
from hubspoke.serialization import dumps_returns
from hubspoke_importers._template import write_template

HERE = Path(__file__).resolve().parent
_FIXED = (2016, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>")
_CREATED = re.compile(rb"<dcterms:created[^>]*>[^<]*</dcterms:created>")


def _pin(path: Path) -> None:
    """Rewrite the zip at ``path`` with fixed timestamps so its bytes are reproducible."""
    with zipfile.ZipFile(path) as src:
        members = [(info.filename, src.read(info)) for info in src.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, body in members:
            if name == "docProps/core.xml":
                stamp = b'xsi:type="dcterms:W3CDTF">2016-01-01T00:00:00Z<'
                body = _MODIFIED.sub(b"<dcterms:modified " + stamp + b"/dcterms:modified>", body)
                body = _CREATED.sub(b"<dcterms:created " + stamp + b"/dcterms:created>", body)
            info = zipfile.ZipInfo(name, date_time=_FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, body)
    path.write_bytes(out.getvalue())


def _fill(ws: object, first_row: int, rows: list[list[object]]) -> None:
    for r, values in enumerate(rows, start=first_row):
        for c, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)  # type: ignore[attr-defined]


def clean_workbook(out: Path) -> None:
    """The template filled in by a tidy spoke (S21, 2015-16 Q3)."""
    write_template(out)
    wb = load_workbook(out)
    about = wb["About"]
    about["B4"], about["B5"] = "S21", "2015-16 Q3"
    about["B6"], about["B7"] = datetime(2016, 1, 14), "no"
    _fill(
        wb["Referrals"],
        4,
        [
            ["referrals_received", None, None, None, None, None, 11],
            ["referrals_received", "6", None, None, None, None, 5],
            ["referrals_received", "5A", None, None, None, None, 4],
            ["referrals_received", "2A", None, None, None, None, 2],
            ["referrals_received", None, "high", None, None, None, 4],
            ["referrals_received", None, "medium", None, None, None, 5],
            ["referrals_received", None, "low", None, None, None, 2],
            ["referrals_accepted", None, None, None, None, None, 9],
        ],
    )
    _fill(
        wb["Young people"],
        4,
        [
            [
                "S21-C0031",
                datetime(2015, 10, 6),
                "6",
                "high",
                "medium",
                "2",
                "WBRI",
                "not_recorded",
                15,
                "no",
                "one_to_one",
                4,
                1,
                None,
                None,
            ],
            [
                "S21-C0032",
                datetime(2015, 10, 20),
                "5A",
                "medium",
                "low",
                "2",
                "MWBC",
                "heterosexual",
                14,
                "yes",
                "both",
                1,
                0,
                datetime(2015, 12, 18),
                "outcomes_achieved",
            ],
            [
                "S21-C0033",
                datetime(2015, 11, 3),
                "2A",
                "medium",
                "medium",
                "1",
                "WBRI",
                "declined",
                13,
                "no",
                "group",
                0,
                0,
                None,
                None,
            ],
            [
                "S21-C0034",
                datetime(2015, 12, 1),
                "1B",
                "high",
                "high",
                "2",
                "BAFR",
                None,
                16,
                "no",
                "one_to_one",
                3,
                3,
                None,
                None,
            ],
        ],
    )
    _fill(
        wb["Activities"],
        4,
        [
            [datetime(2015, 10, 13), "professional_training", "social_work", 18, 3],
            [datetime(2015, 10, 27), "awareness_raising", "education", 42, 1.5],
            [datetime(2015, 11, 10), "group_work", None, 7, 2],
            [datetime(2015, 11, 24), "multi_agency_meeting", "police", 9, 2],
            [datetime(2015, 12, 8), "talk_to_young_people", None, 120, 1],
        ],
    )
    _fill(
        wb["Outcomes"],
        4,
        [
            ["S21-C0031", "Outcomes Star", datetime(2015, 10, 8), 3, None, None],
            ["S21-C0031", "Outcomes Star", datetime(2015, 12, 17), 5, None, None],
            [
                "S21-C0032",
                "Individual goal",
                datetime(2015, 12, 18),
                None,
                "Attends school every day for a month",
                "met",
            ],
        ],
    )
    wb.save(out)
    _pin(out)


def messy_workbook(out: Path) -> None:
    """A valid return in a home-made layout (S30, 2016-17 Q1)."""
    wb = Workbook()
    about = wb.worksheets[0]
    about.title = "ABOUT"
    about["A1"] = "Northmoor Spoke - Quarterly return"
    about.merge_cells("A1:D1")
    about["A3"], about["B3"] = "SERVICE ID", " S30 "
    about["A4"], about["C4"] = "Reporting period", "2016-17 Q1"  # value not in column B
    about["A5"], about["B5"] = "Date submitted", 42565  # an Excel serial: 14/07/2016
    refs = wb.create_sheet("referrals")
    refs["A1"] = "Alder Trust CSE spoke: referrals this quarter"
    refs.merge_cells("A1:E1")
    refs["A2"] = "(figures are for April to June 2016)"
    refs.append([])
    refs.append(["Measure", "Gender", "Referral Source", "Number", None])
    refs.merge_cells("D4:E4")  # a header merged over two columns
    refs.append(["Referrals received", None, None, "14"])  # number stored as text
    refs.append([None, None, None, None])
    refs.append(["referrals_received", "Female", None, " 10 "])
    refs.append(["referrals_received", "Male", None, "4"])
    refs.append([])
    refs.append(["referrals_received", None, "Police", 6])
    refs.append(["referrals_received", None, "School", 8])
    yp = wb.create_sheet("Young People")
    yp["A1"] = "Young people"
    yp.merge_cells("A1:H1")
    yp.append([])
    yp.append(
        [
            "Case ID",
            "Referral date",
            "Referral source",
            "Risk at referral",
            "Risk latest",
            "Gender",
            "Age",
            "Closed on",
        ]
    )
    yp.merge_cells("A3:A4")  # header cell merged downwards: row 4 stays blank
    yp.append([])
    yp.append(["S30-C0007", 42464, "police", "High", "Medium", "F", "15", None])
    yp.append(
        ["S30-C0008", "19/04/2016", "social worker", "medium", "low", "girl", 14, "2016-06-28"]
    )
    yp.append([None] * 8)
    yp.append(["S30-C0009", datetime(2016, 5, 3), "self", "low", "low", "boy", "13", None])
    acts = wb.create_sheet("Activities")
    acts["A1"] = "Activities"
    acts.append(["Date", "Kind", "Audience profession", "Attendees", "Hours"])
    acts.append([42480, "Training", "Police officer", "25", "3"])
    acts.append(["12/05/2016", "Awareness session", "teacher", 60, "1.5"])
    wb.save(out)
    _pin(out)


def flawed_workbook(out: Path) -> None:
    """The template filled in with mistakes (S33, 2016-17 Q2); see README.md."""
    write_template(out)
    wb = load_workbook(out)
    about = wb["About"]
    about["B4"], about["B5"], about["B6"] = "S33", "2016-17 Q2", "14/10/2016"
    _fill(
        wb["Referrals"],
        4,
        [
            ["referrals_received", None, None, None, None, None, 12],
            ["referrals_received", None, None, "Femail", None, None, 9],
            ["referrals_received", None, None, None, None, None, "12,5"],
        ],
    )
    ws = wb["Young people"]
    ws.cell(row=3, column=16, value="Young person name")
    _fill(
        ws,
        4,
        [
            [
                "S33-C0001",
                "04/07/2016",
                "police",
                "high",
                "medium",
                "2",
                "WBRI",
                None,
                15,
                "no",
                "one_to_one",
                2,
                1,
                None,
                None,
                "Fay Fictional",
            ],
            [
                "S33-C0002",
                "31/06/2016",
                "school",
                "medium",
                "low",
                "2",
                "WBRI",
                None,
                14,
                "no",
                "one_to_one",
                0,
                0,
                None,
                None,
                "Gus Invented",
            ],
        ],
    )
    _fill(
        wb["Activities"],
        4,
        [
            ["15/08/2016", "bake sale", None, 20, 2],
            ["22/08/2016", "professional_training", "police", 12.5, 2],
        ],
    )
    wb.save(out)
    _pin(out)


def json_returns() -> list[MonitoringReturn]:
    """Two quarters of S12 in native form."""
    q1, q2 = financial_quarter(2015, 1), financial_quarter(2015, 2)
    return [
        MonitoringReturn(
            service_id="S12",
            period=q1,
            submitted_on=date(2015, 7, 20),
            values=(
                DataValue(measure="referrals_received", value=15),
                DataValue(measure="referrals_received", breakdown={"gender": "2"}, value=12),
                DataValue(measure="young_people_one_to_one", value=19),
            ),
            cases=(
                CaseRecord(
                    case_id="S12-C0001",
                    referral_date=date(2015, 4, 9),
                    referral_source="6",
                    risk_at_referral="high",
                    gender="2",
                    age=15,
                ),
            ),
            activities=(
                Activity(
                    kind=ActivityKind.PROFESSIONAL_TRAINING,
                    on=date(2015, 5, 12),
                    audience_profession="health",
                    attendees=16,
                    hours=3.0,
                ),
            ),
            outcomes=(
                OutcomeRecord(
                    case_id="S12-C0001",
                    instrument="Individual goal",
                    on=date(2015, 6, 30),
                    goal="Safe plan agreed",
                    goal_status=GoalStatus.PARTLY_MET,
                ),
            ),
        ),
        MonitoringReturn(
            service_id="S12",
            period=q2,
            submitted_on=date(2015, 10, 19),
            values=(DataValue(measure="referrals_received", value=19),),
        ),
    ]


def main() -> None:
    clean_workbook(HERE / "quarterly-S21-2015-16-Q3.xlsx")
    messy_workbook(HERE / "quarterly-S30-2016-17-Q1-messy.xlsx")
    flawed_workbook(HERE / "flawed-quarterly-S33-2016-17-Q2.xlsx")
    text = dumps_returns(json_returns())
    (HERE / "returns-S12-2015-16.json").write_text(text + "\n", encoding="utf-8")
    doc = json.loads(text)
    doc["returns"][0]["cases"][0]["gender"] = "F"  # not a code value: JSON is not free text
    doc["returns"][0]["cases"][0]["referral_date"] = "09/04/2015"  # JSON dates are ISO
    doc["returns"][1]["values"][0]["value"] = -19
    (HERE / "flawed-json-S12.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
