"""Check-ins from a file (`okrtui checkin --file`, §7): a CSV of `ref,value,confidence,note,at`.

Only the cells are read here (header, quoting, confidence words, times); each row is
then validated as one `okrtui checkin` by operations.record_checkins, so a file
refuses exactly what the command refuses, naming the line and the column.
"""

from __future__ import annotations

from okrtui.domain.errors import InvalidInput
from okrtui.domain.models import parse_confidence, parse_time
from okrtui.interchange.csv_io import _read, _shown, unescape_cell
from okrtui.interchange.json_io import decode_text
from okrtui.interchange.checkin_plain import COLUMNS, REQUIRED
from okrtui.operations import CheckinRow

HEADER = ",".join(COLUMNS)


def _header_problem(record: list[str]) -> str | None:
    names = [cell.strip().lower() for cell in record]
    unknown = [cell for cell, name in zip(record, names) if name not in COLUMNS]
    if unknown:
        return (f"unknown column {_shown(unknown[0])}; the header holds ref and value, and may hold "
                f"confidence, note and at ({HEADER})")
    twice = next((name for i, name in enumerate(names) if name in names[:i]), None)
    if twice:
        return f"column {twice} appears twice in the header"
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        return f"the header lacks the column {missing[0]} (a check-in file's header: {HEADER})"
    return None


def parse_checkin_file(data: bytes, name: str) -> list[CheckinRow]:
    """The rows of a check-in file in file order; all problems of its cells at once."""
    header, rows, problems = _read(decode_text(data, name), name, _header_problem, HEADER)
    problems.raise_if_any()
    columns = {cell.strip().lower(): cell for cell in header}
    found: list[CheckinRow] = []
    for row in rows:
        cells = {column: row.cells[original] for column, original in columns.items()}
        ref = cells["ref"].strip()
        if not ref:
            problems.add(row.line, "ref", "must not be empty (the key result's ref, like KR-12)")
        value = cells["value"].strip()
        confidence = cells.get("confidence", "").strip()
        note = unescape_cell(cells.get("note", ""))
        if not value and not confidence and not note.strip():
            problems.add(row.line, "value", "is empty; give a value, or a confidence or note to keep "
                                            "the current value")
        chosen = None
        if confidence:
            try:
                chosen = parse_confidence(confidence)
            except ValueError as exc:
                problems.add(row.line, "confidence", str(exc))
        at = None
        if cells.get("at", "").strip():
            try:
                at = parse_time(cells["at"])
            except ValueError as exc:
                problems.add(row.line, "at", str(exc))
        found.append(CheckinRow(row.line, ref, value or None, chosen, note, at))
    problems.raise_if_any()
    if not found:
        raise InvalidInput([f"{name}: the file holds no check-ins, only the header"])
    return found
