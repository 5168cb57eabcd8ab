"""What the app's screens show: one scored cycle of one store snapshot.

Plain Python, no Textual, so it can be built in a worker thread and tested
without a terminal. Screens read a Board; only the app replaces it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Optional

from okrtui.domain import review
from okrtui.domain.changes import set_current
from okrtui.domain.models import (
    CheckIn,
    Cycle,
    KeyResult,
    Measure,
    Objective,
    Reading,
    StrategicObjective,
    ref_number,
)
from okrtui.domain.scoring import (
    Change,
    CycleScores,
    Hint,
    cycle_order,
    ripple,
    score_cycle,
)
from okrtui.operations import score_snapshot
from okrtui.store import Snapshot, Store


@dataclass
class Board:
    store: Store
    snapshot: Snapshot
    as_of: dt.date
    cycle: Optional[Cycle]
    scores: CycleScores
    hints: list[Hint]
    _history: dict[str, dict[str, list[CheckIn]]] = field(default_factory=dict, repr=False)
    # Every measure's readings by measure id, once read (see load_readings).
    _readings: Optional[dict[int, list[Reading]]] = field(default=None, repr=False)
    # The cycle's items by ref, built at the first look-up: a check-in asks for its key result
    # a dozen times between the key press and the repaint, and a scan of 500 sorted objectives
    # each time took a third of the time before the first paint. `replace` hands it on: the
    # board after a check-in holds the same cycle, whose key result changed in place.
    _index: Optional["_CycleIndex"] = field(default=None, repr=False, compare=False)

    @property
    def organization(self) -> str:
        return self.snapshot.organization or "okrtui"

    @property
    def strategy(self) -> list[StrategicObjective]:
        return self.snapshot.strategy

    @property
    def is_empty(self) -> bool:
        return not self.snapshot.strategy and not self.snapshot.entries

    def cycles(self) -> list[Cycle]:
        """Cycles in the order `[` and `]` step through them."""
        return cycle_order(self.snapshot.cycle_headers())

    def strategic(self, code: str) -> Optional[StrategicObjective]:
        return next((s for s in self.strategy if s.code == code), None)

    def in_perspective(self, key: str) -> list[StrategicObjective]:
        return [s for s in self.strategy if s.perspective == key]

    def _indexed(self) -> "_CycleIndex":
        index = self._index
        if index is None or index.cycle is not self.cycle:
            index = self._index = _CycleIndex(self.cycle)
        return index

    def objectives(self) -> list[Objective]:
        return list(self._indexed().objectives)

    def objective(self, ref: str) -> Optional[Objective]:
        return self._indexed().objective.get(ref)

    def key_result(self, ref: str) -> Optional[tuple[Objective, KeyResult]]:
        return self._indexed().key_result.get(ref)

    def thread_of(self, code: Optional[str]) -> list[tuple[Objective, int]]:
        """The OKRs whose effective strategic objective is `code` (None: unaligned), as a
        tree in display order: each objective followed by its cascaded children, with depth."""
        members = [o for o in self.objectives() if self.scores.effective.get(o.ref) == code]
        refs = {o.ref for o in members}
        children: dict[Optional[str], list[Objective]] = {}
        for objective in members:
            parent = objective.parent if objective.parent in refs else None
            children.setdefault(parent, []).append(objective)
        ordered: list[tuple[Objective, int]] = []

        def walk(parent: Optional[str], depth: int) -> None:
            for child in children.get(parent, []):
                ordered.append((child, depth))
                walk(child.ref, depth + 1)

        walk(None, 0)
        return ordered

    @property
    def history_loaded(self) -> bool:
        """Whether the history can be shown without a noticeable read."""
        return self.cycle is None or self.cycle.id in self._history or self.snapshot.history_is_read(self.cycle.id)

    def load_history(self) -> None:
        """Read the cycle's check-in log (once): a large cycle's takes a moment, so callers
        on the event loop ask `history_loaded` first and load in a worker."""
        if self.cycle is not None and self.cycle.id not in self._history:
            self._history[self.cycle.id] = self.snapshot.history(self.cycle.id)

    def history(self, kr_ref: str) -> list[CheckIn]:
        self.load_history()
        return self._history[self.cycle.id].get(kr_ref, []) if self.cycle else []

    @property
    def readings_loaded(self) -> bool:
        """Whether the measures' readings can be shown without a noticeable read."""
        return self._readings is not None or not self.snapshot.meta.readings_len

    def load_readings(self) -> None:
        """Read the readings log (once): on a large store the first read takes a moment, so
        callers on the event loop ask `readings_loaded` first and load in a worker."""
        if self._readings is None:
            self._readings = self.snapshot.readings()

    def readings(self, measure: Measure) -> list[Reading]:
        """A measure's readings in the order they were added."""
        self.load_readings()
        return self._readings.get(measure._id, []) if measure._id is not None else []

    def keep_readings_of(self, older: "Board") -> None:
        """Take over the readings `older` has read when the store's readings log is the same
        (most changes are check-ins and edits): the new board then shows them at once."""
        # The store gives the readings of the measures its strategy held: a measure back from an
        # undo was not among them, so its readings are read again.
        if self._readings is None and older._readings is not None \
                and _readings_identity(older.snapshot) == _readings_identity(self.snapshot) \
                and _measure_ids(self.strategy) <= _measure_ids(older.strategy):
            self._readings = older._readings

    def measures_on(self, code: str, day: dt.date) -> list[tuple[Measure, Optional[float]]]:
        """Each measure of `code` with its attainment on `day` (None before its first reading)."""
        strategic = self.strategic(code)
        if strategic is None:
            return []
        return [(m, review.attainment_on(m, self.readings(m), day, self.as_of)) for m in strategic.measures]

    def scores_on(self, day: dt.date) -> CycleScores:
        """The cycle's scores on a past date (§12), from its history (read once, see load_history)."""
        self.load_history()
        return review.scores_on(self.strategy, self.cycle, self._history[self.cycle.id], day, self.as_of)

    def with_checkin(self, kr_ref: str, checkin: CheckIn) -> tuple[list[Change], "Board"]:
        """The board after one check-in, by ripple (no rescoring of the cycle, no I/O).

        The key result is updated in place: its cycle belongs to this board's snapshot,
        which the store's own answer replaces once the write is done.
        """
        _, kr = self.key_result(kr_ref)
        latest = kr.last_checkin_at is None or checkin.at >= kr.last_checkin_at
        changes, scores = ripple(self.strategy, self.scores, kr_ref, checkin.value if latest else kr.current)
        if latest:
            set_current(kr, checkin.value, checkin.confidence, checkin.at)
        # The new board sees the check-in in its history; this one, and the store's cache, do not.
        history = dict(self._history)
        if self.cycle.id in history:
            cycle_history = dict(history[self.cycle.id])
            cycle_history[kr_ref] = cycle_history.get(kr_ref, []) + [checkin]
            history[self.cycle.id] = cycle_history
        return changes, replace(self, scores=scores, _history=history)

    def locate(self, ref: str) -> Optional[str]:
        """The id of the cycle holding an objective or key result ref."""
        entry = self.snapshot.find(ref)
        return entry.id if entry else None

    def strategic_thread(self, code: str) -> list[tuple[Cycle, Optional[float], int]]:
        """A strategic objective's score and OKR count in every cycle, oldest first.

        The other cycles are read from the store as it is now (through `load`, which starts
        over when a commit races the read): this board's snapshot may be older than a part
        another process has since replaced. The cycle on screen is this board's own.
        """
        def rows(snapshot: Snapshot) -> list[tuple[Cycle, Optional[float], int]]:
            found = []
            for header in cycle_order(snapshot.cycle_headers()):
                cycle = self.cycle if self.cycle is not None and header.id == self.cycle.id \
                    else snapshot.cycle(header.id)
                scores = score_cycle(self.strategy, cycle, self.as_of)
                found.append((header, scores.strategic.get(code), scores.okr_count.get(code, 0)))
            return found

        return self.store.load(rows)


