"""Scores, balance and hints (§3 and §4), as pure functions.

Nothing here reads the store or knows about widgets: every entry point (the
app, `report`, `checkin`) scores through these functions, so their numbers
always agree.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import namedtuple

TYPE_CHECKING = False  # typing's own flag, without loading typing: the quick check-in counts its imports

from okrtui.domain.terms import PERSPECTIVE_NAMES, PERSPECTIVES
from okrtui.domain.text import counted, score_text

if TYPE_CHECKING:
    from typing import Iterable, Optional

    # Scoring reads attributes only: the quick check-in scores the store's own documents
    # through light objects of the same shape, without building the models.
    from okrtui.domain.models import Cycle, KeyResult, Measure, Objective, StrategicObjective

# Binary floats miss decimal thresholds by a hair ((6.2 - 7) / (5 - 7) is
# 0.3999…); anything this close to a threshold counts as on it.
EPS = 1e-9

RED_BELOW = 0.4
YELLOW_BELOW = 0.7
PACE_SLACK = 0.1
LOW_SHARE = 0.10
SANDBAG_SCORE = 0.99
STALE_DAYS = 14
KR_COUNT_RANGE = (3, 5)
MAX_OWNER_OBJECTIVES = 5
MAX_PERSPECTIVE_OBJECTIVES = 6
# The one vocabulary of hints: the app, the text and the Markdown report all name a
# kind as `kind (label)`, so a reader who learns it in one place knows it everywhere.
HINT_LABELS: dict[str, str] = {
    "orphan": "strategy without OKRs",
    "unaligned": "OKR without strategy",
    "kr-count": "key results per objective",
    "objective-count": "objectives per owner",
    "stale": "no recent check-in",
    "sandbagging": "targets too easy",
    "crowded": "strategic objectives per perspective",
}
HINT_KINDS = tuple(HINT_LABELS)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def _progress(start: float, target: float, current: float) -> float:
    if target == start:
        # Refused by validation; scored like a measure without a range rather
        # than crashing a whole report on a hand-built model.
        return 1.0 if current >= target - EPS else 0.0
    return _clamp((current - start) / (target - start))


def _kr_value(kind: str, start: float, target: float, current: float) -> float:
    if kind == "milestone":
        return 1.0 if current == 1 else 0.0
    return _progress(start, target, current)


def _weighted(pairs: Iterable[tuple[float, float]]) -> Optional[float]:
    pairs = list(pairs)
    if not pairs:
        return None
    # fsum makes the result independent of summation order, so a ripple and a
    # full rescore give bit-identical numbers.
    return math.fsum(w * s for w, s in pairs) / math.fsum(w for w, _ in pairs)


def _mean(values: Iterable[Optional[float]]) -> Optional[float]:
    present = [v for v in values if v is not None]
    return math.fsum(present) / len(present) if present else None


def kr_score(kr: KeyResult) -> float:
    return _kr_value(kr.kind, kr.start, kr.target, kr.current)


def objective_score(objective: Objective) -> Optional[float]:
    return _weighted((k.weight, kr_score(k)) for k in objective.key_results)


def band(score: Optional[float]) -> Optional[str]:
    if score is None:
        return None
    if score < RED_BELOW - EPS:
        return "red"
    if score < YELLOW_BELOW - EPS:
        return "yellow"
    return "green"


def elapsed(cycle: Cycle, as_of: dt.date) -> float:
    days = (cycle.end - cycle.start).days + 1
    return _clamp((as_of - cycle.start).days / days)


def pace(score: Optional[float], elapsed: Optional[float]) -> Optional[str]:
    if score is None or elapsed is None or elapsed <= EPS or elapsed >= 1 - EPS:
        return None
    return "behind" if score < elapsed - PACE_SLACK - EPS else "on-pace"


def measure_attainment(measure: Measure) -> Optional[float]:
    if measure.actual is None:
        return None
    if measure.baseline is None or measure.baseline == measure.target:
        # No range to measure progress along, so only "reached or not".
        return 1.0 if measure.actual >= measure.target - EPS else 0.0
    return _progress(measure.baseline, measure.target, measure.actual)


def effective_alignment(cycle: Cycle) -> dict[str, Optional[str]]:
    by_ref = {o.ref: o for o in cycle.objectives}
    found: dict[str, Optional[str]] = {}
    for objective in cycle.objectives:
        chain: list[str] = []
        node: Optional[Objective] = objective
        code: Optional[str] = None
        while node is not None:
            if node.ref in found:
                code = found[node.ref]
                break
            if node.ref in chain:
                break  # a parent loop: nobody in it says where it belongs
            chain.append(node.ref)
            if node.aligned_to:
                code = node.aligned_to
                break
            node = by_ref.get(node.parent) if node.parent else None
        for ref in chain:
            found[ref] = code
    return {o.ref: found[o.ref] for o in cycle.objectives}


def default_cycle(cycles: list[Cycle], as_of: dt.date) -> Optional[Cycle]:
    containing = [c for c in cycles if c.start <= as_of <= c.end]
    started = [c for c in cycles if c.start < as_of]
    for candidates in (containing, started):
        if candidates:
            return max(candidates, key=lambda c: c.start)  # max keeps the first of equals: store order
    return cycles[0] if cycles else None


def cycle_order(cycles: Iterable[Cycle]) -> list[Cycle]:
    return sorted(cycles, key=lambda c: c.start)  # sorted is stable: store order breaks ties


class CycleScores:
    """A cycle's scores as of a day. A plain class, not a dataclass: loading `dataclasses`
    (it brings `inspect`) cost every quick check-in a tenth of its start."""

    FIELDS = ("cycle", "as_of", "elapsed", "kr", "objective", "effective", "strategic", "okr_count",
              "perspective", "overall", "shares", "index", "warnings")
    __slots__ = FIELDS + ("_kr_index", "_by_code")

    cycle: Optional[Cycle]
    as_of: dt.date
    elapsed: Optional[float]
    kr: dict[str, float]
    objective: dict[str, Optional[float]]
    effective: dict[str, Optional[str]]
    strategic: dict[str, Optional[float]]
    okr_count: dict[str, int]
    perspective: dict[str, Optional[float]]
    overall: Optional[float]
    shares: dict[str, float]
    index: Optional[float]
    warnings: list[str]
    # Lookups that let `ripple` touch one strategic objective's OKRs instead
    # of the whole cycle: kr ref -> (objective, key result), code -> objective refs.
    _kr_index: dict[str, tuple[Objective, KeyResult]]
    _by_code: dict[str, list[str]]

    def __init__(self, *, _kr_index=None, _by_code=None, **values) -> None:
        if values.keys() != set(self.FIELDS):
            raise TypeError(f"CycleScores needs exactly {', '.join(self.FIELDS)}")
        for name in self.FIELDS:
            setattr(self, name, values[name])
        self._kr_index = {} if _kr_index is None else _kr_index
        self._by_code = {} if _by_code is None else _by_code

    def replace(self, **changes) -> CycleScores:
        values = {name: getattr(self, name) for name in self.FIELDS}
        kr_index, by_code = changes.pop("_kr_index", self._kr_index), changes.pop("_by_code", self._by_code)
        values.update(changes)
        return CycleScores(_kr_index=kr_index, _by_code=by_code, **values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CycleScores):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.FIELDS)

    __hash__ = None  # mutable, as the dataclass was

    def __repr__(self) -> str:
        return f"CycleScores({', '.join(f'{name}={getattr(self, name)!r}' for name in self.FIELDS)})"


def _perspective_scores(
    strategy: list[StrategicObjective], strategic: dict[str, Optional[float]]
) -> dict[str, Optional[float]]:
    return {p: _mean(strategic.get(s.code) for s in strategy if s.perspective == p) for p in PERSPECTIVES}


def _balance(counts: dict[str, int], unaligned: int) -> tuple[dict[str, float], Optional[float], list[str]]:
    total = sum(counts.values())
    shares = {p: (counts[p] / total if total else 0.0) for p in PERSPECTIVES}
    index = None
    if total:
        entropy = -math.fsum(p * math.log(p) for p in shares.values() if p > 0)
        index = _clamp(entropy / math.log(len(PERSPECTIVES)))  # also turns -0.0 into 0.0
    warnings = []
    for key in PERSPECTIVES:
        name = PERSPECTIVE_NAMES[key]
        if counts[key] == 0:
            warnings.append(f"No aligned OKR serves the {name} perspective")
        elif shares[key] < LOW_SHARE - EPS:
            warnings.append(f"Only {shares[key]:.0%} of aligned OKRs serve the {name} perspective (under 10%)")
    if unaligned:
        noun = "objective is" if unaligned == 1 else "objectives are"
        warnings.append(f"{unaligned} OKR {noun} not aligned to any strategic objective")
    return shares, index, warnings


def _index(
    cycle: Cycle, effective: dict[str, Optional[str]], codes: Iterable[str]
) -> tuple[dict[str, tuple[Objective, KeyResult]], dict[str, list[str]]]:
    kr_index = {k.ref: (o, k) for o in cycle.objectives for k in o.key_results}
    by_code: dict[str, list[str]] = {code: [] for code in codes}
    for ref, code in effective.items():
        if code is not None:
            by_code.setdefault(code, []).append(ref)
    return kr_index, by_code


def score_cycle(strategy: list[StrategicObjective], cycle: Optional[Cycle], as_of: dt.date) -> CycleScores:
    codes = [s.code for s in strategy]
    perspective_of = {s.code: s.perspective for s in strategy}
    if cycle is None:
        # §6: with no cycle there is nothing to balance, so no warnings either.
        return CycleScores(
            cycle=None, as_of=as_of, elapsed=None, kr={}, objective={}, effective={},
            strategic=dict.fromkeys(codes), okr_count=dict.fromkeys(codes, 0),
            perspective=dict.fromkeys(PERSPECTIVES), overall=None,
            shares=dict.fromkeys(PERSPECTIVES, 0.0), index=None, warnings=[],
        )

    kr_scores: dict[str, float] = {}
    objective_scores: dict[str, Optional[float]] = {}
    for objective in cycle.objectives:
        for key_result in objective.key_results:
            kr_scores[key_result.ref] = kr_score(key_result)
        objective_scores[objective.ref] = _weighted((k.weight, kr_scores[k.ref]) for k in objective.key_results)

    # A code missing from the strategy has no perspective; stores never hold
    # one, and treating it as unaligned keeps every total consistent.
    effective = {ref: (code if code in perspective_of else None) for ref, code in effective_alignment(cycle).items()}
    kr_index, by_code = _index(cycle, effective, codes)
    counts = dict.fromkeys(PERSPECTIVES, 0)
    for code, refs in by_code.items():
        counts[perspective_of[code]] += len(refs)
    unaligned = sum(1 for code in effective.values() if code is None)

    strategic = {code: _mean(objective_scores[ref] for ref in by_code[code]) for code in codes}
    perspective = _perspective_scores(strategy, strategic)
    shares, index, warnings = _balance(counts, unaligned)
    return CycleScores(
        cycle=cycle, as_of=as_of, elapsed=elapsed(cycle, as_of), kr=kr_scores, objective=objective_scores,
        effective=effective, strategic=strategic, okr_count={code: len(by_code[code]) for code in codes},
        perspective=perspective, overall=_mean(perspective.values()), shares=shares, index=index,
        warnings=warnings, _kr_index=kr_index, _by_code=by_code,
    )


Hint = namedtuple("Hint", "kind ref message")


def _owner(objective: Objective) -> str:
    return (objective.owner or "").strip()


def _last_date(key_result: KeyResult, start: dt.date) -> dt.date:
    last = key_result.last_checkin_at
    if last is None:
        return start
    day = last.astimezone(dt.timezone.utc).date()
    return max(day, start)  # a back-dated check-in cannot make a new cycle look neglected


def _past_pair(cycles: list[Cycle], as_of: dt.date) -> Optional[tuple[Cycle, Cycle]]:
    past = [(c.end, position, c) for position, c in enumerate(cycles) if c.end < as_of]
    if len(past) < 2:
        return None
    past.sort(key=lambda item: (item[0], item[1]), reverse=True)  # ties: later in store order first
    return past[0][2], past[1][2]


def sandbagging_cycles(cycles: list[Cycle], as_of: dt.date) -> list[Cycle]:
    """The two cycles the sandbagging hint compares; only these need their objectives loaded."""
    pair = _past_pair(cycles, as_of)
    return list(pair) if pair else []


def _sandbaggers(cycles: list[Cycle], as_of: dt.date) -> list[tuple[str, Cycle, Cycle]]:
    pair = _past_pair(cycles, as_of)
    if pair is None:
        return []
    per_cycle: list[dict[str, bool]] = []  # owner -> every objective scored >= 0.99
    for cycle in pair:
        all_high: dict[str, bool] = {}
        for objective in cycle.objectives:
            owner = _owner(objective)
            if owner:
                score = objective_score(objective)
                high = score is not None and score >= SANDBAG_SCORE - EPS
                all_high[owner] = all_high.get(owner, True) and high
        per_cycle.append(all_high)
    latest, previous = per_cycle
    return [(owner, *pair) for owner, high in latest.items() if high and previous.get(owner, False)]


def hint_kind_text(kind: str) -> str:
    """A hint's kind as every view shows it: `kr-count (key results per objective)`."""
    label = HINT_LABELS.get(kind)
    return f"{kind} ({label})" if label else kind


