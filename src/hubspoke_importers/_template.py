"""Writing the blank quarterly return workbook from :mod:`hubspoke_importers._quarterly_layout`.

Each data sheet gets a title row, a note row, the header row (row 3, frozen)
and drop-down lists for coded columns (codes on a hidden "Lists" sheet; a
value typed outside the list gets a warning, not a refusal, since aliases
such as "Female" are understood). An "Instructions" sheet comes first.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from hubspoke.codes import code_list
from hubspoke.measures import measures
from hubspoke_importers import _quarterly_layout as layout

_TITLE = Font(bold=True, size=14)
_HEADER = Font(bold=True)
_FILL = PatternFill(fill_type="solid", start_color="DDEBF7", end_color="DDEBF7")
_NOTE = Font(italic=True, color="555555")
#: Rows offered for data entry under each header (validations cover them).
ENTRY_ROWS = 500


def write_template(out: Path) -> None:
    """Write the blank quarterly return workbook to ``out`` (overwriting it)."""
    wb = Workbook()
    intro = wb.worksheets[0]
    intro.title = "Instructions"
    intro["A1"] = layout.INSTRUCTIONS[0]
    intro["A1"].font = _TITLE
    for row, line in enumerate(layout.INSTRUCTIONS[1:], start=2):
        intro.cell(row=row, column=1, value=line)
    intro.column_dimensions["A"].width = 110

    about = wb.create_sheet(layout.ABOUT_SHEET)
    about["A1"] = "Quarterly monitoring return: about this return"
    about["A1"].font = _TITLE
    for col, text in enumerate(("Field", "Value", "Guidance"), start=1):
        cell = about.cell(row=layout.HEADER_ROW, column=col, value=text)
        cell.font, cell.fill = _HEADER, _FILL
    for row, (label, _field, guidance) in enumerate(
        layout.ABOUT_FIELDS, start=layout.HEADER_ROW + 1
    ):
        about.cell(row=row, column=1, value=label).font = _HEADER
        about.cell(row=row, column=3, value=guidance).font = _NOTE
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 18
    about.column_dimensions["C"].width = 70

    lists = wb.create_sheet("Lists")
    list_ranges: dict[str, str] = {}
    names = sorted({c.codes for s in layout.DATA_SHEETS for c in s.columns if c.codes})
    for col, name in enumerate(names, start=1):
        values = code_choices(name)
        lists.cell(row=1, column=col, value=name).font = _HEADER
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=col, value=value)
        letter = get_column_letter(col)
        list_ranges[name] = f"Lists!${letter}$2:${letter}${len(values) + 1}"
    resub = DataValidation(type="list", formula1=list_ranges["yes_no"], allow_blank=True)
    about.add_data_validation(resub)
    resub.add(f"B{layout.HEADER_ROW + len(layout.ABOUT_FIELDS)}")

    for spec in layout.DATA_SHEETS:
        ws = wb.create_sheet(spec.name)
        ws["A1"] = spec.title
        ws["A1"].font = _TITLE
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(spec.columns))
        ws["A2"] = "Dates dd/mm/yyyy. Leave a cell blank when you do not know the answer."
        ws["A2"].font = _NOTE
        for col, column in enumerate(spec.columns, start=1):
            cell = ws.cell(row=layout.HEADER_ROW, column=col, value=column.header)
            cell.font, cell.fill = _HEADER, _FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            letter = get_column_letter(col)
            ws.column_dimensions[letter].width = column.width
            if column.codes:
                dv = DataValidation(
                    type="list",
                    formula1=list_ranges[column.codes],
                    allow_blank=True,
                    showErrorMessage=True,
                    errorStyle="warning",
                    error="Not in the list: it will be checked when the return is imported.",
                )
                ws.add_data_validation(dv)
                first = layout.HEADER_ROW + 1
                dv.add(f"{letter}{first}:{letter}{first + ENTRY_ROWS - 1}")
        ws.freeze_panes = ws.cell(row=layout.HEADER_ROW + 1, column=1)
    lists.sheet_state = "hidden"
    wb.move_sheet(lists, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index("Lists"))
    wb.active = 1
    wb.save(out)


def code_choices(list_name: str) -> tuple[str, ...]:
    """The values offered in a template column's drop-down list."""
    if list_name == "measure":
        return tuple(m.id for m in measures().values() if m.id.startswith("referrals"))
    if list_name == "yes_no":
        return ("yes", "no")
    return code_list(list_name).values
