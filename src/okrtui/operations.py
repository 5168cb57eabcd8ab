"""What users do to a store — import, check in, export — shared by the CLI and the app.

Each operation validates through the domain models, runs inside one store
transaction, and changes nothing when it raises InvalidInput.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Callable, Optional

from pydantic import TypeAdapter, ValidationError

from okrtui.domain.changes import Command
from okrtui.domain.changes import Edit, kr_doc, set_actual, set_current, strategic_doc, strategic_from
from okrtui.domain.changes import apply as apply_change
from okrtui.domain.errors import InvalidInput, describe
from okrtui.domain.integrity import MAX_KEY_RESULTS_PER_CYCLE, cycle_problems, strategy_problems, too_large
from okrtui.domain.models import (
    CheckIn,
    Cycle,
    KeyResult,
    Measure,
    Objective,
    Reading,
    Scorecard,
    StrategicObjective,
    latest_checkin,
    ref_number,
)
from okrtui.domain.scoring import (
    Change,
    CycleScores,
    Hint,
    default_cycle,
    hints,
    measure_attainment,
    ripple,
    ripple_line,  # noqa: F401  (also for the CLI and the app)
    sandbagging_cycles,
    score_cycle,
)
from okrtui.domain.fields import Author
from okrtui.domain.terms import FUTURE_SLACK, parse_value, present_time  # noqa: F401  (also for the app)
from okrtui.domain.text import OBJECTIVE_REF_RE, counted, number_shown, parse_number, score_text  # noqa: F401
from okrtui.store import Snapshot, Store, Transaction
from okrtui.store.backup import export_scorecard  # noqa: F401  (also for the CLI)

AUTHOR = TypeAdapter(Author)


# -- scoring a snapshot ----------------------------------------------------


def choose_cycle(snapshot: Snapshot, cycle_id: Optional[str], as_of: dt.date) -> Optional[Cycle]:
    """The cycle to show: the one asked for, else the default cycle (§6)."""
    headers = snapshot.cycle_headers()
    if cycle_id is not None:
        if snapshot.entry(cycle_id) is None:
            known = ", ".join(h.id for h in headers) or "none"
            raise InvalidInput([f"cycle: unknown cycle {cycle_id!r} (cycles: {known})"])
        return snapshot.cycle(cycle_id)
    chosen = default_cycle(headers, as_of)
    return snapshot.cycle(chosen.id) if chosen else None


def score_snapshot(
    snapshot: Snapshot, as_of: dt.date, cycle_id: Optional[str] = None
) -> tuple[Optional[Cycle], CycleScores, list[Hint]]:
    """Score one cycle of a snapshot and find the hints, loading only the cycles they need."""
    cycle = choose_cycle(snapshot, cycle_id, as_of)
    scores = score_cycle(snapshot.strategy, cycle, as_of)
    headers = snapshot.cycle_headers()
    # Of the other cycles only the two that sandbagging compares need their objectives.
    past = {c.id for c in sandbagging_cycles(headers, as_of)}
    for_hints = [snapshot.cycle(h.id) if h.id in past else h for h in headers]
    return cycle, scores, hints(snapshot.strategy, for_hints, scores)


# -- check-in --------------------------------------------------------------


@dataclass
class CheckInResult:
    ref: str
    cycle_id: str
    checkin: CheckIn
    changes: list[Change]
    became_current: bool
    command: Optional[Command] = None  # what undo takes back


def record_checkin(
    store: Store,
    ref: str,
    value_text: Optional[str],
    *,
    author: str,
    confidence: Optional[str] = None,
    note: str = "",
    at: Optional[dt.datetime] = None,
    now: Optional[dt.datetime] = None,
) -> CheckInResult:
    """Record one check-in; `value_text` None keeps the current value (the dialog's empty field).

    `at` None (or a time ahead of the clock, within the slack) is a check-in made now:
    see `present_time`.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    if at is not None and at > now + FUTURE_SLACK:
        raise InvalidInput([f"at: {at.isoformat()} is in the future (now {now.isoformat(timespec='seconds')})"])
    ref = ref.strip().upper()

    def change(tx) -> CheckInResult:
        found = _checkin_of(tx, ref, value_text, author, confidence, note, at, now)
        cycle = tx.cycle(found.cycle_id)
        before = score_cycle(tx.strategy, cycle, found.checkin.at.date())
        became_current = found.kr.last_checkin_at is None or found.checkin.at >= found.kr.last_checkin_at
        changes, _ = ripple(tx.strategy, before, ref, found.checkin.value if became_current else found.kr.current)
        command = _checked_in(tx, found, now)
        tx.record(command, now)
        return CheckInResult(ref, found.cycle_id, found.checkin, changes, became_current, command)

    return store.write(change)


@dataclass
class _Found:
    cycle_id: str
    objective: Objective
    kr: KeyResult
    checkin: CheckIn


def _checkin_of(tx, ref: str, value_text: Optional[str], author: str, confidence: Optional[str], note: str,
                at: Optional[dt.datetime], now: dt.datetime, where: Optional[dict] = None) -> _Found:
    """One check-in validated as `okrtui checkin` does it (§6, §9); `where` finds the key
    result's objective without a scan (a file of many check-ins builds it once)."""
    if at is not None and at > now + FUTURE_SLACK:
        raise InvalidInput([f"at: {at.isoformat()} is in the future (now {now.isoformat(timespec='seconds')})"])
    entry = tx.base.find(ref) if ref.startswith("KR-") else None
    if entry is None:
        raise InvalidInput([f"ref: unknown key result {ref}"])
    if entry.closed:
        raise InvalidInput([f"ref: {ref} is in cycle {entry.id}, which is closed"])
    cycle = tx.cycle(entry.id)
    objective, kr = where[ref] if where is not None and ref in where else _locate(cycle, ref)
    when = present_time(kr.last_checkin_at, now) if at is None or at >= now else at
    if when.date() < entry.start:
        raise InvalidInput([f"at: {when.isoformat()} is before cycle {entry.id} starts ({entry.start})"])
    try:
        value = kr.current if value_text is None else parse_value(value_text, kr.kind)
    except ValueError as exc:
        raise InvalidInput([f"value: {exc}"]) from None
    try:
        checkin = CheckIn.model_validate({
            "at": when, "author": author, "value": value,
            "confidence": confidence or kr.confidence, "note": note,
        })
    except ValidationError as exc:
        raise InvalidInput(describe(exc)) from None
    return _Found(entry.id, objective, kr, checkin)


def _checked_in(tx, found: _Found, now: dt.datetime) -> Command:
    """Add a validated check-in to the transaction; the command that undo takes back."""
    kr, checkin = found.kr, found.checkin
    kr_before = kr_doc(kr)
    if kr.last_checkin_at is None or checkin.at >= kr.last_checkin_at:
        set_current(kr, checkin.value, checkin.confidence, checkin.at)
    tx.add_checkin(found.cycle_id, kr.ref, checkin)
    place = (found.cycle_id, found.objective.ref, found.objective.key_results.index(kr))
    return Command(f"Check-in on {kr.ref}", (
        Edit("checkin", kr.ref, None, checkin.to_doc(), (found.cycle_id,)),
        Edit("key_result", kr.ref, kr_before, kr_doc(kr), place),
    ), author=checkin.author, base=tx.base.generation)


@dataclass
class CheckinRow:
    """One line of a check-in file (§7): `line` numbers it for error messages."""

    line: int
    ref: str
    value_text: Optional[str]  # None keeps the current value
    confidence: Optional[str] = None
    note: str = ""
    at: Optional[dt.datetime] = None


@dataclass
class CycleMovement:
    cycle_id: str
    checkins: int
    old: Optional[float]
    new: Optional[float]

    def line(self) -> str:
        return (f"{self.cycle_id}: {counted(self.checkins, 'check-in')} \u00b7 "
                f"Overall {score_text(self.old)} \u2192 {score_text(self.new)}")


def record_checkins(store: Store, rows: list[CheckinRow], *, author: str, name: str = "checkins",
                    now: Optional[dt.datetime] = None) -> list[CycleMovement]:
    """Record the check-ins of a file in file order, in one transaction: all or nothing.

    Every row is validated as one `okrtui checkin` would be; the problems of all rows are
    reported together, each naming its line. Returns the overall movement of each cycle
    touched (scored as of today), in the order the file first touches them.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    if not rows:
        raise InvalidInput([f"{name}: the file holds no check-ins"])

    def change(tx) -> list[CycleMovement]:
        problems: list[str] = []
        edits: list[Edit] = []
        where: dict[str, dict] = {}
        movement: dict[str, CycleMovement] = {}
        for row in rows:
            ref = row.ref.strip().upper()
            entry = tx.base.find(ref) if ref.startswith("KR-") else None
            if entry is not None and entry.id not in where and not entry.closed:
                cycle = tx.cycle(entry.id)
                where[entry.id] = {kr.ref: (o, kr) for o in cycle.objectives for kr in o.key_results}
                movement[entry.id] = CycleMovement(
                    entry.id, 0, score_cycle(tx.strategy, cycle, now.date()).overall, None)
            try:
                found = _checkin_of(tx, ref, row.value_text, author, row.confidence, row.note, row.at, now,
                                    where.get(entry.id) if entry else None)
            except InvalidInput as exc:
                problems += [f"{name}: line {row.line}, column {_column_of(p)}: {_after_field(p)}"
                             for p in exc.problems]
                if len(problems) >= 200:
                    break
                continue
            if not problems:
                edits += _checked_in(tx, found, now).edits
                movement[found.cycle_id].checkins += 1
        if problems:
            raise InvalidInput(problems)
        for cycle_id, moved in movement.items():
            moved.new = score_cycle(tx.strategy, tx.cycle(cycle_id), now.date()).overall
        label = f"{counted(len(rows), 'check-in')} from a file"
        tx.record(Command(label, tuple(edits), author=author), now)
        return [m for m in movement.values() if m.checkins]

    return store.write(change)


def _column_of(problem: str) -> str:
    """The file's column a check-in problem is about: its message starts with the field."""
    field = problem.split(":", 1)[0].strip()
    return {"ref": "ref", "value": "value", "confidence": "confidence", "note": "note", "at": "at",
            "author": "--as"}.get(field, "ref")


def _after_field(problem: str) -> str:
    field, _, rest = problem.partition(":")
    return rest.strip() if rest and field.strip() in ("ref", "value", "confidence", "note", "at", "author") else problem


# -- measure readings ------------------------------------------------------


@dataclass
class ReadingResult:
    code: str
    name: str
    reading: Reading
    old_actual: Optional[float]
    new_actual: Optional[float]
    old_attainment: Optional[float]
    new_attainment: Optional[float]
    became_current: bool
    command: Optional[Command] = None

    def line(self) -> str:
        return (f"{self.code} {self.name} {_number(self.old_actual)} \u2192 {_number(self.new_actual)} \u00b7 "
                f"attainment {score_text(self.old_attainment)} \u2192 {score_text(self.new_attainment)}")


def _number(value: Optional[float]) -> str:
    return number_shown(value)


def find_measure(strategy: list[StrategicObjective], code: str, name: str) -> tuple[int, StrategicObjective, Measure]:
    """A measure by its strategic objective's code (exact, else in any case) and its name
    (trimmed, any case: §2)."""
    wanted = code.strip()
    found = [(i, s) for i, s in enumerate(strategy) if s.code == wanted] or \
        [(i, s) for i, s in enumerate(strategy) if s.code.casefold() == wanted.casefold()]
    if len(found) > 1:
        raise InvalidInput([f"code: {wanted} matches {', '.join(s.code for _, s in found)} in another case; "
                            "give the exact code"])
    if not found:
        raise InvalidInput([f"code: unknown strategic objective {wanted}"])
    index, objective = found[0]
    measure = objective.measure(name)
    if measure is None:
        names = ", ".join(m.name for m in objective.measures) or "none"
        raise InvalidInput([f"name: {objective.code} has no measure {name.strip()!r} (its measures: {names})"])
    return index, objective, measure


def record_reading(store: Store, code: str, name: str, value_text: str, *, author: str, note: str = "",
                   at: Optional[dt.datetime] = None, now: Optional[dt.datetime] = None) -> ReadingResult:
    """Record one reading of a measure (§6): the latest sets its actual, a back-dated one only
    joins its history (§2)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    if at is not None and at > now + FUTURE_SLACK:
        raise InvalidInput([f"at: {at.isoformat()} is in the future (now {now.isoformat(timespec='seconds')})"])

    def change(tx) -> ReadingResult:
        index, held, _ = find_measure(tx.strategy, code, name)
        objective = strategic_from(strategic_doc(held))  # a copy: the snapshot's stays as read
        measure = objective.measure(name)
        latest = measure.last_reading_at
        when = present_time(latest, now) if at is None or at >= now else at
        try:
            value = parse_number(value_text)
        except ValueError as exc:
            raise InvalidInput([f"value: {exc}"]) from None
        try:
            reading = Reading.model_validate({"at": when, "author": author, "value": value, "note": note})
        except ValidationError as exc:
            raise InvalidInput(describe(exc)) from None
        old_actual, old_attainment = measure.actual, measure_attainment(measure)
        became_current = latest is None or reading.at >= latest
        if became_current:
            set_actual(measure, reading.value, reading.at)
        command = Command(f"Reading of {objective.code} {measure.name}", (
            Edit("reading", objective.code, None, reading.to_doc(), (objective.code, measure._id)),
            Edit("strategic", objective.code, strategic_doc(held), strategic_doc(objective), (index,)),
        ), author=reading.author, base=tx.base.generation)
        apply_change(tx, command)
        tx.record(command, now)
        return ReadingResult(objective.code, measure.name, reading, old_actual, measure.actual,
                             old_attainment, measure_attainment(measure), became_current, command)

    return store.write(change)


def _locate(cycle: Cycle, ref: str) -> tuple[Objective, KeyResult]:
    for objective in cycle.objectives:
        for kr in objective.key_results:
            if kr.ref == ref:
                return objective, kr
    raise InvalidInput([f"ref: unknown key result {ref}"])


# -- planning changes ------------------------------------------------------


def perform(store: Store, build: Callable[[Transaction], Command], *, author: str,
            now: Optional[dt.datetime] = None, undo: bool = False) -> Command:
    """Build a change on the store's newest state, apply it and commit it in one transaction.

    `undo`: `build` gives an inverse, applied only if every item is still as the change
    left it (else `Conflict`). Returns the change as committed, with its author and base.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    try:
        author = AUTHOR.validate_python(author)  # as a check-in's author is (§9)
    except ValidationError as exc:
        raise InvalidInput(describe(exc, ("author",))) from None

    def change(tx: Transaction) -> Command:
        built = build(tx)
        apply_change(tx, built, check=undo)
        done = replace(built, author=author, base=tx.base.generation)
        tx.record(done, now)
        return done

    return store.write(change)


def undo(store: Store, command: Command, *, author: str, now: Optional[dt.datetime] = None) -> Command:
    return perform(store, lambda tx: command.inverse(), author=author, now=now, undo=True)


# -- import ----------------------------------------------------------------


@dataclass
class ImportSummary:
    strategic_objectives: int
    cycles: int
    objectives: int
    key_results: int
    checkins: int
    readings: int = 0


def import_scorecard(store: Store, incoming: Scorecard, now: Optional[dt.datetime] = None) -> ImportSummary:
    """Merge an interchange document into the store, all or nothing (§7)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    future = _future_checkins(incoming, now)
    # What a run of the change fills in on `incoming`, put back before it runs again.
    objectives = [o for c in incoming.cycles for o in c.objectives]
    given = [(item, item.ref) for o in objectives for item in (o, *o.key_results)]
    parents = [(o, o.parent) for o in objectives]

    def change(tx) -> None:
        for item, ref in given:
            item.ref = ref
        for objective, parent in parents:
            objective.parent = parent
        problems = list(future)
        store_codes = {s.code for s in tx.strategy}
        problems += strategy_problems(incoming.strategy, known=store_codes)
        used_objectives, used_krs = tx.base.used_refs()
        retired_objectives, retired_krs = tx.retired()
        existing_parents: dict[str, dict[str, Optional[str]]] = {}
        existing_titles: dict[str, list[tuple[str, str]]] = {}
        for c, cycle in enumerate(incoming.cycles):
            entry = tx.entry(cycle.id)
            if entry is None:
                problems += _size_problems(cycle, c, 0, 0)
                continue
            if (entry.start, entry.end) != (cycle.start, cycle.end):
                problems.append(
                    f"start: cycle {cycle.id} exists with dates {entry.start}..{entry.end}, "
                    f"not {cycle.start}..{cycle.end} at cycles[{c}].start"
                )
            if entry.closed and cycle.objectives:
                problems.append(f"objectives: cycle {cycle.id} is closed; reopen it first at cycles[{c}].objectives")
            held = tx.cycle(cycle.id, edit=False)
            problems += _size_problems(cycle, c, len(held.objectives), _kr_count(held))
            existing_parents[cycle.id] = {o.ref: o.parent for o in held.objectives}
            existing_titles[cycle.id] = [(o.title, o.ref) for o in held.objectives]
        _assign_refs(tx, incoming, used_objectives | retired_objectives, used_krs | retired_krs)
        problems += _resolve_parents(incoming, existing_titles)
        codes = store_codes | {s.code for s in incoming.strategy}
        deleted = "of a deleted item; refs are never given out again"
        problems += cycle_problems(
            incoming.cycles, codes,
            {**{f"O-{n}": deleted for n in retired_objectives}, **{f"O-{n}": "in the store" for n in used_objectives}},
            {**{f"KR-{n}": deleted for n in retired_krs}, **{f"KR-{n}": "in the store" for n in used_krs}},
            existing_parents,
        )
        if problems:
            raise InvalidInput(problems)
        if tx.base.strategy or tx.base.entries:
            # Usually taken while preparing, without the lock, so a large store's backup holds
            # nobody up; it stays only if this import commits on exactly that state.
            tx.back_up(now, "import")
        if incoming.organization is not None:
            tx.organization = incoming.organization
        position = {s.code: i for i, s in enumerate(tx.strategy)}
        for objective in incoming.strategy:
            held = tx.strategy[position[objective.code]] if objective.code in position else None
            objective = _file_readings(tx, objective, held)
            if held is not None:
                tx.strategy[position[objective.code]] = objective
            else:
                position[objective.code] = len(tx.strategy)
                tx.strategy.append(objective)
        for cycle in incoming.cycles:
            if tx.entry(cycle.id) is None:
                tx.add_cycle(cycle)
                continue
            held = tx.cycle(cycle.id)
            held.objectives.extend(cycle.objectives)
            for objective in cycle.objectives:
                for kr in objective.key_results:
                    for checkin in kr.checkins:
                        tx.add_checkin(cycle.id, kr.ref, checkin)

    store.write(change)
    objectives = [o for c in incoming.cycles for o in c.objectives]
    krs = [k for o in objectives for k in o.key_results]
    return ImportSummary(len(incoming.strategy), len(incoming.cycles), len(objectives), len(krs),
                         sum(len(k.checkins) for k in krs),
                         sum(len(m.readings) for s in incoming.strategy for m in s.measures))


def _file_readings(tx: Transaction, objective: StrategicObjective,
                   held: Optional[StrategicObjective]) -> StrategicObjective:
    """A copy of an imported strategic objective whose readings the store files apart.

    A measure the file gives readings gets a new id and those readings; one it gives none
    (a CSV sheet never can) keeps the history of the measure of that name it replaces.
    """
    objective = objective.model_copy(deep=True)
    for measure in objective.measures:
        old = held.measure(measure.name) if held is not None else None
        if measure.readings or old is None or old._id is None:
            measure._id = tx.next_measure_id()
            for reading in measure.readings:
                tx.add_reading(measure._id, reading)
            measure.readings = []
            continue
        measure._id, measure._last_at = old._id, old.last_reading_at
        if "actual" not in measure.model_fields_set:
            latest = latest_checkin(tx.readings(old._id))
            measure.actual = latest.value if latest else None
    return objective


def _kr_count(cycle: Cycle) -> int:
    return sum(len(o.key_results) for o in cycle.objectives)


def _size_problems(cycle: Cycle, c: int, held_objectives: int, held_krs: int) -> list[str]:
    """A cycle grown past what one cycle may hold, by this import (objectives or key results)."""
    problems = []
    for count, what in ((held_krs + _kr_count(cycle), "key results"),
                        (held_objectives + len(cycle.objectives), "objectives")):
        if count > MAX_KEY_RESULTS_PER_CYCLE:
            problems.append(too_large(cycle.id, count, what) + f" at cycles[{c}]")
    return problems


def _future_checkins(incoming: Scorecard, now: dt.datetime) -> list[str]:
    problems = []
    for s, objective in enumerate(incoming.strategy):
        for m, measure in enumerate(objective.measures):
            for i, reading in enumerate(measure.readings):
                if reading.at > now + FUTURE_SLACK:
                    problems.append(f"at: {reading.at.isoformat()} is in the future at "
                                    f"strategy[{s}].measures[{m}].readings[{i}].at")
    for c, cycle in enumerate(incoming.cycles):
        for o, objective in enumerate(cycle.objectives):
            for k, kr in enumerate(objective.key_results):
                for i, checkin in enumerate(kr.checkins):
                    if checkin.at > now + FUTURE_SLACK:
                        problems.append(
                            f"at: {checkin.at.isoformat()} is in the future at "
                            f"cycles[{c}].objectives[{o}].key_results[{k}].checkins[{i}].at"
                        )
    return problems


def _assign_refs(tx, incoming: Scorecard, used_objectives: set[int], used_krs: set[int]) -> None:
    """Keep the file's refs; give new ones to items without, above every ref ever used."""
    objectives = [o for c in incoming.cycles for o in c.objectives]
    krs = [k for o in objectives for k in o.key_results]
    tx.reserve_refs([ref_number(o.ref) for o in objectives if o.ref] + list(used_objectives),
                    [ref_number(k.ref) for k in krs if k.ref] + list(used_krs))
    for objective in objectives:
        if objective.ref is None:
            objective.ref = tx.next_objective_ref()
        for kr in objective.key_results:
            if kr.ref is None:
                kr.ref = tx.next_kr_ref()


def _resolve_parents(incoming: Scorecard, existing_titles: dict[str, list[tuple[str, str]]]) -> list[str]:
    """A parent is a ref in the same cycle, else the title of exactly one objective there."""
    problems = []
    for c, cycle in enumerate(incoming.cycles):
        candidates = existing_titles.get(cycle.id, []) + [(o.title, o.ref) for o in cycle.objectives]
        refs = {ref for _, ref in candidates}
        for o, objective in enumerate(cycle.objectives):
            parent = objective.parent
            if parent is None or parent in refs:
                continue
            matches = [ref for title, ref in candidates if title == parent]
            if len(matches) == 1:
                objective.parent = matches[0]
            elif len(matches) > 1:
                problems.append(f"parent: title {parent!r} names {len(matches)} objectives in cycle "
                                f"{cycle.id} at cycles[{c}].objectives[{o}].parent")
            elif not OBJECTIVE_REF_RE.match(parent):
                problems.append(f"parent: no objective titled {parent!r} in cycle {cycle.id} "
                                f"at cycles[{c}].objectives[{o}].parent")
            # A ref-shaped parent that is not here is reported by cycle_problems.
    return problems
