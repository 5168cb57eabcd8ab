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
from okrtui.domain.changes import Edit, kr_doc, set_current
from okrtui.domain.changes import apply as apply_change
from okrtui.domain.errors import InvalidInput, describe
from okrtui.domain.integrity import MAX_KEY_RESULTS_PER_CYCLE, cycle_problems, strategy_problems, too_large
from okrtui.domain.models import (
    CheckIn,
    Cycle,
    KeyResult,
    Objective,
    Scorecard,
    ref_number,
)
from okrtui.domain.scoring import (
    Change,
    CycleScores,
    Hint,
    default_cycle,
    hints,
    ripple,
    sandbagging_cycles,
    score_cycle,
)
from okrtui.domain.text import OBJECTIVE_REF_RE, Author, parse_number, score_text
from okrtui.store import Snapshot, Store, Transaction
from okrtui.store.backup import export_scorecard  # noqa: F401  (also for the CLI)

FUTURE_SLACK = dt.timedelta(minutes=5)
AUTHOR = TypeAdapter(Author)


def parse_value(text: str, kind: str) -> int | float:
    """A check-in value for a key result of `kind`."""
    if kind == "milestone":
        word = text.strip().lower()
        if word in ("done", "1"):
            return 1
        if word in ("not-done", "not done", "0"):
            return 0
        try:
            number = parse_number(text)
        except ValueError:
            number = None
        if number in (0, 1):
            return int(number)
        raise ValueError(f"{text!r} is not done or not-done (1 or 0) for a milestone")
    return parse_number(text)


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
    present = at is None or at >= now
    ref = ref.strip().upper()

    def change(tx) -> CheckInResult:
        entry = tx.base.find(ref) if ref.startswith("KR-") else None
        if entry is None:
            raise InvalidInput([f"ref: unknown key result {ref}"])
        if entry.closed:
            raise InvalidInput([f"ref: {ref} is in cycle {entry.id}, which is closed"])
        cycle = tx.cycle(entry.id)
        objective, kr = _locate(cycle, ref)
        when = present_time(kr, now) if present else at
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
        before = score_cycle(tx.strategy, cycle, when.date())
        became_current = kr.last_checkin_at is None or checkin.at >= kr.last_checkin_at
        changes, _ = ripple(tx.strategy, before, ref, value if became_current else kr.current)
        kr_before = kr_doc(kr)
        if became_current:
            set_current(kr, value, checkin.confidence, checkin.at)
        tx.add_checkin(entry.id, ref, checkin)
        place = (entry.id, objective.ref, objective.key_results.index(kr))
        command = Command(f"Check-in on {ref}", (
            Edit("checkin", ref, None, checkin.to_doc(), (entry.id,)),
            Edit("key_result", ref, kr_before, kr_doc(kr), place),
        ), author=checkin.author, base=tx.base.generation)
        tx.record(command, now)
        return CheckInResult(ref, entry.id, checkin, changes, became_current, command)

    return store.write(change)


def present_time(kr: KeyResult, now: dt.datetime) -> dt.datetime:
    """When a check-in made now is recorded: now — or, when another machine's clock ran
    ahead and put the latest check-in up to FUTURE_SLACK in the future, that latest time,
    so the new check-in still becomes current (ties go to the one added last, §2)
    instead of being taken for a back-dated one."""
    latest = kr.last_checkin_at
    if latest is not None and now < latest <= now + FUTURE_SLACK:
        return latest
    return now


def _locate(cycle: Cycle, ref: str) -> tuple[Objective, KeyResult]:
    for objective in cycle.objectives:
        for kr in objective.key_results:
            if kr.ref == ref:
                return objective, kr
    raise InvalidInput([f"ref: unknown key result {ref}"])


def ripple_line(changes: list[Change]) -> str:
    return " \u00b7 ".join(f"{c.name} {score_text(c.old)} \u2192 {score_text(c.new)}" for c in changes)


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
            tx.back_up(now)
        if incoming.organization is not None:
            tx.organization = incoming.organization
        position = {s.code: i for i, s in enumerate(tx.strategy)}
        for objective in incoming.strategy:
            if objective.code in position:
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
                         sum(len(k.checkins) for k in krs))


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