class _CycleIndex:
    """A cycle's objectives in ref order, and its objectives and key results by ref."""

    def __init__(self, cycle: Optional[Cycle]):
        self.cycle = cycle
        self.objectives: tuple[Objective, ...] = tuple(sorted(cycle.objectives, key=lambda o: ref_number(o.ref))) \
            if cycle else ()
        self.objective: dict[str, Objective] = {}
        self.key_result: dict[str, tuple[Objective, KeyResult]] = {}
        # setdefault: the first in ref order wins, as the scans this replaces found it.
        for objective in self.objectives:
            self.objective.setdefault(objective.ref, objective)
            for kr in objective.key_results:
                self.key_result.setdefault(kr.ref, (objective, kr))


def _readings_identity(snapshot: Snapshot) -> tuple:
    # Measure ids are never given out twice, so an unchanged log means unchanged readings by id.
    meta = snapshot.meta
    return meta.readings_len, meta.readings_crc, tuple(map(tuple, meta.retracted_readings))


def _measure_ids(strategy: list[StrategicObjective]) -> set[Optional[int]]:
    return {m._id for s in strategy for m in s.measures}


def build_board(store: Store, as_of: dt.date, cycle_id: Optional[str] = None) -> Board:
    """Read the store and score the chosen cycle (the default cycle when none is asked for)."""

    def build(snapshot: Snapshot) -> Board:
        # A cycle that vanished (another process renamed or replaced it) falls back to the default.
        wanted = cycle_id if cycle_id and snapshot.entry(cycle_id) else None
        cycle, scores, found = score_snapshot(snapshot, as_of, wanted)
        return Board(store, snapshot, as_of, cycle, scores, found)

    return store.load(build)
