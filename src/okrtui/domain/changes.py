"""Changes to a scorecard as commands: what each does, how to undo it, what it was based on.

Every change made in the app — a planning edit, a check-in — is a Command: a list
of Edits, each naming one item with its state before and after (None: absent).
Its inverse swaps before and after in reverse order, so undo needs no code of
its own per kind. Applying a change does not look at the before state (two
editors: the later save wins); undoing one first checks that every item is
still as the change left it, so another person's later change is never
clobbered (`Conflict`).

The store applies a change to a transaction through the small `Workspace`
interface below; nothing here knows how the store keeps its files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Iterable, Literal, Optional, Protocol

from okrtui.domain.errors import InvalidInput
from okrtui.domain.integrity import MAX_KEY_RESULTS_PER_CYCLE, cycle_problems, strategy_problems, too_large
from okrtui.domain.models import CheckIn, Cycle, KeyResult, Measure, Objective, Reading, StrategicObjective, parse_time

Kind = Literal["strategic", "cycle", "objective", "key_result", "checkin", "reading"]
Doc = dict[str, Any]
KIND_NAMES = {"strategic": "strategic objective", "cycle": "cycle", "objective": "objective",
              "key_result": "key result", "checkin": "check-in", "reading": "reading"}
# Histories: append-only, checked by the store, and named in a journal by the item they belong to.
HISTORIES = ("checkin", "reading")


@dataclass(frozen=True)
class Edit:
    """One item's change. `place` says where the item is (or goes):
    strategic and cycle: (index,); objective: (cycle id, index); key result:
    (cycle id, objective ref, index); check-in: (cycle id,); reading: (code, measure id)."""

    kind: Kind
    key: str
    before: Optional[Doc]
    after: Optional[Doc]
    place: tuple = ()

    def inverse(self) -> "Edit":
        return replace(self, before=self.after, after=self.before)

    @property
    def subject(self) -> str:
        return f"{self.kind}:{self.key}"


@dataclass(frozen=True)
class Command:
    """A command of the domain: its edits, a label for people, and the store generation
    it was made on (None until the store applied it)."""

    label: str
    edits: tuple[Edit, ...]
    author: str = ""
    base: Optional[int] = None
    undoes: bool = False

    def inverse(self) -> "Command":
        return Command(self.label, tuple(e.inverse() for e in reversed(self.edits)), self.author,
                      undoes=not self.undoes)

    @property
    def subjects(self) -> list[str]:
        seen: dict[str, None] = {}
        for edit in self.edits:
            if edit.kind not in HISTORIES:
                seen.setdefault(edit.subject, None)
        return list(seen)

    @property
    def structural(self) -> bool:
        """Whether it takes a strategic code away (deleted or renamed), so every cycle's
        alignments must be checked again; other strategy edits leave the cycles as they are."""
        return any(e.kind == "strategic" and e.after is None for e in self.edits)


class Conflict(InvalidInput):
    """An undo refused because someone changed an item since (named in `subjects`)."""

    def __init__(self, problems: Iterable[str], subjects: list[str]):
        super().__init__(problems)
        self.subjects = subjects


class Workspace(Protocol):
    """What a change needs of the state it is applied to (the store's transaction)."""

    strategy: list[StrategicObjective]

    def cycle_ids(self) -> list[str]: ...

    def cycle(self, cycle_id: str) -> Cycle:
        """A cycle to change (the store writes it back)."""

    def read_cycle(self, cycle_id: str) -> Cycle:
        """A cycle only looked at (the store leaves its files alone)."""

    def locate(self, ref: str) -> Optional[str]:
        """The id of the cycle holding an objective or key result ref."""

    def add_cycle(self, cycle: Cycle, index: Optional[int] = None) -> None: ...

    def remove_cycle(self, cycle_id: str) -> None: ...

    def add_checkin(self, cycle_id: str, kr_ref: str, checkin: CheckIn) -> None: ...

    def retract_checkin(self, cycle_id: str, kr_ref: str, checkin: CheckIn) -> None: ...

    def history(self, cycle_id: str, kr_ref: str) -> list[CheckIn]: ...

    def add_reading(self, measure_id: int, reading: Reading) -> None: ...

    def retract_reading(self, measure_id: int, reading: Reading) -> None: ...

    def readings(self, measure_id: int) -> list[Reading]:
        """A measure's committed readings, in the order they were added."""

    def next_measure_id(self) -> int: ...

    def next_objective_ref(self) -> str: ...

    def next_kr_ref(self) -> str: ...


# -- the state of one item, as a change records it ---------------------------------


def strategic_doc(objective: StrategicObjective) -> Doc:
    """A strategic objective as the store keeps it: each measure without its readings (they
    are a history kept apart) but with the number they are filed under and the latest time."""
    doc = objective.to_doc()
    for measure_doc, measure in zip(doc["measures"], objective.measures):
        del measure_doc["readings"]
        measure_doc["id"] = measure._id
        measure_doc["last_at"] = measure.last_reading_at.isoformat() if measure.last_reading_at else None
    return doc


def strategic_from(doc: Doc) -> StrategicObjective:
    """The inverse of `strategic_doc`."""
    kept = [(m.get("id"), m.get("last_at")) for m in doc.get("measures") or [] if isinstance(m, dict)]
    plain = {**doc, "measures": [{k: v for k, v in m.items() if k not in ("id", "last_at")}
                                 if isinstance(m, dict) else m for m in doc.get("measures") or []]}
    objective = StrategicObjective.model_validate(plain)
    for measure, (number, last) in zip(objective.measures, kept):
        measure._id = number
        measure._last_at = parse_time(last) if last else None
    return objective


def set_actual(measure: Measure, value: float, at: Optional[dt.datetime]) -> None:
    """A measure's actual after a reading that became its latest (§2)."""
    measure.actual, measure._last_at = value, at


def cycle_doc(cycle: Cycle) -> Doc:
    return {"id": cycle.id, "start": cycle.start.isoformat(), "end": cycle.end.isoformat(),
            "closed": cycle.closed}


def objective_doc(objective: Objective) -> Doc:
    return objective.model_dump(mode="json", exclude={"key_results"})


def kr_doc(kr: KeyResult) -> Doc:
    doc = kr.model_dump(mode="json", exclude={"checkins"})
    doc["last_at"] = kr.last_checkin_at.isoformat() if kr.last_checkin_at else None
    return doc


def set_current(kr: KeyResult, value: float, confidence: str, at: Optional[dt.datetime]) -> None:
    """A key result's current state after a check-in that became its latest (§2)."""
    kr.current, kr.confidence, kr._last_at = value, confidence, at


def _kr_from(doc: Doc) -> KeyResult:
    kr = KeyResult.model_validate({k: v for k, v in doc.items() if k != "last_at"})
    kr._last_at = parse_time(doc["last_at"]) if doc.get("last_at") else None
    return kr


# -- applying ------------------------------------------------------------------------


def current_doc(ws: Workspace, edit: Edit) -> Optional[Doc]:
    """The item's state now, in the shape `edit` records, or None when it is not there."""
    if edit.kind == "strategic":
        found = next((s for s in ws.strategy if s.code == edit.key), None)
        return strategic_doc(found) if found else None
    if edit.kind == "cycle":
        return cycle_doc(ws.read_cycle(edit.key)) if edit.key in ws.cycle_ids() else None
    cycle_id = edit.place[0]
    if cycle_id not in ws.cycle_ids():
        return None
    cycle = ws.read_cycle(cycle_id)
    if edit.kind == "objective":
        found = next((o for o in cycle.objectives if o.ref == edit.key), None)
        return objective_doc(found) if found else None
    if edit.kind == "key_result":
        found = _find_kr(cycle, edit.key)
        return kr_doc(found[1]) if found else None
    return edit.after  # a check-in or reading: the history is append-only, checked by the store


def apply(ws: Workspace, change: Command, check: bool = False) -> None:
    """Apply every edit of `change`; with `check`, first make sure each item is as its
    `before` says (an undo), else raise Conflict naming what changed."""
    if check:
        changed = [e.subject for e in change.edits if e.kind not in HISTORIES and current_doc(ws, e) != e.before]
        changed += _history_changed(ws, change)
        if changed:
            names = ", ".join(dict.fromkeys(s.split(":", 1)[1] for s in changed))
            raise Conflict([f"{names} changed since; nothing was undone"], list(dict.fromkeys(changed)))
    for edit in change.edits:
        if edit.kind not in ("strategic", "cycle", "reading") and edit.place[0] in ws.cycle_ids() \
                and ws.read_cycle(edit.place[0]).closed:
            raise InvalidInput([f"{edit.key}: cycle {edit.place[0]} is closed; reopen it first"])
        _HANDLERS[edit.kind](ws, edit)
    validate(ws, change)


def _history_changed(ws: Workspace, change: Command) -> list[str]:
    """Key results whose history gained a check-in since `change` took some back out: what
    it retracts must still be the newest lines of each history, else undoing would put
    back a state older than someone's check-in (or hide theirs)."""
    taken: dict[tuple[str, Any, str], list[Doc]] = {}
    for edit in change.edits:
        if edit.kind in HISTORIES and edit.before is not None:
            where = edit.place[0] if edit.kind == "checkin" else edit.place[1]
            taken.setdefault((edit.kind, where, edit.key), []).append(edit.before)
    changed = []
    for (kind, where, key), docs in taken.items():
        if kind == "checkin":
            history = ws.history(where, key) if where in ws.cycle_ids() else []
        else:
            history = ws.readings(where)
        tail = [c.to_doc() for c in history[len(history) - len(docs):]] if len(history) >= len(docs) else []
        if sorted(map(_key, tail)) != sorted(map(_key, docs)):
            changed.append(f"key_result:{key}" if kind == "checkin" else f"strategic:{key}")
    return changed


def _key(doc: Doc) -> str:
    return repr(sorted(doc.items()))


def validate(ws: Workspace, change: Command) -> None:
    """The rules that span items, over what the change touched (every cycle when the
    strategy changed: an OKR anywhere may point at a code that went)."""
    codes = [s.code for s in ws.strategy]
    problems = strategy_problems(ws.strategy)
    touched = ws.cycle_ids() if change.structural else \
        list(dict.fromkeys(e.key if e.kind == "cycle" else e.place[0] for e in change.edits
                           if e.kind not in ("strategic", "reading")))
    cycles = [ws.read_cycle(c) for c in touched if c in ws.cycle_ids()]
    problems += cycle_problems(cycles, codes)
    for cycle in cycles:  # past this a store would refuse to read the cycle (integrity.py)
        krs = sum(len(o.key_results) for o in cycle.objectives)
        for count, what in ((krs, "key results"), (len(cycle.objectives), "objectives")):
            if count > MAX_KEY_RESULTS_PER_CYCLE:
                problems.append(too_large(cycle.id, count, what))
    if problems:
        raise InvalidInput(problems)


def _at_index(items: list, index: int, item) -> None:
    items.insert(min(index, len(items)), item)


def _missing(edit: Edit) -> InvalidInput:
    return InvalidInput([f"{edit.key}: no such {KIND_NAMES[edit.kind]} any more (someone removed it)"])


def _strategic(ws: Workspace, edit: Edit) -> None:
    position = next((i for i, s in enumerate(ws.strategy) if s.code == edit.key), None)
    if edit.before is None and position is None:
        _at_index(ws.strategy, edit.place[0], strategic_from(edit.after))
        return
    if position is None:
        raise _missing(edit)
    if edit.after is None:
        del ws.strategy[position]
    else:
        ws.strategy[position] = strategic_from(edit.after)


def _cycle(ws: Workspace, edit: Edit) -> None:
    present = edit.key in ws.cycle_ids()
    if edit.before is None and not present:
        ws.add_cycle(Cycle.model_validate(edit.after), edit.place[0])
        return
    if not present:
        raise _missing(edit)
    if edit.after is None:
        ws.remove_cycle(edit.key)
        return
    cycle = ws.cycle(edit.key)
    header = Cycle.model_validate({**edit.after, "objectives": []})
    cycle.start, cycle.end, cycle.closed = header.start, header.end, header.closed


def _objective(ws: Workspace, edit: Edit) -> None:
    cycle = ws.cycle(edit.place[0])
    position = next((i for i, o in enumerate(cycle.objectives) if o.ref == edit.key), None)
    if edit.before is None and position is None:
        _at_index(cycle.objectives, edit.place[1], Objective.model_validate(edit.after))
        return
    if position is None:
        raise _missing(edit)
    if edit.after is None:
        if cycle.objectives[position].key_results:
            raise InvalidInput([f"{edit.key}: still holds key results; delete them first"])
        del cycle.objectives[position]
        return
    updated = Objective.model_validate(edit.after)
    updated.key_results = cycle.objectives[position].key_results
    cycle.objectives[position] = updated


def _key_result(ws: Workspace, edit: Edit) -> None:
    cycle_id, objective_ref, index = edit.place
    cycle = ws.cycle(cycle_id)
    found = _find_kr(cycle, edit.key)
    if edit.before is None and found is None:
        objective = next((o for o in cycle.objectives if o.ref == objective_ref), None)
        if objective is None:
            raise InvalidInput([f"{objective_ref}: no such objective any more (someone removed it)"])
        _at_index(objective.key_results, index, _kr_from(edit.after))
        return
    if found is None:
        raise _missing(edit)
    objective, kr = found
    position = objective.key_results.index(kr)
    if edit.after is None:
        del objective.key_results[position]
    else:
        objective.key_results[position] = _kr_from(edit.after)


def _checkin(ws: Workspace, edit: Edit) -> None:
    cycle_id = edit.place[0]
    if edit.after is not None:
        ws.add_checkin(cycle_id, edit.key, CheckIn.model_validate(edit.after))
    else:
        ws.retract_checkin(cycle_id, edit.key, CheckIn.model_validate(edit.before))


def _reading(ws: Workspace, edit: Edit) -> None:
    measure_id = edit.place[1]
    if edit.after is not None:
        ws.add_reading(measure_id, Reading.model_validate(edit.after))
    else:
        ws.retract_reading(measure_id, Reading.model_validate(edit.before))


_HANDLERS = {"strategic": _strategic, "cycle": _cycle, "objective": _objective,
             "key_result": _key_result, "checkin": _checkin, "reading": _reading}


def _find_kr(cycle: Cycle, ref: str) -> Optional[tuple[Objective, KeyResult]]:
    for objective in cycle.objectives:
        for kr in objective.key_results:
            if kr.ref == ref:
                return objective, kr
    return None