def hint_subject(kind: str, ref: str) -> str:
    """A hint's ref as a reader wants it: a crowded perspective by its name, not its key."""
    return PERSPECTIVE_NAMES.get(ref, ref) if kind == "crowded" else ref


def _titled(ref: str, title: str) -> str:
    # A title may hold U+2028/U+2029, which pass as text but break a line in some
    # viewers; a hint is one line in every report.
    return f'{ref} "{" ".join(title.splitlines())}"'


def _key_results(n: int) -> str:
    return "no key results" if n == 0 else counted(n, "key result")


def hints(strategy: list[StrategicObjective], cycles: list[Cycle], scores: CycleScores) -> list[Hint]:
    found: dict[tuple[str, str], Hint] = {}  # kinds are added in HINT_KINDS order

    def add(kind: str, ref: str, message: str) -> None:
        found.setdefault((kind, ref), Hint(kind, ref, message))

    cycle = scores.cycle
    if cycle is not None:  # §6: with no cycle, only `crowded` is left to say
        for s in strategy:
            if scores.okr_count.get(s.code, 0) == 0:
                add("orphan", s.code, f"Strategic objective {_titled(s.code, s.title)} has no OKR in cycle {cycle.id}")
        for o in cycle.objectives:
            if scores.effective.get(o.ref) is None:
                add("unaligned", o.ref, f"{_titled(o.ref, o.title)} is not aligned to any strategic objective")
        low, high = KR_COUNT_RANGE
        for o in cycle.objectives:
            if not low <= len(o.key_results) <= high:
                add("kr-count", o.ref, f"{_titled(o.ref, o.title)} has {_key_results(len(o.key_results))}; "
                    f"{low} to {high} keep it focused")
        owned: dict[str, int] = {}
        for o in cycle.objectives:
            if _owner(o):
                owned[_owner(o)] = owned.get(_owner(o), 0) + 1
        for owner, n in owned.items():
            if n > MAX_OWNER_OBJECTIVES:
                add("objective-count", owner, f"{owner} owns {n} objectives in cycle {cycle.id}; "
                    f"more than {MAX_OWNER_OBJECTIVES} spreads the focus")
        if scores.elapsed is not None and EPS < scores.elapsed < 1 - EPS:
            for o in cycle.objectives:
                for k in o.key_results:
                    days = (scores.as_of - _last_date(k, cycle.start)).days
                    if days > STALE_DAYS:
                        add("stale", k.ref, f"{_titled(k.ref, k.title)} has had no check-in for {days} days")
        for owner, latest, previous in _sandbaggers(cycles, scores.as_of):
            add("sandbagging", owner, f"{owner} scored 0.99 or more on every objective in {previous.id} "
                f"and {latest.id}; the targets may be too easy")
    for key in PERSPECTIVES:
        n = sum(1 for s in strategy if s.perspective == key)
        if n > MAX_PERSPECTIVE_OBJECTIVES:
            add("crowded", key, f"The {PERSPECTIVE_NAMES[key]} perspective has {n} strategic objectives; "
                f"more than {MAX_PERSPECTIVE_OBJECTIVES} blur the strategy")
    return list(found.values())


