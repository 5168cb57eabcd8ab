"""The planning forms (§5): their fields in order, and what the typed text means.

Plain Python, no Textual: a form is fields plus two functions — `problems`,
the reason beside each field as the user types, and `doc`, the document the
domain model validates. Both go through the same models as the CLI and import,
so a form refuses exactly what the store would.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from pydantic import ValidationError

from okrtui.app.board import Board
from okrtui.domain import planning
from okrtui.domain.errors import located_messages
from okrtui.domain.models import (
    PERSPECTIVE_NAMES,
    Cycle,
    KeyResult,
    Measure,
    Objective,
    StrategicObjective,
)
from okrtui.domain.text import parse_number

Values = dict[str, str]


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    lines: int = 1  # more than one: a text area (enter there is a new line)
    choices: tuple[str, ...] = ()  # a picker; 1–9 choose while it has focus
    hint: str = ""  # beside the field: a unit, a format


@dataclass
class Form:
    title: str
    fields: list[FormField]
    doc: Callable[[Values], dict[str, Any]]
    extra_problems: Callable[[Values, dict[str, Any]], dict[str, str]] = lambda values, doc: {}
    model: Any = None
    keys: str = "enter save \u00b7 escape cancel \u00b7 tab next field"
    first_problem: Optional[str] = field(default=None)

    def problems(self, values: Values) -> dict[str, str]:
        """The reason beside each field that is wrong, by field name ('' for the form)."""
        try:
            doc = self.doc(values)
        except FieldProblem as exc:
            return {exc.field: exc.message}
        found: dict[str, str] = {}
        if self.model is not None:
            try:
                self.model.model_validate(doc)
            except ValidationError as exc:
                names = {f.name for f in self.fields}
                for loc, message in located_messages(exc):
                    name = str(loc[0]) if loc else ""
                    if name in ("measures", "initiatives") and len(loc) > 1 and isinstance(loc[1], int):
                        message = f"item {loc[1] + 1}: {message}"
                    found.setdefault(name if name in names else "", message)
        # What only the store knows (a taken code, an unknown link) is said beside its field
        # at once, whatever else is still wrong.
        for name, message in self.extra_problems(values, doc).items():
            found.setdefault(name, message)
        return found


class FieldProblem(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _number(values: Values, name: str, default: Optional[float] = None) -> Optional[float]:
    text = values.get(name, "").strip()
    if not text:
        return default
    try:
        return parse_number(text)
    except ValueError as exc:
        raise FieldProblem(name, str(exc)) from None


def number_text(value: Optional[float]) -> str:
    return "" if value is None else str(value)


def _codes(text: str) -> list[str]:
    return list(dict.fromkeys(part for part in text.replace(",", " ").split() if part))


# -- strategic objective -------------------------------------------------------------

MEASURE_FORMAT = "name | unit | baseline | target | actual"


def _measures(values: Values) -> list[dict[str, Any]]:
    measures = []
    numbers_of: list[int] = []
    for number, line in enumerate(values.get("measures", "").splitlines(), 1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 5:
            raise FieldProblem("measures", f"line {number}: more than five parts ({MEASURE_FORMAT})")
        cells += [""] * (5 - len(cells))
        name, unit, baseline, target, actual = cells
        try:
            numbers = [parse_number(c) if c else None for c in (baseline, target, actual)]
        except ValueError as exc:
            raise FieldProblem("measures", f"line {number}: {exc}") from None
        if numbers[1] is None:
            raise FieldProblem("measures", f"line {number}: a target is required ({MEASURE_FORMAT})")
        measures.append({"name": name, "unit": unit, "baseline": numbers[0], "target": numbers[1],
                         "actual": numbers[2]})
        numbers_of.append(number)
    names = [m["name"].strip().casefold() for m in measures]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise FieldProblem("measures", f"line {numbers_of[index]}: measure name "
                                           f"{measures[index]['name']!r} is used twice")
    return measures


def measure_line(measure: Measure) -> str:
    return " | ".join([measure.name, measure.unit, number_text(measure.baseline), number_text(measure.target),
                       number_text(measure.actual)])


CODE_LETTERS = {"financial": "F", "customer": "C", "internal_process": "P", "learning_growth": "L"}


def _next_code(board: Board, perspective: str) -> str:
    """A code the perspective's objectives would take next: its letter and the next free number."""
    letter = CODE_LETTERS[perspective]
    number = len(board.in_perspective(perspective)) + 1
    while board.strategic(f"{letter}{number}"):
        number += 1
    return f"{letter}{number}"


