"""Write a company-scale interchange file (§11 scale L by default).

    python benchmarks/generate_large.py -o /tmp/large.json [--cycles 8] [--objectives 500]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random

PERSPECTIVES = ("financial", "customer", "internal_process", "learning_growth")
CONFIDENCES = ("on-track", "at-risk", "off-track", "blocked")


def quarter(index: int) -> tuple[str, dt.date, dt.date]:
    year, q = divmod(index, 4)
    start = dt.date(year, 3 * q + 1, 1)
    end = (dt.date(year + (q == 3), (3 * q + 3) % 12 + 1, 1)) - dt.timedelta(days=1)
    return f"{year}-Q{q + 1}", start, end


def weekly(rng: random.Random, today: dt.date, count: int) -> list[dict]:
    """`count` weekly readings up to `today` (§11's L: 104, two years)."""
    first = dt.datetime.combine(today, dt.time(17, tzinfo=dt.timezone.utc)) - dt.timedelta(weeks=count)
    return [{"at": (first + dt.timedelta(weeks=w)).isoformat().replace("+00:00", "Z"), "author": "metrics",
             "value": rng.randint(8, 22), "note": ""} for w in range(count)]


def generate(strategic: int, cycles: int, objectives: int, krs: int, checkins: int,
             today: dt.date, seed: int = 7, readings: int = 104, align_all: str | None = None) -> dict:
    """`align_all`: a strategic objective's code that every OKR objective serves (one
    drill-down holding them all); otherwise they are dealt out, one in 50 left unaligned."""
    rng = random.Random(seed)
    codes = [f"S{i + 1}" for i in range(strategic)]
    strategy = [{
        "code": code, "title": f"Strategic objective {code}", "perspective": PERSPECTIVES[i % 4],
        "description": "", "owner": f"exec{i % 5}", "drives": [codes[i - 4]] if i >= 4 else [],
        "measures": [{"name": f"{name} of {code}", "unit": "%", "baseline": 10, "target": 20,
                      "readings": weekly(rng, today, readings)} for name in ("Measure", "Second measure")],
        "initiatives": [],
    } for i, code in enumerate(codes)]
    last = today.year * 4 + (today.month - 1) // 3
    out_cycles = []
    o_ref = kr_ref = 0
    for c in range(cycles):
        cid, start, end = quarter(last - cycles + 1 + c)
        span = min((end - start).days, (today - start).days) if start <= today else 0
        objs = []
        for o in range(objectives):
            o_ref += 1
            key_results = []
            for _ in range(krs):
                kr_ref += 1
                history = []
                value = 0
                for h in range(checkins):
                    value = min(100, value + rng.randint(0, 12))
                    moment = dt.datetime.combine(start, dt.time(9, tzinfo=dt.timezone.utc)) + dt.timedelta(
                        days=span * h // max(checkins, 1), minutes=h)
                    history.append({"at": moment.isoformat().replace("+00:00", "Z"), "author": f"user{h % 9}",
                                    "value": value, "confidence": CONFIDENCES[rng.randrange(4)],
                                    "note": f"update {h + 1}"})
                key_results.append({"ref": f"KR-{kr_ref}", "title": f"Key result {kr_ref}", "kind": "metric",
                                    "start": 0, "target": 100, "current": value, "unit": "%", "weight": 1,
                                    "confidence": history[-1]["confidence"] if history else "on-track",
                                    "checkins": history})
            objs.append({"ref": f"O-{o_ref}", "title": f"Objective {o_ref}", "owner": f"team{o % 40}",
                         "aligned_to": align_all or (codes[o % strategic] if o % 50 else None), "parent": None,
                         "key_results": key_results})
        out_cycles.append({"id": cid, "start": start.isoformat(), "end": end.isoformat(),
                           "closed": c < cycles - 1, "objectives": objs})
    return {"format": "okrtui/1", "organization": "Large Corp", "strategy": strategy, "cycles": out_cycles}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--strategic", type=int, default=60)
    parser.add_argument("--cycles", type=int, default=8)
    parser.add_argument("--objectives", type=int, default=500)
    parser.add_argument("--krs", type=int, default=4)
    parser.add_argument("--checkins", type=int, default=12)
    parser.add_argument("--readings", type=int, default=104, help="readings of each of a strategic objective's two measures")
    parser.add_argument("--align-all", metavar="CODE", help="every objective serves this strategic objective")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.datetime.now(dt.timezone.utc).date())
    args = parser.parse_args()
    doc = generate(args.strategic, args.cycles, args.objectives, args.krs, args.checkins, args.today,
                   readings=args.readings, align_all=args.align_all)
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump(doc, handle)


if __name__ == "__main__":
    main()
