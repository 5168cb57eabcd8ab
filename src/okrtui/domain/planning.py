"""What each planning action means, as a Command built on the state it will be applied to.

Each builder reads the workspace (the store's transaction, so always the newest
state), validates through the domain models, and returns the Command; nothing is
changed until `changes.apply`. Bad input raises InvalidInput naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from pydantic import ValidationError

from okrtui.domain.changes import (
    Command,
    Edit,
    Workspace,
    cycle_doc,
    kr_doc,
    objective_doc,
    strategic_doc,
    strategic_from,
)
from okrtui.domain.errors import InvalidInput, describe
from okrtui.domain.models import Cycle, KeyResult, Objective, StrategicObjective, latest_checkin
from okrtui.domain.scoring import effective_alignment, kr_score, objective_score

Doc = dict[str, Any]


def _listed(refs: list[str], most: int = 5) -> str:
    """Refs for a label, the first few and how many more (labels stay one short line)."""
    shown = ", ".join(refs[:most])
    return shown + (f" and {len(refs) - most} more" if len(refs) > most else "")


def _valid(model, doc: Doc):
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        raise InvalidInput(describe(exc)) from None


def _strategic(ws: Workspace, code: str) -> tuple[int, StrategicObjective]:
    for index, objective in enumerate(ws.strategy):
        if objective.code == code:
            return index, objective
    raise InvalidInput([f"code: no strategic objective {code}"])


def _cycle_of(ws: Workspace, ref: str) -> Cycle:
    cycle_id = ws.locate(ref)
    if cycle_id is None:
        raise InvalidInput([f"ref: no objective or key result {ref}"])
    return ws.read_cycle(cycle_id)


def _objective(ws: Workspace, ref: str) -> tuple[Cycle, int, Objective]:
    cycle = _cycle_of(ws, ref)
    for index, objective in enumerate(cycle.objectives):
        if objective.ref == ref:
            return cycle, index, objective
    raise InvalidInput([f"ref: no objective {ref}"])


def _key_result(ws: Workspace, ref: str) -> tuple[Cycle, Objective, int, KeyResult]:
    cycle = _cycle_of(ws, ref)
    for objective in cycle.objectives:
        for index, kr in enumerate(objective.key_results):
            if kr.ref == ref:
                return cycle, objective, index, kr
    raise InvalidInput([f"ref: no key result {ref}"])


def _open(cycle: Cycle) -> None:
    if cycle.closed:
        raise InvalidInput([f"cycle: {cycle.id} is closed; reopen it first"])


# -- strategic objectives ------------------------------------------------------------


def _measures_filed(ws: Workspace, updated: StrategicObjective, old: Optional[StrategicObjective]) -> None:
    """Give each measure of an edited strategic objective the id its readings are filed under.

    A measure keeps the history of the old measure of its name. Failing that, a renamed one
    keeps the history of the old measure whose name is gone: the one on its line, or the only
    one when a single name went and a single new one came (renamed and moved). Any other is
    new. An emptied actual of a measure with readings is the latest reading's (§7's default)."""
    olds = list(old.measures) if old else []
    names = {m.key for m in updated.measures}
    gone = [m for m in olds if m.key not in names]
    new = [m for m in updated.measures if not any(o.key == m.key for o in olds)]
    for index, measure in enumerate(updated.measures):
        match = next((m for m in olds if m.key == measure.key), None)
        if match is None and index < len(olds) and olds[index] in gone:
            match = olds[index]
        elif match is None and len(gone) == len(new) == 1:
            match = gone[0]
        if match is None or match._id is None:
            measure._id = ws.next_measure_id()
            continue
        measure._id, measure._last_at = match._id, match.last_reading_at
        if measure.actual is None and match.last_reading_at is not None:
            latest = latest_checkin(ws.readings(match._id))
            measure.actual = latest.value if latest else None


def new_strategic(ws: Workspace, doc: Doc) -> Command:
    objective = _valid(StrategicObjective, doc)
    _measures_filed(ws, objective, None)
    if any(s.code == objective.code for s in ws.strategy):
        raise InvalidInput([f"code: {objective.code} is taken"])
    return Command(f"New strategic objective {objective.code}",
                  (Edit("strategic", objective.code, None, strategic_doc(objective), (len(ws.strategy),)),))


def edit_strategic(ws: Workspace, code: str, doc: Doc) -> Command:
    """Edit one; a new code is carried to every link and alignment that named the old one."""
    index, old = _strategic(ws, code)
    updated = _valid(StrategicObjective, doc)
    _measures_filed(ws, updated, old)
    if updated.code == code:
        return Command(f"Edit {code}", (Edit("strategic", code, strategic_doc(old), strategic_doc(updated),
                                            (index,)),))
    if any(s.code == updated.code for s in ws.strategy):
        raise InvalidInput([f"code: {updated.code} is taken"])
    edits = [Edit("strategic", code, strategic_doc(old), None, (index,)),
             Edit("strategic", updated.code, None, strategic_doc(updated), (index,))]
    edits += _relink(ws, code, updated.code)
    return Command(f"Rename {code} to {updated.code}", tuple(edits))


def users_of(ws: Workspace, code: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(cycle id, objective ref) of every OKR objective aligned to `code`, and the codes
    of the strategic objectives that drive it."""
    aligned = [(cycle_id, o.ref) for cycle_id in ws.cycle_ids()
               for o in ws.read_cycle(cycle_id).objectives if o.aligned_to == code]
    drivers = [s.code for s in ws.strategy if code in s.drives]
    return aligned, drivers