def strategic_form(board: Board, perspective: str, existing: Optional[StrategicObjective] = None) -> Form:
    old = existing

    def doc(values: Values) -> dict[str, Any]:
        return {"code": values.get("code", "").strip(), "title": values.get("title", ""),
                "perspective": old.perspective if old else perspective,
                "description": values.get("description", ""), "owner": values.get("owner", ""),
                "drives": _codes(values.get("drives", "")), "measures": _measures(values),
                "initiatives": [line for line in values.get("initiatives", "").splitlines() if line.strip()]}

    def extra(values: Values, doc: dict[str, Any]) -> dict[str, str]:
        code = doc["code"]
        problems = {}
        if (old is None or code != old.code) and board.strategic(code):
            problems["code"] = f"{code} is taken"
        known = {s.code for s in board.strategy} | {code}
        unknown = [d for d in doc["drives"] if d not in known]
        if unknown:
            problems["drives"] = f"unknown code {unknown[0]}"
        return problems

    fields = [
        FormField("code", "Code", old.code if old else "",
                  f"e.g. {_next_code(board, perspective)} (letters, digits, - _ .)"),
        FormField("title", "Title", old.title if old else ""),
        FormField("owner", "Owner", old.owner if old else "", "optional"),
        FormField("description", "Description", old.description if old else "", "optional", lines=2),
        FormField("drives", "Drives", " ".join(old.drives) if old else "", "codes it contributes to, e.g. C1 C2"),
        FormField("measures", "Measures", "\n".join(measure_line(m) for m in old.measures) if old else "",
                  f"one per line: {MEASURE_FORMAT}", lines=2),
        FormField("initiatives", "Initiatives", "\n".join(old.initiatives) if old else "", "one per line",
                  lines=2),
    ]
    title = f"Edit {old.code}" if old else f"New strategic objective \u00b7 {PERSPECTIVE_NAMES[perspective]}"
    return Form(title, fields, doc, extra, model=StrategicObjective,
                keys="enter save (in a one-line field) \u00b7 escape cancel \u00b7 tab next field")


# -- cycle ---------------------------------------------------------------------------


def cycle_form(board: Board, today: dt.date, existing: Optional[Cycle] = None) -> Form:
    if existing is not None:
        cycle_id, start, end = existing.id, existing.start, existing.end
    else:
        cycle_id, start, end = planning.next_quarter(board.cycles(), today)
    taken = {c.id for c in board.cycles()}

    def doc(values: Values) -> dict[str, Any]:
        return {"id": values.get("id", "").strip() if existing is None else existing.id,
                "start": values.get("start", "").strip(), "end": values.get("end", "").strip()}

    def extra(values: Values, doc: dict[str, Any]) -> dict[str, str]:
        if existing is None and doc["id"] in taken:
            return {"id": f"cycle {doc['id']} exists"}
        return {}

    fields = [FormField("start", "Start", start.isoformat(), "YYYY-MM-DD"),
              FormField("end", "End", end.isoformat(), "YYYY-MM-DD")]
    if existing is None:
        fields.insert(0, FormField("id", "Id", cycle_id, "e.g. 2027-Q1"))
    return Form(f"Edit cycle {existing.id}" if existing else "New cycle", fields, doc, extra, model=Cycle)


# -- OKR objective and key result ----------------------------------------------------


def objective_form(existing: Optional[Objective] = None, serves: str = "", cycle_id: str = "") -> Form:
    def doc(values: Values) -> dict[str, Any]:
        return {"title": values.get("title", ""), "owner": values.get("owner", "")}

    fields = [FormField("title", "Title", existing.title if existing else ""),
              FormField("owner", "Owner", existing.owner if existing else "", "a team or person (optional)")]
    if existing is not None:
        title = f"Edit {existing.ref}"
    else:
        title = f"New objective in {cycle_id}" + (f" \u00b7 serves {serves}" if serves else "")
    return Form(title, fields, doc, model=Objective)


KINDS = ("metric", "milestone")


def key_result_form(objective: Objective, existing: Optional[KeyResult] = None) -> Form:
    old = existing

    def doc(values: Values) -> dict[str, Any]:
        kind = values.get("kind") or "metric"
        default_start, default_target = (0, 1)
        result: dict[str, Any] = {
            "title": values.get("title", ""), "kind": kind,
            "start": _number(values, "start", default_start),
            "target": _number(values, "target", default_target),
            "unit": values.get("unit", ""), "weight": _number(values, "weight", 1),
        }
        if old is not None:
            result["current"] = old.current
            result["confidence"] = old.confidence
        return result

    fields = [
        FormField("title", "Title", old.title if old else ""),
        FormField("start", "Start", number_text(old.start) if old else "", "empty: 0"),
        FormField("target", "Target", number_text(old.target) if old else "", "empty: 1"),
        FormField("unit", "Unit", old.unit if old else "", "optional, e.g. % or $M"),
        FormField("kind", "Kind", old.kind if old else "metric", choices=KINDS),
        FormField("weight", "Weight", number_text(old.weight) if old else "", "empty: 1"),
    ]
    title = f"Edit {old.ref}" if old else f"New key result of {objective.ref}"
    return Form(title, fields, doc, model=KeyResult)