# A score before and after a check-in. A named tuple rather than a dataclass, as CycleScores.
Change = namedtuple("Change", "name old new")


def ripple(
    strategy: list[StrategicObjective], scores: CycleScores, kr_ref: str, new_current: float | int
) -> tuple[list[Change], CycleScores]:
    kr_index, by_code = scores._kr_index, scores._by_code
    if not kr_index and scores.cycle is not None:  # scores built by hand, not by score_cycle
        kr_index, by_code = _index(scores.cycle, scores.effective, ())
    if kr_ref not in kr_index:
        cycle_id = scores.cycle.id if scores.cycle is not None else "none"
        raise KeyError(f"{kr_ref} is not a key result of cycle {cycle_id}")
    objective, key_result = kr_index[kr_ref]

    kr_scores = dict(scores.kr)
    kr_scores[kr_ref] = _kr_value(key_result.kind, key_result.start, key_result.target, new_current)
    objective_scores = dict(scores.objective)
    objective_scores[objective.ref] = _weighted((k.weight, kr_scores[k.ref]) for k in objective.key_results)
    changes = [
        Change(kr_ref, scores.kr.get(kr_ref), kr_scores[kr_ref]),
        Change(objective.ref, scores.objective.get(objective.ref), objective_scores[objective.ref]),
    ]

    strategic, perspective, overall = dict(scores.strategic), dict(scores.perspective), scores.overall
    code = scores.effective.get(objective.ref)
    key = next((s.perspective for s in strategy if s.code == code), None) if code is not None else None
    if key is not None:
        strategic[code] = _mean(objective_scores[ref] for ref in by_code.get(code, ()))
        perspective[key] = _mean(strategic.get(s.code) for s in strategy if s.perspective == key)
        overall = _mean(perspective.values())
        changes.append(Change(code, scores.strategic.get(code), strategic[code]))
        changes.append(Change(PERSPECTIVE_NAMES[key], scores.perspective.get(key), perspective[key]))
    changes.append(Change("Overall", scores.overall, overall))

    updated = scores.replace(
        kr=kr_scores,
        objective=objective_scores,
        strategic=strategic,
        perspective=perspective,
        overall=overall,
        shares=dict(scores.shares),
        warnings=list(scores.warnings),
        _kr_index=kr_index,
        _by_code=by_code,
    )
    return changes, updated


def ripple_line(changes: list[Change]) -> str:
    return " \u00b7 ".join(f"{c.name} {score_text(c.old)} \u2192 {score_text(c.new)}" for c in changes)
