"""The monthly review (§12, normative): scores on a past date, wins since it, who owes a check-in.

Pure functions over the models. The scores on a date D come from one pass over
the cycle's history: each key result's value on D replaces its current value in
a copy of the cycle, which §3 then scores with today's structure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple, Optional, Sequence, Union

from okrtui.domain.models import CheckIn, Cycle, KeyResult, Measure, Reading, StrategicObjective, ref_number
from okrtui.domain.scoring import EPS, CycleScores, _last_date, elapsed, kr_score, measure_attainment, score_cycle

WIN = 0.7  # §3's green: a win crosses it


class Point(NamedTuple):
    """What a score on a past date needs of a check-in: when, and the value."""

    at: dt.datetime
    value: float


History = dict[str, Sequence[Union[CheckIn, Point]]]


def value_on(kr: KeyResult, checkins: Sequence[Union[CheckIn, Point]], day: dt.date) -> float:
    """A key result's value on `day`: its latest check-in dated on or before it (ties: the one
    added last); its start when every check-in is later; its current value when it has none."""
    if not checkins:
        return kr.current
    found: Optional[CheckIn] = None
    for checkin in checkins:
        if checkin.at.astimezone(dt.timezone.utc).date() <= day and (found is None or checkin.at >= found.at):
            found = checkin
    return kr.start if found is None else found.value


def cycle_on(cycle: Cycle, history: History, day: dt.date) -> Cycle:
    """A copy of the cycle whose key results hold their values on `day` (today's structure)."""
    objectives = []
    for objective in cycle.objectives:
        krs = [kr.model_copy(update={"current": value_on(kr, history.get(kr.ref, []), day)})
               for kr in objective.key_results]
        objectives.append(objective.model_copy(update={"key_results": krs}))
    return cycle.model_copy(update={"objectives": objectives})


def scores_on(strategy: list[StrategicObjective], cycle: Cycle, history: History,
              day: dt.date, as_of: dt.date) -> CycleScores:
    return score_cycle(strategy, cycle_on(cycle, history, day), as_of)


@dataclass(frozen=True)
class Win:
    kind: str  # key-result | objective | strategic-objective
    ref: str
    serves: Optional[str]
    perspective: Optional[str]


def _crossed(was: Optional[float], now: Optional[float]) -> bool:
    return now is not None and now >= WIN - EPS and (was is None or was < WIN - EPS)


def wins(strategy: list[StrategicObjective], now: CycleScores, was: CycleScores) -> list[Win]:
    """What was below 0.7 (or had no score) on the date and is at least 0.7 now (§12)."""
    perspective_of = {s.code: s.perspective for s in strategy}
    found: list[Win] = []
    cycle = now.cycle
    if cycle is None:
        return found
    for objective in cycle.objectives:
        serves = now.effective.get(objective.ref)
        where = perspective_of.get(serves) if serves else None
        for kr in objective.key_results:
            if _crossed(was.kr.get(kr.ref), now.kr.get(kr.ref)):
                found.append(Win("key-result", kr.ref, serves, where))
        if _crossed(was.objective.get(objective.ref), now.objective.get(objective.ref)):
            found.append(Win("objective", objective.ref, serves, where))
    for strategic in strategy:
        if _crossed(was.strategic.get(strategic.code), now.strategic.get(strategic.code)):
            found.append(Win("strategic-objective", strategic.code, strategic.code, strategic.perspective))
    return found


@dataclass(frozen=True)
class Due:
    ref: str
    title: str
    objective: str
    owner: str
    last_checkin: dt.date
    days_since: int


def due(cycle: Optional[Cycle], as_of: dt.date, days: int = 7, owner: Optional[str] = None) -> list[Due]:
    """The key results of `cycle` that owe a check-in as of `as_of` (§12): only in an open
    cycle under way; score below 1; last check-in date (as for `stale`) `days` or more
    whole days back. Largest `days_since` first, then by the number in the ref."""
    if cycle is None or cycle.closed or not 0 < elapsed(cycle, as_of) < 1:
        return []
    wanted = owner.strip() if owner is not None else None
    found = []
    for objective in cycle.objectives:
        owned = (objective.owner or "").strip()
        if wanted is not None and (not wanted or owned != wanted):
            continue
        for kr in objective.key_results:
            if kr_score(kr) >= 1 - EPS:
                continue
            last = _last_date(kr, cycle.start)
            since = (as_of - last).days
            if since >= days:
                found.append(Due(kr.ref, kr.title, objective.ref, owned, last, since))
    found.sort(key=lambda d: (-d.days_since, ref_number(d.ref)))
    return found


def reading_on(readings: Sequence[Reading], day: dt.date) -> Optional[Reading]:
    """A measure's latest reading dated on or before `day` (ties: the one added last)."""
    found: Optional[Reading] = None
    for reading in readings:
        if reading.at.astimezone(dt.timezone.utc).date() <= day and (found is None or reading.at >= found.at):
            found = reading
    return found


def attainment_on(measure: Measure, readings: Sequence[Reading], day: dt.date, today: dt.date) -> Optional[float]:
    """A measure's attainment on `day`: by its reading of that day or before, None before its
    first. One with no readings (its actual only imported or typed) has no history: its actual
    counts from `today` on, and nothing is known of the days before."""
    if not readings:
        return measure_attainment(measure) if day >= today else None
    found = reading_on(readings, day)
    if found is None:
        return None
    return measure_attainment(measure.model_copy(update={"actual": found.value}))
