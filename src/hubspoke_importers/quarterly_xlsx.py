"""``hubspoke-quarterly-xlsx``: the programme's quarterly return workbook, and its template.

Sheets: "About" (service id, period, submitted on, resubmission), and the
data sheets "Referrals", "Young people", "Activities", "Outcomes" laid out
in :mod:`hubspoke_importers._quarterly_layout`. :meth:`write_template`
writes the blank workbook from the same layout, so the format read is the
template handed out.

Real workbooks are tolerated: title or note rows above the headers (the
header row is the first of the top 30 rows naming two or more known
columns), merged cells, blank rows, numbers stored as text, dates as Excel
serial numbers or as text, sheet and header names in any case. Safety:
see :mod:`hubspoke_importers._xlsx`.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from hubspoke.plugins.contract import LoadOptions, LoadResult, Probe
from hubspoke_importers._common import VERSION

NAME = "hubspoke-quarterly-xlsx"
_ZIP_LOCAL = b"PK\x03\x04"


def _workbook_xml(head: bytes) -> bytes | None:
    """``xl/workbook.xml`` inflated from the zip's first bytes, if it lies within them."""
    offset = 0
    for _ in range(64):
        if head[offset : offset + 4] != _ZIP_LOCAL or offset + 30 > len(head):
            return None
        fields = struct.unpack("<4sHHHHHIIIHH", head[offset : offset + 30])
        method, size, name_len, extra_len = fields[3], fields[7], fields[9], fields[10]
        name = head[offset + 30 : offset + 30 + name_len]
        start = offset + 30 + name_len + extra_len
        if name == b"xl/workbook.xml":
            body = head[start : start + size] if size else head[start:]
            if method == 0:
                return body
            inflater = zlib.decompressobj(-15)
            return inflater.decompress(body, 1 << 20)
        if size == 0:  # sizes in a data descriptor: cannot skip safely
            return None
        offset = start + size
    return None


class QuarterlyWorkbookImporter:
    """Reads the quarterly return workbook and writes its blank template."""

    name: str = NAME
    description: str = (
        "Quarterly return workbook (.xlsx): About, Referrals, Young people, Activities and "
        "Outcomes sheets. 'hubspoke template hubspoke-quarterly-xlsx OUT.xlsx' writes it blank."
    )
    extensions: tuple[str, ...] = (".xlsx", ".xlsm")
    version: str = VERSION

    def sniff(self, probe: Probe) -> float | None:
        """0.9 for About and Young people or Referrals sheets; 0.3 for other xlsx with About."""
        try:
            if not probe.head.startswith(_ZIP_LOCAL):
                return None
            xml = _workbook_xml(probe.head)
            if xml is not None:
                text = xml.decode("utf-8", errors="replace").casefold()
                if 'name="about"' in text and (
                    'name="young people"' in text or 'name="referrals"' in text
                ):
                    return 0.9
            if probe.suffix not in self.extensions:
                return None
            from hubspoke.reading import glance_workbook

            glance = glance_workbook(probe, rows=0)
            if glance is not None and not glance.has_sheet("About"):
                return None  # a workbook of some other layout: not ours
            return 0.3
        except Exception:
            return None

    def write_template(self, out: Path) -> None:
        """Write the blank workbook (see :mod:`hubspoke_importers._template`)."""
        from hubspoke_importers._template import write_template

        write_template(out)

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        """Read ``source`` (see :func:`hubspoke_importers._quarterly_read.load_workbook`)."""
        from hubspoke_importers._quarterly_read import load_workbook

        return load_workbook(source, options)