def _relink(ws: Workspace, old: str, new: Optional[str]) -> list[Edit]:
    """Edits pointing every link and alignment at `old` to `new` (None: removing them)."""
    aligned, drivers = users_of(ws, old)
    closed = sorted({c for c, _ in aligned if ws.read_cycle(c).closed})
    if closed:
        raise InvalidInput([f"code: OKRs of closed cycle {', '.join(closed)} serve {old}; "
                            "reopen it first, or keep the code"])
    edits = []
    for index, objective in enumerate(ws.strategy):
        if objective.code in drivers:
            drives = [d for d in (new if d == old else d for d in objective.drives) if d is not None]
            changed = objective.model_copy(update={"drives": list(dict.fromkeys(drives))})
            edits.append(Edit("strategic", objective.code, strategic_doc(objective), strategic_doc(changed),
                              (index,)))
    for cycle_id, ref in aligned:
        cycle = ws.read_cycle(cycle_id)
        index = next(i for i, o in enumerate(cycle.objectives) if o.ref == ref)
        objective = cycle.objectives[index]
        doc = objective_doc(objective)
        edits.append(Edit("objective", ref, doc, {**doc, "aligned_to": new}, (cycle_id, index)))
    return edits


def delete_strategic(ws: Workspace, code: str) -> Command:
    """Delete one; the OKRs aligned to it are unaligned and the links to it removed
    (the app asks first: `users_of`)."""
    index, old = _strategic(ws, code)
    edits = _relink(ws, code, None)
    edits.append(Edit("strategic", code, strategic_doc(old), None, (index,)))
    aligned = [e.key for e in edits if e.kind == "objective"]
    label = f"Delete {code}" + (f" (unaligned {_listed(aligned)})" if aligned else "")
    return Command(label, tuple(edits))


def toggle_link(ws: Workspace, code: str, target: str) -> Command:
    """Add the link code → target, or take it away when it is there (on the newest state,
    so a link someone else added meanwhile stays)."""
    _, old = _strategic(ws, code)
    drives = [d for d in old.drives if d != target] if target in old.drives else old.drives + [target]
    return set_links(ws, code, drives)


def set_links(ws: Workspace, code: str, drives: list[str]) -> Command:
    index, old = _strategic(ws, code)
    known = {s.code for s in ws.strategy}
    unknown = [d for d in drives if d not in known]
    if unknown:
        raise InvalidInput([f"drives: unknown code {unknown[0]}"])
    try:
        updated = strategic_from({**strategic_doc(old), "drives": drives})
    except ValidationError as exc:
        raise InvalidInput(describe(exc)) from None
    added = [d for d in drives if d not in old.drives]
    removed = [d for d in old.drives if d not in drives]
    parts = ([f"{code} now drives {', '.join(added)}"] if added else []) + \
        ([f"{code} no longer drives {', '.join(removed)}"] if removed else [])
    return Command("; ".join(parts) or f"Links of {code} unchanged", (Edit("strategic", code, strategic_doc(old), strategic_doc(updated),
                                             (index,)),))


