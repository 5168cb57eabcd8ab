"""A check-in file (`okrtui checkin --file`) of plain cells, read without the models.

The quick `checkin --file` reads the common file — a header and rows of unquoted
cells, as a metrics job writes them — with the standard library alone. Anything
else (a quoted cell, an escaped one, any problem at all) is left to
checkin_file.parse_checkin_file (None here), which reads every CSV and names each
problem with its line and column; so this only ever accepts what that accepts,
as the same rows.
"""

from __future__ import annotations

import re

from okrtui.domain.terms import parse_confidence, parse_time

TYPE_CHECKING = False  # the quick check-in counts its imports: typing stays unloaded
if TYPE_CHECKING:
    from typing import Optional

COLUMNS = ("ref", "value", "confidence", "note", "at")
REQUIRED = ("ref", "value")
# A cell the CSV writer escaped against spreadsheet formulas ('=…): unescaped by the full reader.
ESCAPED = re.compile(r"^'+[=+\-@]")


def plain_rows(data: bytes) -> Optional[list[tuple]]:
    """The file's check-ins as (ref, value text or None, confidence or None, note, at or None),
    in file order; None when the file is not plainly one the full reader accepts."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if '"' in text:
        return None  # quoting: the csv module's business
    # Unquoted, a CSV record is one line (any of the line ends csv knows) split at commas.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        return None
    names = [cell.strip().lower() for cell in lines[0].split(",")]
    if any(n not in COLUMNS for n in names) or len(set(names)) != len(names) or not set(REQUIRED) <= set(names):
        return None
    found = []
    for line in lines[1:]:
        record = line.split(",")
        if not any(cell.strip() for cell in record):
            continue  # blank lines and rows of empty cells, as the full reader skips them
        if len(record) != len(names):
            return None
        cells = dict(zip(names, record))
        ref, value = cells["ref"].strip(), cells["value"].strip()
        confidence, note, at = cells.get("confidence", "").strip(), cells.get("note", ""), cells.get("at", "")
        if not ref or ESCAPED.match(note) or (not value and not confidence and not note.strip()):
            return None
        try:
            chosen = parse_confidence(confidence) if confidence else None
            moment = parse_time(at) if at.strip() else None
        except ValueError:
            return None
        found.append((ref, value or None, chosen, note, moment))
    return found or None
