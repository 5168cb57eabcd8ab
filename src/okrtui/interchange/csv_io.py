"""The CSV interchange sheets (§7): read an OKR or a strategy sheet, write the OKR sheet.

A sheet is validated through the same models as the JSON format, but every
problem is reported the way a spreadsheet user finds it: by line, column
name and the cell's value.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from pydantic import BaseModel, ValidationError

from okrtui.domain.errors import InvalidInput, located_messages
from okrtui.domain.models import (
    CONFIDENCES,
    PERSPECTIVE_NAMES,
    PERSPECTIVES,
    Cycle,
    KeyResult,
    Measure,
    Objective,
    Scorecard,
    StrategicObjective,
)
from okrtui.domain.integrity import MAX_KEY_RESULTS_PER_CYCLE, too_large
from okrtui.domain.text import parse_number
from okrtui.interchange.checkin_plain import ESCAPED as _ESCAPED  # one unescaping rule for both readers
from okrtui.interchange.json_io import decode_text

OKR_HEADER = [
    "cycle", "objective", "owner", "aligned_to", "key_result", "kind",
    "start", "target", "current", "unit", "weight", "confidence",
]
STRATEGY_HEADER = ["code", "title", "perspective", "drives", "measure", "unit", "baseline", "target", "actual"]

# RFC 4180 line ends: what spreadsheets expect, and what the csv module writes by default.
LINE_END = "\r\n"

QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")
_FORMULA_START = "=+-@"
# Spreadsheets run a cell starting with one of these as a formula; the quotes
# in front let a text that itself starts with `'=` survive the round trip.
_NEEDS_ESCAPE = re.compile(r"^'*[=+\-@]")
# A file with thousands of bad rows would bury the first problems; the rest
# are only counted.
MAX_PROBLEMS = 200

_OKR_NUMBERS = ("start", "target", "current", "weight")
_KR_COLUMNS = {
    "title": "key_result", "kind": "kind", "start": "start", "target": "target", "current": "current",
    "unit": "unit", "weight": "weight", "confidence": "confidence",
}
_OBJECTIVE_COLUMNS = {"title": "objective", "owner": "owner", "aligned_to": "aligned_to"}
_STRATEGIC_COLUMNS = {"code": "code", "title": "title", "perspective": "perspective", "drives": "drives"}
_MEASURE_COLUMNS = {"name": "measure", "unit": "unit", "baseline": "baseline", "target": "target", "actual": "actual"}
_MEASURE_CELLS = ("unit", "baseline", "target", "actual")
_KR_CELLS = ("key_result", "kind", "start", "target", "current", "unit", "weight", "confidence")


def escape_cell(text: str) -> str:
    """A text cell as written to a sheet: one `'` in front of anything a spreadsheet would run."""
    return "'" + text if _NEEDS_ESCAPE.match(text) else text


def unescape_cell(text: str) -> str:
    return text[1:] if _ESCAPED.match(text) else text


def number_text(value: float | int) -> str:
    """A number as stored: an int stays `100`, a float is its shortest exact form (`2.5`)."""
    return str(value) if isinstance(value, int) else repr(value)


def _shown(value: str) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:56] + "...'"


# --------------------------------------------------------------------------- reading


@dataclass
class _Row:
    line: int
    cells: dict[str, str]

    def value(self, column: str) -> str:
        """The cell for a model, untrimmed, so that its text rules (control characters) see all of it."""
        return unescape_cell(self.cells[column])

    def text(self, column: str) -> str:
        """The cell trimmed, as the store keeps it: for grouping and comparing rows."""
        return self.value(column).strip()


@dataclass
class _Problems:
    name: str
    items: list[str] = field(default_factory=list)

    def add(self, line: int, column: Optional[str], message: str) -> None:
        where = f"line {line}, column {column}" if column else f"line {line}"
        self.items.append(f"{self.name}: {where}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            shown = self.items[:MAX_PROBLEMS]
            if len(self.items) > MAX_PROBLEMS:
                shown.append(f"{self.name}: … and {len(self.items) - MAX_PROBLEMS} more problems")
            raise InvalidInput(shown)


def _split_lines(text: str) -> list[str]:
    # The same line breaks as a file opened with newline="", so the reader's
    # line_num indexes this list.
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def _faulty_cell(lines: list[str], start: int) -> Optional[int]:
    """The index of the cell whose quoting broke the record beginning at line `start` (1-based)."""
    cell, at_cell_start, quoted = 0, True, False
    # Line by line from the record's start, never the rest of the file as one
    # string: a file with many bad rows would otherwise cost its size squared.
    for number in range(start - 1, len(lines)):
        text = lines[number]
        i = 0
        while i < len(text):
            ch = text[i]
            if quoted:
                if ch == '"':
                    if text[i + 1:i + 2] == '"':
                        i += 2
                        continue
                    quoted = False
                    if text[i + 1:i + 2] not in (",", "\r", "\n", ""):
                        return cell
            elif ch == '"' and at_cell_start:
                quoted = True
            elif ch == ",":
                cell += 1
                at_cell_start = True
                i += 1
                continue
            elif ch in "\r\n":
                return None
            at_cell_start = False
            i += 1
    return cell if quoted else None


def _column_name(header: Optional[list[str]], index: int) -> str:
    return header[index] if header and index < len(header) else str(index + 1)


def _sheet_header(record: list[str]) -> Optional[str]:
    if record in (OKR_HEADER, STRATEGY_HEADER):
        return None
    return (f"the header must be exactly {','.join(OKR_HEADER)} (OKR sheet) "
            f"or {','.join(STRATEGY_HEADER)} (strategy sheet), not {_shown(','.join(record))}")


def _read(text: str, name: str, header_problem=_sheet_header,
          expected: str = "") -> tuple[list[str], list[_Row], _Problems]:
    """The header and rows of a CSV text; `header_problem(record)` says what is wrong with a header."""
    problems = _Problems(name)
    lines = _split_lines(text)
    reader = csv.reader(iter(lines), strict=True)
    header: Optional[list[str]] = None
    rows: list[_Row] = []
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            index = _faulty_cell(lines, start)
            column = None if index is None else _column_name(header, index)
            reason = "a quoted cell is never closed" if str(exc) == "unexpected end of data" else str(exc)
            problems.add(start, column, f"malformed CSV: {reason}")
            if header is None:
                break
            continue
        if header is None:
            header = record
            wrong = header_problem(record)
            if wrong:
                problems.add(1, None, wrong)
                break
            continue
        if not any(cell.strip() for cell in record):
            continue  # blank lines and rows of empty cells, as spreadsheets leave them
        if len(record) < len(header):
            problems.add(start, header[len(record)],
                         f"missing: the row has {len(record)} cells, the header {len(header)}")
            continue
        if len(record) > len(header):
            extra = next((i for i in range(len(header), len(record)) if record[i].strip()), len(header))
            problems.add(start, str(extra + 1), (
                f"extra cell {_shown(record[extra])}: the row has {len(record)} cells, the header {len(header)}"
            ))
            continue
        rows.append(_Row(start, dict(zip(header, record))))
    if header is None and not problems.items:
        problems.add(1, None, f"the file is empty; expected the header "
                              f"{expected or (','.join(OKR_HEADER) + ' or ' + ','.join(STRATEGY_HEADER))}")
    return header or [], rows, problems


def _number(row: _Row, column: str, problems: _Problems, bad: set[str]) -> Any:
    """The cell's number, or None when it is empty (the field takes its default) or wrong."""
    raw = row.cells[column]
    text = raw.strip()
    if not text:
        return None
    try:
        return parse_number(text)
    except ValueError as exc:
        problems.add(row.line, column, str(exc))
        bad.add(column)
        return None