# -- cycles --------------------------------------------------------------------------


def next_quarter(cycles: list[Cycle], today: dt.date) -> tuple[str, dt.date, dt.date]:
    """The id and dates of the calendar quarter after the latest cycle (§5), or today's."""
    if cycles:
        latest = max(c.end for c in cycles)
        year, quarter = latest.year, (latest.month - 1) // 3 + 1
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    else:
        year, quarter = today.year, (today.month - 1) // 3 + 1
    start = dt.date(year, 3 * quarter - 2, 1)
    end = (dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)) - dt.timedelta(days=1)
    return f"{year}-Q{quarter}", start, end


def new_cycle(ws: Workspace, doc: Doc) -> Command:
    cycle = _valid(Cycle, {**doc, "objectives": []})
    if cycle.id in ws.cycle_ids():
        raise InvalidInput([f"id: cycle {cycle.id} exists"])
    return Command(f"New cycle {cycle.id}", (Edit("cycle", cycle.id, None, cycle_doc(cycle),
                                                  (len(ws.cycle_ids()),)),))


def edit_cycle(ws: Workspace, cycle_id: str, doc: Doc) -> Command:
    """New dates for a cycle (its id stays: refs and reports name it)."""
    cycle = _cycle(ws, cycle_id)
    _open(cycle)
    updated = _valid(Cycle, {**cycle_doc(cycle), **doc, "id": cycle_id, "objectives": []})
    return Command(f"Edit cycle {cycle_id}", (Edit("cycle", cycle_id, cycle_doc(cycle), cycle_doc(updated),
                                                   (ws.cycle_ids().index(cycle_id),)),))


def set_closed(ws: Workspace, cycle_id: str, closed: bool) -> Command:
    cycle = _cycle(ws, cycle_id)
    if cycle.closed == closed:
        raise InvalidInput([f"cycle: {cycle_id} is {'closed' if closed else 'open'} already"])
    return Command(f"{'Close' if closed else 'Reopen'} cycle {cycle_id}",
                  (Edit("cycle", cycle_id, cycle_doc(cycle), {**cycle_doc(cycle), "closed": closed},
                        (ws.cycle_ids().index(cycle_id),)),))


def delete_cycle(ws: Workspace, cycle_id: str) -> Command:
    """Delete a cycle with its objectives, key results and check-ins (the app asks first);
    the history goes into the change, so undo brings the cycle back whole."""
    cycle = _cycle(ws, cycle_id)
    _open(cycle)
    edits: list[Edit] = []
    for objective in cycle.objectives:
        for kr in objective.key_results:
            edits += [Edit("checkin", kr.ref, c.to_doc(), None, (cycle_id,)) for c in reversed(ws.history(cycle_id, kr.ref))]
    for index, objective in reversed(list(enumerate(cycle.objectives))):
        edits += _kr_removals(cycle, objective)
        edits.append(Edit("objective", objective.ref, objective_doc(objective), None, (cycle_id, index)))
    edits.append(Edit("cycle", cycle_id, cycle_doc(cycle), None, (ws.cycle_ids().index(cycle_id),)))
    return Command(f"Delete cycle {cycle_id}", tuple(edits))


def _cycle(ws: Workspace, cycle_id: str) -> Cycle:
    if cycle_id not in ws.cycle_ids():
        raise InvalidInput([f"cycle: no cycle {cycle_id}"])
    return ws.read_cycle(cycle_id)


# -- OKR objectives ------------------------------------------------------------------


def new_objective(ws: Workspace, cycle_id: str, doc: Doc) -> Command:
    cycle = _cycle(ws, cycle_id)
    _open(cycle)
    objective = _valid(Objective, {**doc, "key_results": []})
    objective.ref = ws.next_objective_ref()
    return Command(f"New objective {objective.ref}",
                  (Edit("objective", objective.ref, None, objective_doc(objective),
                        (cycle_id, len(cycle.objectives))),))


