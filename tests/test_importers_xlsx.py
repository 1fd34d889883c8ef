"""hubspoke-quarterly-xlsx: template round trip, real-workbook quirks, hardening."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from hubspoke.errors import FileImportError
from hubspoke.periods import financial_quarter
from hubspoke.plugins.contract import LoadOptions, LoadResult, Probe, TemplateWriter
from hubspoke.reading import UNCOMPRESSED_FACTOR
from hubspoke_importers._xlsx import cell_text
from hubspoke_importers.quarterly_xlsx import QuarterlyWorkbookImporter

SAMPLES = Path(__file__).resolve().parents[1] / "examples" / "returns"
IMPORTER = QuarterlyWorkbookImporter()


def load(path: Path, **options: object) -> LoadResult:
    return IMPORTER.load(path, options=LoadOptions(**options))  # type: ignore[arg-type]


def test_importer_writes_its_template() -> None:
    assert isinstance(IMPORTER, TemplateWriter)


def test_template_has_the_sheets_headers_and_code_lists(tmp_path: Path) -> None:
    out = tmp_path / "blank.xlsx"
    IMPORTER.write_template(out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [
        "Instructions",
        "About",
        "Referrals",
        "Young people",
        "Activities",
        "Outcomes",
        "Lists",
    ]
    assert wb["Lists"].sheet_state == "hidden"
    young = wb["Young people"]
    assert [c.value for c in young[3]][:3] == ["Case id", "Referral date", "Referral source"]
    formulas = {dv.formula1 for dv in young.data_validations.dataValidation}
    assert any(f.startswith("Lists!") for f in formulas)
    lists = wb["Lists"]
    gender_col = next(c.column for c in lists[1] if c.value == "gender")
    assert [lists.cell(row=r, column=gender_col).value for r in range(2, 6)] == ["1", "2", "9", "0"]


def test_blank_template_loads_to_no_rows_and_asks_for_service(tmp_path: Path) -> None:
    out = tmp_path / "blank.xlsx"
    IMPORTER.write_template(out)
    assert IMPORTER.sniff(Probe.from_path(out)) == 0.9
    r = load(out)
    assert (r.rows_read, r.returns) == (0, ())
    assert {d.code for d in r.diagnostics} == {"missing-value"}


def test_template_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "filled.xlsx"
    IMPORTER.write_template(out)
    wb = openpyxl.load_workbook(out)
    wb["About"]["B4"], wb["About"]["B5"] = "S09", "2016-17 Q4"
    wb["About"]["B7"] = "yes"
    refs = wb["Referrals"]
    refs["A4"], refs["G4"] = "referrals_received", 5
    refs["A5"], refs["B5"], refs["G5"] = "referrals_received", "6", 5
    young = wb["Young people"]
    for col, value in enumerate(["S09-C1", "02/01/2017", "school", "medium", "low", "F"], 1):
        young.cell(row=4, column=col, value=value)
    acts = wb["Activities"]
    acts["A4"], acts["B4"], acts["D4"], acts["E4"] = datetime(2017, 2, 1), "group work", 6, 2
    outs = wb["Outcomes"]
    outs["A4"], outs["B4"], outs["C4"], outs["F4"] = "S09-C1", "Goal", "28/03/2017", "partly met"
    wb.save(out)
    r = load(out)
    assert r.ok, [str(d) for d in r.diagnostics]
    (ret,) = r.materialised_returns()
    assert (ret.service_id, ret.period, ret.replaces_earlier) == (
        "S09",
        financial_quarter(2016, 4),
        True,
    )
    assert [(v.breakdown, v.value) for v in ret.values] == [
        ((), 5.0),
        ((("referral_source", "6"),), 5.0),
    ]
    assert (ret.cases[0].referral_date, ret.cases[0].referral_source) == (date(2017, 1, 2), "2A")
    assert (ret.activities[0].on, ret.activities[0].kind.value) == (date(2017, 2, 1), "group_work")
    assert ret.outcomes[0].goal_status is not None
    assert (r.rows_read, r.rows_imported) == (5, 5)


def test_real_workbook_quirks_are_tolerated() -> None:
    r = load(SAMPLES / "quarterly-S30-2016-17-Q1-messy.xlsx")
    assert r.ok
    (ret,) = r.materialised_returns()
    assert ret.submitted_on == date(2016, 7, 14)  # an Excel serial in the About sheet
    values = [(v.measure, v.breakdown, v.value) for v in ret.values]
    assert values[0] == ("referrals_received", (), 14.0)  # label, number stored as text
    assert ("referrals_received", (("gender", "2"),), 10.0) in values  # " 10 " as text
    cases = {c.case_id: c for c in ret.cases}
    assert cases["S30-C0007"].referral_date == date(2016, 4, 4)  # serial 42464
    assert cases["S30-C0007"].age == 15  # "15" as text
    assert cases["S30-C0008"].referral_date == date(2016, 4, 19)  # text, day first
    assert cases["S30-C0008"].closed_on == date(2016, 6, 28)
    assert cases["S30-C0009"].gender == "1"
    # the header row is row 3 of "Young People" (below a merged title), data from row 5
    assert ret.activities[0].on == date(2016, 4, 20)


def test_rows_are_numbered_as_the_sheet_shows(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    about = wb.active
    assert about is not None
    about.title = "About"
    about.append(["Service id", "S01"])
    about.append(["Period", "2015-16 Q1"])
    acts = wb.create_sheet("Activities")
    acts.append(["A title over the table"])
    acts.merge_cells("A1:E1")
    acts.append([])
    acts.append([])
    acts.append(["Date", "Kind", "Audience profession", "Attendees", "Hours"])
    acts.append([])
    acts.append(["01/05/2015", "training", "police", "ten", 2])
    path = tmp_path / "numbered.xlsx"
    wb.save(path)
    r = load(path)
    bad = [d for d in r.diagnostics if d.code == "not-a-number"]
    assert [(d.location.sheet, d.location.row, d.location.column_letter) for d in bad] == [
        ("Activities", 6, "D")
    ]


def test_cell_text_as_typed() -> None:
    assert cell_text(12.0) == "12"
    assert cell_text(12.5) == "12.5"
    assert cell_text(datetime(2015, 4, 5)) == "2015-04-05"
    assert cell_text(42100, is_date=True) == "2015-04-06"
    assert cell_text(True) == "yes"
    assert cell_text(None) == ""


def _zip_with_padding(source: Path, padding: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/media/padding.bin", b"\0" * padding)
    return out.getvalue()


def test_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    limit = 200_000
    data = _zip_with_padding(SAMPLES / "quarterly-S21-2015-16-Q3.xlsx", UNCOMPRESSED_FACTOR * limit)
    assert len(data) < limit  # small on disk...
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data)
    with pytest.raises(FileImportError, match="zip bomb"):
        load(path, max_bytes=limit)  # ...but inflates past the limit
    assert load(path).ok  # the same file under the default limit is fine


def test_workbook_over_max_bytes_is_refused() -> None:
    with pytest.raises(FileImportError, match="over the limit"):
        load(SAMPLES / "quarterly-S21-2015-16-Q3.xlsx", max_bytes=1000)


def test_xml_entities_are_refused(tmp_path: Path) -> None:
    source = SAMPLES / "quarterly-S21-2015-16-Q3.xlsx"
    out = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet3.xml":
                entities = b'<!DOCTYPE x [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
                body = entities + body
            dst.writestr(info, body)
    path = tmp_path / "entities.xlsx"
    path.write_bytes(out.getvalue())
    with pytest.raises(FileImportError, match="cannot be read safely"):
        load(path)


def test_openpyxl_parses_with_defusedxml() -> None:
    from defusedxml import ElementTree as SafeTree
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML
    assert functions.iterparse is SafeTree.iterparse


def test_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")
    with pytest.raises(FileImportError, match=r"not an \.xlsx workbook"):
        load(path)


def test_sniff_scores() -> None:
    assert IMPORTER.sniff(Probe(path=Path("a.xlsx"), head=b"PK\x03\x04")) == 0.3
    assert IMPORTER.sniff(Probe(path=Path("a.csv"), head=b"PK\x03\x04")) is None
    assert IMPORTER.sniff(Probe(path=Path("a.xlsx"), head=b"service,period")) is None


def test_outcome_without_score_or_goal_status_is_rejected(tmp_path: Path) -> None:
    out = tmp_path / "outcomes.xlsx"
    IMPORTER.write_template(out)
    wb = openpyxl.load_workbook(out)
    wb["About"]["B4"], wb["About"]["B5"] = "S09", "2016-17 Q4"
    outs = wb["Outcomes"]
    outs["A4"], outs["B4"], outs["C4"], outs["E4"] = "S09-C1", "Goal", "28/03/2017", "A goal"
    outs["A5"], outs["B4"] = "S09-C2", "Goal"
    wb.save(out)
    r = load(out)
    assert (r.rows_read, r.rows_imported, r.rows_rejected) == (2, 0, 2)
    assert [
        (d.code, d.location.sheet, d.location.row, d.location.column) for d in r.diagnostics
    ] == [
        ("invalid-record", "Outcomes", 4, "Score"),
        ("missing-value", "Outcomes", 5, "Instrument"),
        ("missing-value", "Outcomes", 5, "Date"),
    ]