def _model_problems(exc: ValidationError) -> list[tuple[tuple[Any, ...], str]]:
    """(location, message) for each error of a flat model validated from one row."""
    # In a sheet a missing value is an empty cell.
    return [(loc, "must not be empty" if message == "is required" else message)
            for loc, message in located_messages(exc)]


def _validate(
    model: type[BaseModel], data: dict[str, Any], row: _Row, columns: dict[str, str],
    problems: _Problems, bad: set[str], fallback: str,
) -> Optional[BaseModel]:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for loc, message in _model_problems(exc):
            top = next((part for part in loc if isinstance(part, str)), None)
            column = columns.get(top, fallback)
            if column in bad:
                continue  # already reported, and the model only saw the cell as missing
            value = row.cells[column]
            index = next((part for part in loc if isinstance(part, int)), None)
            if index is not None and isinstance(data.get(top), list) and index < len(data[top]):
                value = data[top][index]  # one code of a list cell: that code is the offender
            # Name the offending value unless the message already does.
            if not (value.strip() and value.strip() in message):
                message = f"{message} (got {_shown(value)})"
            problems.add(row.line, column, message)
        return None


def _word(text: str) -> str:
    return re.sub(r"[\s_]+", "-", text.strip().lower())


def _disagree(row: _Row, column: str, first: _Row, what: str, problems: _Problems) -> None:
    problems.add(row.line, column, (
        f"{_shown(row.cells[column])} differs from line {first.line} ({_shown(first.cells[column])}); "
        f"rows of {what} must agree on {column}"
    ))