def edit_objective(ws: Workspace, ref: str, doc: Doc) -> Command:
    cycle, index, old = _objective(ws, ref)
    _open(cycle)
    before = objective_doc(old)
    updated = _valid(Objective, {**before, **doc, "ref": ref})
    return Command(f"Edit {ref}", (Edit("objective", ref, before, objective_doc(updated), (cycle.id, index)),))


def children_of(ws: Workspace, ref: str) -> list[str]:
    cycle = _cycle_of(ws, ref)
    return [o.ref for o in cycle.objectives if o.parent == ref]


def delete_objective(ws: Workspace, ref: str) -> Command:
    """Delete an objective with its key results; its cascaded children lose their parent
    (the app asks first: `children_of`)."""
    cycle, index, old = _objective(ws, ref)
    _open(cycle)
    edits = []
    for i, child in enumerate(cycle.objectives):
        if child.parent == ref:
            doc = objective_doc(child)
            edits.append(Edit("objective", child.ref, doc, {**doc, "parent": None}, (cycle.id, i)))
    edits += _kr_removals(cycle, old)
    edits.append(Edit("objective", ref, objective_doc(old), None, (cycle.id, index)))
    children = [e.key for e in edits if e.kind == "objective" and e.key != ref]
    label = f"Delete {ref}" + (f" (unlinked {_listed(children)})" if children else "")
    return Command(label, tuple(edits))


def _kr_removals(cycle: Cycle, objective: Objective) -> list[Edit]:
    # Last first, so that undo puts each back at its own index.
    return [Edit("key_result", kr.ref, kr_doc(kr), None, (cycle.id, objective.ref, i))
            for i, kr in reversed(list(enumerate(objective.key_results)))]


def align(ws: Workspace, ref: str, aligned_to: Optional[str], parent: Optional[str]) -> Command:
    """Point an objective at a strategic objective and/or a parent in its cycle."""
    cycle, index, old = _objective(ws, ref)
    _open(cycle)
    if aligned_to is not None and not any(s.code == aligned_to for s in ws.strategy):
        raise InvalidInput([f"aligned_to: unknown code {aligned_to}"])
    if parent is not None:
        parents = {o.ref: o.parent for o in cycle.objectives}
        if parent not in parents:
            raise InvalidInput([f"parent: {parent} is not an objective of cycle {cycle.id}"])
        step: Optional[str] = parent
        while step is not None:
            if step == ref:
                raise InvalidInput([f"parent: {parent} under {ref} would make a loop"])
            step = parents.get(step)
    before = objective_doc(old)
    after = {**before, "aligned_to": aligned_to, "parent": parent}
    target = " and ".join(t for t in (aligned_to, parent) if t) or "nothing"
    return Command(f"Align {ref} to {target}", (Edit("objective", ref, before, after, (cycle.id, index)),))


def move(ws: Workspace, ref: str, to_cycle: str) -> Command:
    """Move an objective with its key results and their history to another cycle; it
    leaves its parent and its children behind (a parent lives in the same cycle)."""
    cycle, index, old = _objective(ws, ref)
    target = _cycle(ws, to_cycle)
    if target.id == cycle.id:
        raise InvalidInput([f"cycle: {ref} is in {to_cycle} already"])
    _open(cycle)
    _open(target)
    edits = []
    for i, child in enumerate(cycle.objectives):
        if child.parent == ref:
            doc = objective_doc(child)
            edits.append(Edit("objective", child.ref, doc, {**doc, "parent": None}, (cycle.id, i)))
    history = [(kr.ref, c) for kr in old.key_results for c in ws.history(cycle.id, kr.ref)]
    # The history moves: taken back in the cycle it leaves, written again in the other, so
    # a move back (or its undo) never shows a check-in twice.
    edits += [Edit("checkin", kr_ref, c.to_doc(), None, (cycle.id,)) for kr_ref, c in reversed(history)]
    edits += _kr_removals(cycle, old)
    before = objective_doc(old)
    edits.append(Edit("objective", ref, before, None, (cycle.id, index)))
    edits.append(Edit("objective", ref, None, {**before, "parent": None}, (to_cycle, len(target.objectives))))
    edits += [Edit("key_result", kr.ref, None, kr_doc(kr), (to_cycle, ref, i))
              for i, kr in enumerate(old.key_results)]
    edits += [Edit("checkin", kr_ref, None, c.to_doc(), (to_cycle,)) for kr_ref, c in history]
    return Command(f"Move {ref} to {to_cycle}", tuple(edits))


