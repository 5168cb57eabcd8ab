"""The scorecard report as data: the normative JSON shape of §6.

Text, Markdown and CSV are renderings of this one structure (render.py), so
every format shows the same numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from okrtui.domain import review
from okrtui.domain.errors import InvalidInput
from okrtui.domain.models import PERSPECTIVE_NAMES, PERSPECTIVES, latest_checkin, ref_number
from okrtui.domain.scoring import band, measure_attainment, pace
from okrtui.operations import score_snapshot
from okrtui.store import Snapshot

REPORT_FORMAT = "okrtui-report/1"


def _note(checkin) -> str:
    return checkin.note if checkin is not None else ""


def _r(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 3)


def build_report(snapshot: Snapshot, as_of: dt.date, cycle_id: Optional[str] = None,
                 with_notes: bool = False, since: Optional[dt.date] = None) -> dict[str, Any]:
    """The report's dict; `with_notes` reads the cycle's history for each key result's latest
    note (the Markdown review wants the why; the other formats skip the read). `since`: the
    scores on that date beside today's (`was`), and the wins since then (§12)."""
    if since is not None and since > as_of:
        raise InvalidInput([f"since: {since} is after the as-of date {as_of}"])
    cycle, scores, found_hints = score_snapshot(snapshot, as_of, cycle_id)
    strategy = snapshot.strategy
    history = snapshot.history(cycle.id) if with_notes and cycle else {}
    if since is not None and cycle is not None:
        # The notes' full history when it was read anyway; else only times and values (fast).
        was = review.scores_on(strategy, cycle, history or snapshot.values(cycle.id), since, as_of)
    else:
        was = None

    def was_of(table: str, key: str) -> dict[str, Any]:
        if since is None:
            return {}
        return {"was": _r(getattr(was, table).get(key)) if was is not None else None}

    elapsed = scores.elapsed
    objectives = sorted(cycle.objectives, key=lambda o: ref_number(o.ref)) if cycle else []

    def kr_doc(kr) -> dict[str, Any]:
        score = scores.kr[kr.ref]
        return {
            "ref": kr.ref, "title": kr.title, "kind": kr.kind, "start": kr.start,
            "target": kr.target, "current": kr.current, "unit": kr.unit, "weight": kr.weight,
            "score": _r(score), "band": band(score), **was_of("kr", kr.ref), "confidence": kr.confidence,
            "pace": pace(score, elapsed),
            "last_checkin": kr.last_checkin_at.isoformat().replace("+00:00", "Z") if kr.last_checkin_at else None,
            **({"latest_note": _note(latest_checkin(history.get(kr.ref, [])))} if with_notes else {}),
        }

    def okr_doc(objective) -> dict[str, Any]:
        score = scores.objective[objective.ref]
        return {
            "ref": objective.ref, "title": objective.title, "owner": objective.owner,
            "parent": objective.parent, "score": _r(score), "band": band(score),
            **was_of("objective", objective.ref),
            "key_results": [kr_doc(kr) for kr in objective.key_results],
        }

    perspectives = []
    for key in PERSPECTIVES:
        entries = []
        for strategic in (s for s in strategy if s.perspective == key):
            score = scores.strategic.get(strategic.code)
            entries.append({
                "code": strategic.code, "title": strategic.title, "owner": strategic.owner,
                "score": _r(score), "band": band(score), **was_of("strategic", strategic.code),
                "okr_count": scores.okr_count.get(strategic.code, 0),
                "drives": list(strategic.drives),
                "measures": [
                    {"name": m.name, "unit": m.unit, "baseline": m.baseline, "target": m.target,
                     "actual": m.actual, "attainment": _r(measure_attainment(m)),
                     "band": band(measure_attainment(m))}
                    for m in strategic.measures
                ],
                "okrs": [okr_doc(o) for o in objectives if scores.effective.get(o.ref) == strategic.code],
            })
        score = scores.perspective[key]
        perspectives.append({"key": key, "name": PERSPECTIVE_NAMES[key], "score": _r(score),
                             "band": band(score), **was_of("perspective", key), "objectives": entries})

    movement: dict[str, Any] = {}
    if since is not None:
        movement = {
            "since": since.isoformat(),
            "overall_was": _r(was.overall) if was is not None else None,
            "wins": [{"kind": w.kind, "ref": w.ref, "serves": w.serves, "perspective": w.perspective}
                     for w in (review.wins(strategy, scores, was) if was is not None else [])],
            # The review's "who owes a check-in" (as `okrtui due` with its default 7 days).
            "due": [{"ref": d.ref, "title": d.title, "objective": d.objective, "owner": d.owner,
                     "last_checkin": d.last_checkin.isoformat(), "days_since": d.days_since}
                    for d in review.due(cycle, as_of)],
        }
    report = {
        "format": REPORT_FORMAT,
        "organization": snapshot.organization or "",
        "as_of": as_of.isoformat(),
        "cycle": None if cycle is None else {
            "id": cycle.id, "start": cycle.start.isoformat(), "end": cycle.end.isoformat(),
            "closed": cycle.closed, "elapsed": _r(elapsed),
        },
        "overall": _r(scores.overall),
        "band": band(scores.overall),
        "perspectives": perspectives,
        "unaligned": [okr_doc(o) for o in objectives if scores.effective.get(o.ref) is None],
        "balance": {
            "shares": {k: _r(v) for k, v in scores.shares.items()},
            "index": _r(scores.index),
            "warnings": list(scores.warnings),
        },
        "hints": [{"kind": h.kind, "ref": h.ref, "message": h.message} for h in found_hints],
    }
    if movement:
        # `since` and `overall_was` at the top, beside `as_of` and `overall` (§12).
        report = {**{k: report[k] for k in ("format", "organization", "as_of")}, "since": movement["since"],
                  **{k: report[k] for k in ("cycle", "overall")}, "overall_was": movement["overall_was"],
                  **{k: v for k, v in report.items() if k not in ("format", "organization", "as_of", "cycle",
                                                                  "overall")},
                  "wins": movement["wins"], "due": movement["due"]}
    return report
