#!/usr/bin/env python3
"""Write sample_data/acme.json, the okrtui sample company, deterministically.

The company ("Northwind Analytics") is a mid-size analytics software vendor.
Everything below is hand-written except the intermediate check-ins of each
key result, which are interpolated from the start value to the stored current
value with a seeded random generator, so every run writes the same bytes.

    python3 sample_data/generate.py          # rewrites sample_data/acme.json
    python3 sample_data/generate.py -o FILE  # writes FILE instead
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta
from pathlib import Path

SEED = 20261120
ORGANIZATION = "Northwind Analytics"

# --------------------------------------------------------------------------
# Strategy (Balanced Scorecard)
# --------------------------------------------------------------------------


def measure(name, unit, baseline, target, actual):
    return {"name": name, "unit": unit, "baseline": baseline, "target": target, "actual": actual}


STRATEGY = [
    # Financial
    {
        "code": "F1", "title": "Grow annual recurring revenue", "perspective": "financial",
        "description": "Reach $25M ARR by the end of FY2027, led by the mid-market segment.",
        "owner": "cro", "drives": [],
        "measures": [
            measure("Annual recurring revenue", "$M", 18, 25, 21.4),
            measure("Net revenue retention", "%", 104, 112, 106),
        ],
        "initiatives": ["Mid-market sales motion", "Usage-based pricing tier"],
    },
    {
        "code": "F2", "title": "Improve gross margin", "perspective": "financial",
        "description": "Bring gross margin to 75% by making every account cheaper to serve.",
        "owner": "cfo", "drives": [],
        "measures": [
            measure("Gross margin", "%", 68, 75, 70.5),
            measure("Cloud cost as share of revenue", "%", 14, 10, 12.6),
        ],
        "initiatives": ["Cloud cost programme"],
    },
    {
        "code": "F3", "title": "Keep cash runway healthy", "perspective": "financial",
        "description": "Fund growth from operations: collect faster and forecast cash reliably.",
        "owner": "cfo", "drives": [],
        "measures": [
            measure("Days sales outstanding", "days", 52, 40, 42),
            measure("Months of runway", "months", None, 30, 31),
        ],
        "initiatives": [],
    },
    # Customer
    {
        "code": "C1", "title": "Win and keep mid-market customers", "perspective": "customer",
        "description": "Mid-market accounts (200-2,000 employees) are where we win and where we churn.",
        "owner": "cro", "drives": ["F1"],
        "measures": [
            measure("Monthly logo churn", "%", 4.0, 2.5, 4.3),
            measure("Mid-market customers", "", 140, 220, 171),
        ],
        "initiatives": ["Renewal-risk playbook"],
    },
    {
        "code": "C2", "title": "Be the analytics platform customers trust", "perspective": "customer",
        "description": "Customers stay and pay for accurate, fast and secure analytics.",
        "owner": "coo", "drives": ["F1", "F2"],
        "measures": [
            measure("Net promoter score", "NPS", 32, 45, 36),
            measure("Security reviews passed first time", "%", None, 90, None),
            measure("Reference customers", "", 6, 15, 9),
        ],
        "initiatives": [],
    },
    {
        "code": "C3", "title": "Fast time to value for new customers", "perspective": "customer",
        "description": "A new customer sees a useful dashboard on day one.",
        "owner": "coo", "drives": ["F1"],
        "measures": [
            measure("Median days to first dashboard", "days", 14, 1, 7),
            measure("Activation rate in the first 30 days", "%", 38, 60, 44),
        ],
        "initiatives": ["Guided onboarding", "Dashboard template gallery"],
    },
    # Internal process (seven: more than six, so the perspective is "crowded")
    {
        "code": "P1", "title": "Run a fast, reliable platform", "perspective": "internal_process",
        "description": "Queries answer in well under a second and the service is always up.",
        "owner": "cto", "drives": ["C2"],
        "measures": [
            measure("p95 dashboard query latency", "ms", 800, 300, 450),
            measure("Query API uptime", "%", 99.5, 99.95, 99.9),
        ],
        "initiatives": ["Query result cache"],
    },
    {
        "code": "P2", "title": "Streamline onboarding and setup", "perspective": "internal_process",
        "description": "Setting up Northwind needs no ticket and no call.",
        "owner": "coo", "drives": ["C3"],
        "measures": [],
        "initiatives": ["One-click connectors"],
    },
    {
        "code": "P3", "title": "Lower the cost to serve", "perspective": "internal_process",
        "description": "Cheaper infrastructure per account lets us price competitively for the mid-market.",
        "owner": "cto", "drives": ["C1"],
        "measures": [
            measure("Cloud cost per active account", "$", 310, 220, 262),
        ],
        "initiatives": ["Spot instances for batch work", "Storage tiering"],
    },
    {
        "code": "P4", "title": "Trustworthy, fresh data", "perspective": "internal_process",
        "description": "Every number a customer sees is complete, correct and less than an hour old.",
        "owner": "cto", "drives": ["C2"],
        "measures": [
            measure("Tables meeting the 1-hour freshness SLA", "%", 70, 95, 86),
            measure("Events lost per million ingested", "", 12, 0.5, 2),
        ],
        "initiatives": ["Data-quality checks on tier-1 tables"],
    },
    {
        "code": "P5", "title": "Run a predictable sales process", "perspective": "internal_process",
        "description": "Qualified pipeline and honest forecasts, every quarter.",
        "owner": "cro", "drives": ["C1"],
        "measures": [
            measure("Pipeline coverage", "x", 1.8, 3.0, 2.6),
            measure("Forecast accuracy", "%", None, 90, 82),
        ],
        "initiatives": ["MEDDICC qualification"],
    },
    {
        "code": "P6", "title": "Proactive customer success", "perspective": "internal_process",
        "description": "",
        "owner": "coo", "drives": ["C1", "C2"],
        "measures": [
            measure("Accounts with a health score", "%", 40, 100, 88),
        ],
        "initiatives": ["Pooled CSM coverage model"],
    },
    {
        "code": "P7", "title": "Secure and compliant by default", "perspective": "internal_process",
        "description": "Pass customer security reviews without heroics.",
        "owner": "cto", "drives": ["C2"],
        "measures": [
            measure("Critical vulnerabilities open over 30 days", "", 9, 0, 3),
        ],
        "initiatives": ["SOC 2 Type II audit"],
    },
    # Learning & growth (one objective, and no OKR in the current cycle)
    {
        "code": "L1", "title": "Grow skills and keep our best people", "perspective": "learning_growth",
        "description": "Clear careers, good managers and time to learn keep engineers here.",
        "owner": "people", "drives": ["P1", "P4", "P6"],
        "measures": [
            measure("Regretted attrition (annualised)", "%", 12, 8, None),
            measure("Engineers with a written growth plan", "%", 10, 80, 55),
        ],
        "initiatives": ["Engineering career ladder", "Mentoring circles"],
    },
]

# --------------------------------------------------------------------------
# OKR cycles
# --------------------------------------------------------------------------
# A key result spec: title, kind, start, target, current, unit, weight,
# final confidence, number of check-ins, date of the latest check-in, and the
# note of that latest check-in.


def M(title, start, target, current, unit="", w=1, conf="on-track", n=4, last=None, note=""):
    return dict(title=title, kind="metric", start=start, target=target, current=current,
                unit=unit, weight=w, confidence=conf, n=n, last=last, note=note)


def MS(title, done, w=1, conf="on-track", n=3, last=None, note=""):
    return dict(title=title, kind="milestone", start=0, target=1, current=1 if done else 0,
                unit="", weight=w, confidence=conf, n=n, last=last, note=note)


def O(title, owner, aligned_to, krs, parent=None):
    # parent: index (1-based, within the cycle) of the parent objective
    return dict(title=title, owner=owner, aligned_to=aligned_to, parent=parent, krs=krs)


CYCLES = [
    {
        "id": "2026-Q2", "start": "2026-04-01", "end": "2026-06-30", "closed": True,
        "objectives": [
            O("Build a repeatable mid-market pipeline", "sales", "P5", [
                M("Qualified mid-market opportunities created", 0, 120, 84, n=5, last="2026-06-26",
                  note="84 by quarter end; the SDR pod ramped later than planned."),
                M("Pipeline coverage for next quarter", 1.8, 3.0, 2.4, "x", conf="at-risk", last="2026-06-24",
                  note="2.4x; two large deals slipped into Q3."),
                MS("Roll out MEDDICC qualification to every AE", True, last="2026-06-12",
                   note="All 14 AEs certified; fields are mandatory in the CRM."),
                M("Median sales cycle length", 74, 55, 71, "days", w=0.5, conf="off-track", n=5,
                  last="2026-06-29", note="Barely moved; procurement reviews keep stretching deals."),
            ]),
            O("Speed up collections", "finance", "F3", [
                M("Days sales outstanding", 52, 45, 45, "days", n=5, last="2026-06-29",
                  note="Hit 45 days at quarter close."),
                MS("Automate dunning reminders in the billing system", True, last="2026-05-20",
                   note="Live for all invoices since May 18."),
                M("Invoice error rate", 2.0, 0.5, 0.5, "%", w=0.5, last="2026-06-26",
                  note="0.5% in June; credit notes down to a handful."),
            ]),
            O("Bring p95 query latency under 600 ms", "platform", "P1", [
                M("p95 dashboard query latency", 800, 600, 660, "ms", w=2, conf="at-risk", n=6,
                  last="2026-06-29", note="660 ms; the last 60 ms need the cache work planned for Q4."),
                MS("Move hot tables to columnar storage", True, n=4, last="2026-06-05",
                   note="Migrated the 40 hottest tables with no downtime."),
                M("Queries served from cache", 35, 60, 41, "%", conf="off-track", last="2026-06-25",
                  note="Cache invalidation bugs forced us to keep TTLs short."),
            ]),
            O("Launch the engineering career ladder", "people", "L1", [
                MS("Publish the career ladder for IC and manager tracks", True, last="2026-05-14",
                   note="Published on the wiki and walked through at the all-hands."),
                M("Engineers with a written growth plan", 10, 80, 52, "%", conf="at-risk", n=5,
                  last="2026-06-23", note="52%; platform managers still catching up."),
                M("Regretted engineering attrition (annualised)", 12, 8, 11, "%", conf="off-track", n=3,
                  last="2026-06-30", note="Two senior departures in June."),
            ]),
        ],
    },
    {
        "id": "2026-Q3", "start": "2026-07-01", "end": "2026-09-30", "closed": True,
        "objectives": [
            O("Tighten vendor and SaaS spend", "finance", "F2", [
                M("Monthly SaaS tool spend", 120, 95, 95, "$k", n=5, last="2026-09-28",
                  note="95k run rate after the last renewals."),
                MS("Renegotiate the top five vendor contracts", True, n=4, last="2026-09-10",
                   note="All five signed; average saving 18%."),
                MS("Budget owners signed off for FY2027", True, last="2026-09-25",
                   note="Every cost centre signed off."),
            ]),
            O("Cut logo churn in the mid-market", "success", "C1", [
                M("Monthly logo churn", 4.0, 2.5, 3.4, "%", w=2, conf="at-risk", n=6, last="2026-09-29",
                  note="3.4% in September; better, but far from 2.5%."),
                M("Accounts with a health score", 40, 100, 85, "%", n=4, last="2026-09-24",
                  note="85%; the rest are legacy self-serve accounts."),
                M("Quarterly business reviews with the top-50 accounts", 0, 50, 18, conf="off-track",
                  last="2026-09-28", note="18 held; CSM capacity is the bottleneck."),
                MS("Launch the renewal-risk playbook", False, conf="blocked", n=4, last="2026-09-22",
                   note="Blocked: needs usage signals the data team has not shipped yet."),
            ]),
            O("Make ingestion dependable", "platform", "P4", [
                M("Pipeline runs finishing on time", 91, 99, 98, "%", n=5, last="2026-09-29",
                  note="98% on time for the last four weeks."),
                M("Mean time to recover a failed pipeline", 180, 45, 60, "min", n=5, last="2026-09-25",
                  note="Automatic retries got us to an hour."),
                MS("Retire the legacy cron scheduler", True, last="2026-08-28",
                   note="Last cron job switched off on Aug 27."),
                M("Duplicate events reaching the warehouse", 0.8, 0.1, 0.45, "%", w=0.5, conf="at-risk",
                  last="2026-09-21", note="Dedup key rollout only half done."),
            ]),
            O("Ship self-serve dashboards", "data", "C3", [
                M("Dashboard templates published", 0, 12, 5, conf="off-track", n=5, last="2026-09-28",
                  note="5 of 12; design review took longer than expected."),
                M("Median time to first dashboard for new accounts", 14, 5, 12, "days", conf="off-track",
                  last="2026-09-24", note="12 days; templates alone do not fix setup time."),
                MS("Self-serve beta opened to all customers", False, conf="off-track", n=3,
                   last="2026-09-29", note="Moved to Q4 with the onboarding work."),
            ]),
        ],
    },
    {
        "id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31", "closed": False,
        "objectives": [
            # 1
            O("Grow new mid-market ARR", "sales", "F1", [
                M("New ARR booked", 0, 1500, 690, "$k", w=2, n=6, last="2026-11-19",
                  note="690k booked; two six-figure deals in legal review."),
                M("Win rate on qualified mid-market deals", 18, 25, 21, "%", conf="at-risk", n=4,
                  last="2026-11-16", note="21%; losing on price to bundled suites."),
                M("Pipeline coverage for Q1 2027", 2.2, 3.0, 2.6, "x", n=4, last="2026-11-18",
                  note="2.6x and growing after the partner webinar."),
                M("Reference customers signed in retail", 0, 3, 1, conf="at-risk", n=3, last="2026-11-13",
                  note="One signed, two waiting on their legal teams."),
            ]),
            # 2
            O("Keep the customers we win", "success", "C1", [
                M("Monthly logo churn", 4.0, 2.5, 4.3, "%", w=2, conf="off-track", n=5, last="2026-11-17",
                  note="Up to 4.3%: three accounts left after the October price change."),
                M("Net revenue retention", 104, 110, 106, "%", conf="at-risk", n=4, last="2026-11-18",
                  note="106%; expansion is fine, churn is the drag."),
                M("Relationship NPS of mid-market accounts", 28, 40, 34, "NPS", n=3, last="2026-11-12",
                  note="34 in the November pulse survey."),
                MS("Launch in-app health alerts for CSMs", False, conf="blocked", n=4, last="2026-11-19",
                   note="Blocked on the usage-events API from platform."),
                M("Median first response time on support tickets", 6.0, 2.0, 4.2, "h", w=0.5,
                  conf="at-risk", n=5, last="2026-11-20", note="4.2 h; two new hires start in December."),
            ]),
            # 3
            O("Make the platform fast and dependable", "platform", "P1", [
                M("Monthly uptime of the query API", 99.5, 99.95, 99.9, "%", n=4, last="2026-11-16",
                  note="99.9% in October and so far in November."),
                M("Sev-1 incidents per month", 4, 1, 1, n=3, last="2026-11-13",
                  note="One sev-1 in October, none yet in November."),
                MS("Publish an on-call runbook for every service", False, w=0.5, conf="at-risk", n=3,
                   last="2026-11-18", note="31 of 44 services have a runbook."),
            ]),
            # 4: cascaded from 3
            O("Cut p95 query latency to 300 ms", "platform", None, [
                M("p95 dashboard query latency", 800, 300, 450, "ms", w=2, n=6, last="2026-11-20",
                  note="450 ms after the cache rollout; next: query planner hints."),
                M("p99 latency of the export API", 2400, 1200, 1500, "ms", n=4, last="2026-11-17",
                  note="Streaming exports took 600 ms off p99."),
                MS("Ship the query result cache to all regions", True, n=4, last="2026-11-10",
                   note="Live in EU, US and APAC."),
                M("Slow queries (over 2 s) per day", 900, 200, 520, conf="at-risk", n=5, last="2026-11-19",
                  note="520 a day; a few customers run very wide joins."),
            ], parent=3),
            # 5
            O("Cut infra cost [phase 2]", "platform", "P3", [
                M("Monthly cloud spend", 410, 340, 352, "$k", n=5, last="2026-11-18",
                  note="352k in October; reserved instances renew in December."),
                MS("Move batch jobs to spot instances", True, n=3, last="2026-11-09",
                   note="All nightly batch on spot; no failed runs so far."),
            ]),
            # 6
            O("Trustworthy, fresh data pipelines", "data", "P4", [
                M("Tables meeting the 1-hour freshness SLA", 70, 95, 86, "%", n=5, last="2026-11-19",
                  note="86%; the CRM connector is the main laggard."),
                M("Data-quality checks covering tier-1 tables", 20, 100, 60, "%", conf="at-risk", n=4,
                  last="2026-11-12", note="60%; writing checks for finance tables next."),
                MS("Publish the data catalogue", False, w=0.5, conf="off-track", n=2, last="2026-10-28",
                   note="Tooling choice reopened; no owner this quarter."),
            ]),
            # 7: cascaded from 6
            O("Zero data loss in event ingestion", "platform", None, [
                M("Events lost per million ingested", 12, 0.5, 2, n=5, last="2026-11-18",
                  note="Down to 2 per million after the new queue."),
                MS("Replay any day of raw events within 4 hours", True, n=3, last="2026-11-09",
                   note="Replay drill done: a full day in 3 h 10 min."),
                M("Ingestion nodes on the new queue", 0, 100, 75, "%", n=4, last="2026-11-16",
                  note="75%; the last region moves after the freeze."),
            ], parent=6),
            # 8: six key results
            O("Get new customers to a first dashboard in one day", "platform", "C3", [
                M("Median time to first dashboard", 12, 1, 7, "days", w=2, conf="at-risk", n=5,
                  last="2026-11-19", note="7 days; connector setup is still the long pole."),
                M("Connectors with one-click setup", 4, 12, 7, conf="at-risk", n=4, last="2026-11-13",
                  note="Salesforce, HubSpot and Stripe done; Snowflake in review."),
                MS("Guided setup wizard live for new sign-ups", False, conf="off-track", n=4,
                   last="2026-11-17", note="Design approved, build has not started."),
                MS("Sample workspace created on sign-up", True, n=3, last="2026-11-09",
                   note="Every new account gets the demo workspace."),
                M("Sign-ups dropping off before their first query", 45, 20, 41, "%", conf="off-track",
                  n=4, last="2026-11-18", note="41%: the wizard is what will move this."),
                M("Setup-related support tickets per week", 60, 25, 60, n=0),
            ]),
            # 9: unaligned
            O("Pay down build & CI tech debt", "platform", None, [
                M("Median CI pipeline duration", 22, 10, 15, "min", n=4, last="2026-11-16",
                  note="15 min with the parallel test runner."),
                M("Flaky tests quarantined or fixed", 0, 150, 40, conf="at-risk", n=3, last="2026-11-02",
                  note="40 done; paused for the latency push."),
                MS("Upgrade every service to Python 3.13", False, n=3, last="2026-11-12",
                   note="12 of 19 services upgraded."),
            ]),
            # 10
            O("Make cash forecasting predictable", "finance", "F3", [
                M("Cash forecast error, 13-week rolling", 15, 5, 8, "%", n=4, last="2026-11-13",
                  note="8% error over the last 13 weeks."),
                M("Days sales outstanding", 47, 40, 42, "days", n=4, last="2026-11-18",
                  note="42 days; two enterprise invoices still open."),
                M("Working days to close the month", 9, 5, 6, "days", n=2, last="2026-11-09",
                  note="October closed in 6 working days."),
            ]),
        ],
    },
]

# Authors who post check-ins, by owning team.
AUTHORS = {
    "sales": ["ana", "marco"],
    "success": ["bo", "priya"],
    "platform": ["chen", "dara", "eli"],
    "data": ["farah", "gus"],
    "people": ["hana"],
    "finance": ["ivan", "jo"],
}

FIRST_NOTES = [
    "Baseline confirmed; plan agreed with the team.",
    "Kick-off done, first numbers in.",
    "Starting point measured; dashboard set up.",
    "",
]
UP_NOTES = [
    "Steady progress this week.",
    "Moving in the right direction.",
    "Good week \u2014 the new process is paying off.",
    "Small gain; most of the work lands next sprint.",
    "Up a little since the last check-in.",
    "Better than last check-in.",
]
FLAT_NOTES = [
    "No real change since last update.",
    "Flat this week; waiting on reviews.",
    "Holding steady while we finish the rollout.",
]
DOWN_NOTES = [
    "Slipped back a little \u2014 investigating.",
    "Worse than last week; a few large accounts dragged it down.",
    "Regression after the last deploy; fix in progress.",
]
MILESTONE_OPEN_NOTES = [
    "Scope agreed with stakeholders.",
    "Design reviewed; build under way.",
    "Still in progress.",
    "About half done.",
]
MILESTONE_DONE_NOTES = [
    "Done; monitoring for a week.",
    "Done and announced in #general.",
]


def decimals(*values) -> int:
    d = 0
    for v in values:
        if isinstance(v, float):
            s = repr(v)
            d = max(d, len(s.split(".")[1]) if "." in s else 0)
    return d


def rounded(x: float, d: int):
    return int(round(x)) if d == 0 else round(x, d)


def confidence_path(final: str, n: int) -> list[str]:
    if final == "on-track":
        path = ["on-track"] * n
    elif final == "at-risk":
        path = ["on-track"] * max(0, n - 2) + ["at-risk"] * min(2, n)
    else:  # off-track or blocked
        path = ["on-track"] * max(0, n - 2) + ["at-risk", final][-min(2, n):]
    return path[-n:] if n else []


def checkin_dates(rng: random.Random, cycle_start: date, last: date, n: int) -> list[date]:
    first = cycle_start + timedelta(days=rng.randint(6, 12))
    if n == 1 or first >= last:
        first = min(first, last)
    dates = []
    for i in range(n):
        if n == 1:
            d = last
        else:
            d = first + timedelta(days=round((last - first).days * i / (n - 1)))
        if i < n - 1 and d.weekday() >= 5:  # weekend: previous Friday
            d -= timedelta(days=d.weekday() - 4)
        if dates and d <= dates[-1]:
            d = dates[-1] + timedelta(days=1)
        dates.append(d)
    assert dates[-1] == last, (dates, last)
    return dates


def build_checkins(rng: random.Random, kr: dict, owner: str, cycle_start: date) -> list[dict]:
    n = kr["n"]
    if n == 0:
        return []
    last = date.fromisoformat(kr["last"])
    dates = checkin_dates(rng, cycle_start, last, n)
    confs = confidence_path(kr["confidence"], n)
    authors = AUTHORS[owner]
    start, target, current = kr["start"], kr["target"], kr["current"]
    if kr["kind"] == "milestone":
        done_at = rng.randint(max(1, n // 2), n - 1) if current == 1 and n > 1 else n - 1
        values = [1 if (current == 1 and i >= done_at) else 0 for i in range(n)]
    else:
        d = decimals(start, target, current)
        span = abs(target - start)
        lo = max(0, min(start, current) - 0.05 * span)
        hi = max(start, current) + 0.05 * span
        if kr["unit"] == "%" and max(start, target, current) <= 100:
            hi = min(hi, 100)
        gamma = rng.uniform(0.8, 1.3)
        values = []
        for i in range(1, n + 1):
            if i == n:
                v = current
            else:
                p = (i / n) ** gamma
                v = start + (current - start) * p + rng.uniform(-0.06, 0.06) * span
                v = min(max(v, lo), hi)
            values.append(rounded(v, d))
    out = []
    prev_progress = 0.0
    for i, (d, value, conf) in enumerate(zip(dates, values, confs)):
        if i == n - 1:
            note = kr["note"]
        elif i == 0 and kr["kind"] == "metric":
            note = rng.choice(FIRST_NOTES)
        elif kr["kind"] == "milestone":
            note = rng.choice(MILESTONE_DONE_NOTES if value == 1 else MILESTONE_OPEN_NOTES)
        else:
            progress = (value - start) / (target - start)
            if progress > prev_progress + 0.01:
                note = rng.choice(UP_NOTES)
            elif progress < prev_progress - 0.01:
                note = rng.choice(DOWN_NOTES)
            else:
                note = rng.choice(FLAT_NOTES)
        if kr["kind"] == "metric":
            prev_progress = (value - start) / (target - start)
        hour = rng.randint(8, 16)
        minute = rng.choice(range(0, 60, 5))
        out.append({
            "at": f"{d.isoformat()}T{hour:02d}:{minute:02d}:00Z",
            "author": rng.choice(authors),
            "value": value,
            "confidence": conf,
            "note": note,
        })
    return out


def build() -> dict:
    rng = random.Random(SEED)
    o_num = kr_num = 0
    cycles = []
    for c in CYCLES:
        cycle_start = date.fromisoformat(c["start"])
        refs = []
        objectives = []
        for spec in c["objectives"]:
            o_num += 1
            refs.append(f"O-{o_num}")
            krs = []
            for k in spec["krs"]:
                kr_num += 1
                checkins = build_checkins(rng, k, spec["owner"], cycle_start)
                krs.append({
                    "ref": f"KR-{kr_num}",
                    "title": k["title"],
                    "kind": k["kind"],
                    "start": k["start"],
                    "target": k["target"],
                    "current": checkins[-1]["value"] if checkins else k["start"],
                    "unit": k["unit"],
                    "weight": k["weight"],
                    "confidence": checkins[-1]["confidence"] if checkins else "on-track",
                    "checkins": checkins,
                })
            objectives.append({
                "ref": refs[-1],
                "title": spec["title"],
                "owner": spec["owner"],
                "aligned_to": spec["aligned_to"],
                "parent": refs[spec["parent"] - 1] if spec["parent"] else None,
                "key_results": krs,
            })
        cycles.append({
            "id": c["id"], "start": c["start"], "end": c["end"], "closed": c["closed"],
            "objectives": objectives,
        })
    return {
        "format": "okrtui/1",
        "organization": ORGANIZATION,
        "strategy": [with_readings(random.Random(SEED + 1 + i), s) for i, s in enumerate(STRATEGY)],
        "cycles": cycles,
    }


# A year of monthly readings per measure, the last one the measure's actual. Their own
# generator, so the check-ins above come out the same with or without them.
READING_DAYS = [date(2025, 12, 31), date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 31), date(2026, 4, 30),
                date(2026, 5, 29), date(2026, 6, 30), date(2026, 7, 31), date(2026, 8, 31), date(2026, 9, 30),
                date(2026, 10, 30), date(2026, 11, 16)]


def _decimals(value) -> int:
    text = repr(value)
    return len(text.split(".")[1]) if "." in text else 0


def with_readings(rng: random.Random, strategic: dict) -> dict:
    measures = []
    for m in strategic["measures"]:
        actual = m["actual"]
        readings = []
        if actual is not None:
            first = m["baseline"] if m["baseline"] is not None else actual - (m["target"] - actual) * 0.6
            spread = abs(m["target"] - first) * 0.04
            places = max(_decimals(actual), _decimals(first), 0 if abs(actual) >= 10 else 1)
            for n, day in enumerate(READING_DAYS):
                share = n / (len(READING_DAYS) - 1)
                value = actual if n == len(READING_DAYS) - 1 else \
                    first + (actual - first) * share + rng.uniform(-spread, spread)
                value = round(value, places)
                if places == 0:
                    value = int(value)
                note = "year-end close" if day.month == 12 else \
                    ("quarter close" if day.month in (3, 6, 9) else "")
                readings.append({"at": f"{day.isoformat()}T17:00:00Z", "author": strategic["owner"] or "strategy",
                                 "value": value, "note": note})
        measures.append({**m, "readings": readings})
    return {**strategic, "measures": measures}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default=str(Path(__file__).with_name("acme.json")))
    args = ap.parse_args()
    text = json.dumps(build(), indent=2, ensure_ascii=False) + "\n"
    Path(args.output).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