# --------------------------------------------------------------------------- OKR sheet


def quarter_dates(cycle_id: str) -> Optional[tuple[dt.date, dt.date]]:
    """The dates of a `YYYY-Qn` cycle id, or None for any other id."""
    match = QUARTER_RE.match(cycle_id)
    if not match:
        return None
    year, quarter = int(match.group(1)), int(match.group(2))
    if year < 1:
        return None
    last_month = 3 * quarter
    return dt.date(year, last_month - 2, 1), dt.date(year, last_month, calendar.monthrange(year, last_month)[1])


@dataclass
class _Group:
    first: _Row
    objective: Optional[Objective]
    key_results: list[KeyResult] = field(default_factory=list)


def _okr_rows(
    rows: list[_Row], problems: _Problems, known_codes: set[str],
    existing_cycles: dict[str, tuple[dt.date, dt.date]],
) -> Scorecard:
    per_cycle = Counter(row.text("cycle") for row in rows)
    oversized = [too_large(c, n) for c, n in per_cycle.items() if n > MAX_KEY_RESULTS_PER_CYCLE]
    if oversized:  # refused before 20,000+ rows are validated one by one
        raise InvalidInput(oversized)
    cycles: dict[str, tuple[dt.date, dt.date]] = {}
    groups: dict[str, dict[str, _Group]] = {}
    for row in rows:
        bad: set[str] = set()
        cycle_id = row.text("cycle")
        dates = existing_cycles.get(cycle_id) or quarter_dates(cycle_id)
        if not cycle_id:
            problems.add(row.line, "cycle", "must not be empty")
        elif dates is None:
            problems.add(row.line, "cycle", (
                f"unknown cycle {_shown(row.cells['cycle'])}: not in the store and not of the form YYYY-Qn"
            ))
        else:
            cycles.setdefault(cycle_id, dates)

        title = row.text("objective")
        owner = row.text("owner")
        aligned = row.text("aligned_to")
        cycle_groups = groups.setdefault(cycle_id, {})
        group = cycle_groups.get(title)
        if group is None:
            objective = _validate(
                Objective,
                {"title": row.value("objective"), "owner": row.value("owner"),
                 "aligned_to": row.value("aligned_to") if aligned else None},
                row, _OBJECTIVE_COLUMNS, problems, bad, "objective",
            )
            if objective is not None and objective.aligned_to is not None and objective.aligned_to not in known_codes:
                problems.add(row.line, "aligned_to", f"unknown code {objective.aligned_to}")
                objective = None
            group = cycle_groups[title] = _Group(row, objective)
        else:
            if owner != group.first.text("owner"):
                _disagree(row, "owner", group.first, f"objective {_shown(title)}", problems)
            if aligned != group.first.text("aligned_to"):
                _disagree(row, "aligned_to", group.first, f"objective {_shown(title)}", problems)

        if not any(row.cells[c].strip() for c in _KR_CELLS):
            continue  # the objective alone: how an objective without key results is written
        data: dict[str, Any] = {"title": row.value("key_result"), "unit": row.value("unit")}
        kind = _word(row.text("kind"))
        if kind and kind not in ("metric", "milestone"):
            problems.add(row.line, "kind", f"{_shown(row.cells['kind'])} is not a kind (metric or milestone)")
            bad.add("kind")
        elif kind:
            data["kind"] = kind
        confidence = _word(row.text("confidence"))
        if confidence and confidence not in CONFIDENCES:
            problems.add(row.line, "confidence",
                         f"{_shown(row.cells['confidence'])} is not a confidence ({', '.join(CONFIDENCES)})")
            bad.add("confidence")
        elif confidence:
            data["confidence"] = confidence
        for column in _OKR_NUMBERS:
            value = _number(row, column, problems, bad)
            if value is not None:
                data[column] = value
        if "kind" in bad:
            continue  # without its kind, which fields a key result needs is unknown
        key_result = _validate(KeyResult, data, row, _KR_COLUMNS, problems, bad, "key_result")
        if key_result is not None:
            group.key_results.append(key_result)

    problems.raise_if_any()
    return Scorecard(cycles=[
        Cycle(id=cycle_id, start=start, end=end, objectives=[
            group.objective.model_copy(update={"key_results": group.key_results})
            for group in groups[cycle_id].values() if group.objective is not None
        ])
        for cycle_id, (start, end) in cycles.items()
    ])


