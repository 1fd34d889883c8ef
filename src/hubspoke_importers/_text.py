"""Light text helpers for sniffing and reading delimited files (no pandas).

Sniffers use these on a :class:`~hubspoke.plugins.contract.Probe`, so that
choosing a format never imports the heavy reading machinery.
"""

from __future__ import annotations

from hubspoke.plugins.contract import Probe
from hubspoke_importers._common import header_key

_DELIMITERS = (",", ";", "\t")


def decode(data: bytes) -> tuple[str, str]:
    """``(text, encoding)``: UTF-8 (BOM removed) when valid, else Windows-1252."""
    raw = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "cp1252"


def first_record_line(text: str) -> str:
    """The first line of ``text`` (up to 64 KiB), for delimiter detection."""
    end = text.find("\n", 0, 65536)
    return text[: end if end >= 0 else 65536]


def detect_delimiter(text: str) -> str:
    """The delimiter the first line uses most, counting only outside double quotes."""
    line = first_record_line(text)
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def header_keys(probe: Probe) -> set[str]:
    """Header keys of the first line of a delimited probe (empty set if none)."""
    text = probe.text()
    line = text.split("\n", 1)[0]
    return {header_key(cell.strip().strip('"')) for cell in line.split(detect_delimiter(text))}