def roll_over(ws: Workspace, from_cycle: str, to_cycle: str) -> Command:
    """Copy the objectives that scored below 1 into `to_cycle` with their unfinished key
    results, each starting from its current value; alignment and parent kept (a parent
    that did not roll over gives way to the strategic objective it led to). No check-ins."""
    source = _cycle(ws, from_cycle)
    target = _cycle(ws, to_cycle)
    if source.id == target.id:
        raise InvalidInput(["cycle: roll over into another cycle"])
    _open(target)
    effective = effective_alignment(source)
    rolled = [o for o in source.objectives if (objective_score(o) or 0) < 1 - 1e-9]
    if not rolled:
        raise InvalidInput([f"cycle: every objective of {from_cycle} scored 1; nothing to roll over"])
    new_refs = {o.ref: ws.next_objective_ref() for o in rolled}
    edits = []
    position = len(target.objectives)
    for objective in rolled:
        parent = new_refs.get(objective.parent) if objective.parent else None
        aligned = objective.aligned_to if (objective.aligned_to or parent) else effective.get(objective.ref)
        doc = {**objective_doc(objective), "ref": new_refs[objective.ref], "aligned_to": aligned, "parent": parent}
        edits.append(Edit("objective", doc["ref"], None, doc, (to_cycle, position)))
        kept = [kr for kr in objective.key_results if kr_score(kr) < 1 - 1e-9]
        for i, kr in enumerate(kept):
            copy = {**kr_doc(kr), "ref": ws.next_kr_ref(), "start": kr.current, "last_at": None}
            if kr.kind == "milestone":
                copy["start"] = 0
            edits.append(Edit("key_result", copy["ref"], None, copy, (to_cycle, doc["ref"], i)))
        position += 1
    return Command(f"Roll over {len(rolled)} objectives from {from_cycle} to {to_cycle}", tuple(edits))


# -- key results ---------------------------------------------------------------------


def new_key_result(ws: Workspace, objective_ref: str, doc: Doc) -> Command:
    cycle, _, objective = _objective(ws, objective_ref)
    _open(cycle)
    kr = _valid(KeyResult, {**doc, "checkins": []})
    kr.ref = ws.next_kr_ref()
    return Command(f"New key result {kr.ref}",
                  (Edit("key_result", kr.ref, None, kr_doc(kr), (cycle.id, objective_ref,
                                                                 len(objective.key_results))),))


def edit_key_result(ws: Workspace, ref: str, doc: Doc) -> Command:
    cycle, objective, index, old = _key_result(ws, ref)
    _open(cycle)
    before = kr_doc(old)
    merged = {**before, **doc, "ref": ref}
    if merged.get("kind") == "milestone" and old.kind != "milestone":
        odd = [c.value for c in ws.history(cycle.id, ref) if c.value not in (0, 1)]
        if odd:
            raise InvalidInput([f"kind: {ref} has check-ins of {odd[0]}; a milestone takes only done (1) "
                                "or not done (0)"])
    updated = _valid(KeyResult, {k: v for k, v in merged.items() if k != "last_at"})
    after = {**kr_doc(updated), "last_at": before["last_at"]}
    return Command(f"Edit {ref}", (Edit("key_result", ref, before, after, (cycle.id, objective.ref, index)),))


def delete_key_result(ws: Workspace, ref: str) -> Command:
    cycle, objective, index, old = _key_result(ws, ref)
    _open(cycle)
    return Command(f"Delete {ref}", (Edit("key_result", ref, kr_doc(old), None, (cycle.id, objective.ref, index)),))