# --------------------------------------------------------------------------- strategy sheet


def _tokens(text: str) -> tuple[str, ...]:
    words = re.findall(r"[a-z0-9]+", text.lower().replace("&", " and "))
    return tuple(w for w in words if w != "and")


_PERSPECTIVE_TOKENS = {}
for _key in PERSPECTIVES:
    _PERSPECTIVE_TOKENS[_tokens(_key.replace("_", " "))] = _key
    _PERSPECTIVE_TOKENS[_tokens(PERSPECTIVE_NAMES[_key])] = _key


def parse_perspective(text: str) -> Optional[str]:
    """A perspective key from its key or display name, any case, `&` or `and`."""
    return _PERSPECTIVE_TOKENS.get(_tokens(text)) if text.strip() else None


def _drives(text: str) -> list[str]:
    # Pieces go to the model untrimmed, so a control character in one is refused, not dropped.
    return [code for code in text.split(";") if code.strip(" ")]


def _codes(row: _Row) -> list[str]:
    return [code.strip() for code in _drives(row.value("drives"))]


@dataclass
class _Strategic:
    first: _Row
    objective: Optional[StrategicObjective]
    perspective: str
    measures: list[Measure] = field(default_factory=list)
    measure_lines: list[int] = field(default_factory=list)


def _strategy_rows(rows: list[_Row], problems: _Problems, known_codes: set[str]) -> Scorecard:
    found: dict[str, _Strategic] = {}
    for row in rows:
        bad: set[str] = set()
        code = row.text("code")
        raw_perspective = row.text("perspective")
        perspective = parse_perspective(raw_perspective)
        entry = found.get(code)
        if entry is None:
            data: dict[str, Any] = {
                "code": row.value("code"), "title": row.value("title"), "drives": _drives(row.value("drives")),
            }
            if perspective is not None:
                data["perspective"] = perspective
            elif raw_perspective:
                names = ", ".join(PERSPECTIVE_NAMES[k] for k in PERSPECTIVES)
                problems.add(row.line, "perspective", (
                    f"{_shown(row.cells['perspective'])} is not a perspective "
                    f"({', '.join(PERSPECTIVES)} or {names})"
                ))
                bad.add("perspective")
            objective = _validate(StrategicObjective, data, row, _STRATEGIC_COLUMNS, problems, bad, "code")
            entry = found[code] = _Strategic(row, objective, perspective or raw_perspective)
        else:
            what = f"code {code}"
            if row.text("title") != entry.first.text("title"):
                _disagree(row, "title", entry.first, what, problems)
            if (perspective or raw_perspective) != entry.perspective:
                _disagree(row, "perspective", entry.first, what, problems)
            if _codes(row) != _codes(entry.first):
                _disagree(row, "drives", entry.first, what, problems)

        name = row.text("measure")
        if not name:
            given = [c for c in _MEASURE_CELLS if row.cells[c].strip()]
            if given:
                problems.add(row.line, "measure",
                             f"is empty, but the row gives {', '.join(given)}; name the measure or clear those cells")
            continue
        measure: dict[str, Any] = {"name": row.value("measure"), "unit": row.value("unit")}
        for column in ("baseline", "target", "actual"):
            value = _number(row, column, problems, bad)
            if value is not None:
                measure[column] = value
        validated = _validate(Measure, measure, row, _MEASURE_COLUMNS, problems, bad, "measure")
        if validated is not None:
            first = next((line for line, m in zip(entry.measure_lines, entry.measures) if m.key == validated.key), None)
            if first is not None:
                problems.add(row.line, "measure", f"measure name {validated.name!r} is used twice in {code} "
                                                  f"(first on line {first}); names are compared in any case")
                continue
            entry.measures.append(validated)
            entry.measure_lines.append(row.line)

    for entry in found.values():
        if entry.objective is None:
            continue
        for code in entry.objective.drives:
            if code not in found and code not in known_codes:
                problems.add(entry.first.line, "drives", f"unknown code {code}")

    problems.raise_if_any()
    return Scorecard(strategy=[
        entry.objective.model_copy(update={"measures": entry.measures})
        for entry in found.values() if entry.objective is not None
    ])


# --------------------------------------------------------------------------- entry points


def parse_csv(
    data: bytes, name: str, *, known_codes: set[str], existing_cycles: dict[str, tuple[dt.date, dt.date]],
) -> Scorecard:
    """An OKR sheet (cycles only) or a strategy sheet (strategy only), all problems at once.

    `known_codes` are the strategic codes that links may name besides the
    sheet's own; `existing_cycles` maps the store's cycle ids to their dates.
    """
    header, rows, problems = _read(decode_text(data, name), name)
    if header == OKR_HEADER:
        return _okr_rows(rows, problems, known_codes, existing_cycles)
    if header == STRATEGY_HEADER:
        return _strategy_rows(rows, problems, known_codes)
    problems.raise_if_any()
    raise InvalidInput([f"{name}: line 1: not a CSV sheet"])  # unreachable: _read reports a bad header


def write_rows(header: list[str], rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=LINE_END)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write_okr_sheet(cycle: Cycle) -> str:
    """The OKR sheet of one cycle, key results in store order, lines ending in CRLF.

    An objective without key results gets one row with empty key result
    cells, which imports back as that objective alone. Refs, parents and
    check-ins are not part of the sheet.
    """
    e = escape_cell
    rows: list[list[str]] = []
    for objective in cycle.objectives:
        head = [e(cycle.id), e(objective.title), e(objective.owner), e(objective.aligned_to or "")]
        if not objective.key_results:
            rows.append(head + [""] * 8)
        for kr in objective.key_results:
            rows.append(head + [
                e(kr.title), kr.kind, number_text(kr.start), number_text(kr.target), number_text(kr.current),
                e(kr.unit), number_text(kr.weight), kr.confidence,
            ])
    return write_rows(OKR_HEADER, rows)
