"""Reports (§6) as plain text, Markdown and CSV, rendered from the `report --format json` dict.

Every renderer works from that one dict, so the formats cannot disagree on a
number. User text is written literally: plain strings with no Rich markup or
ANSI codes, escaped only where the format itself would misread it.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Optional

from okrtui.domain.models import PERSPECTIVE_NAMES
from okrtui.domain.scoring import band as band_of
from okrtui.domain.scoring import hint_kind_text, hint_subject
from okrtui.domain.text import counted, score_text
from okrtui.interchange.csv_io import escape_cell, number_text, write_rows

BAR_WIDTH = 10
DASH = "\u2014"
CSV_HEADER = [
    "perspective", "code", "objective_ref", "objective", "owner", "kr_ref", "key_result",
    "start", "target", "current", "score", "band", "confidence", "pace",
]


# --------------------------------------------------------------------------- shared pieces


def _scored(score: Optional[float], band: Optional[str]) -> str:
    """A score beside its band word, so it reads without colour."""
    if score is None:
        return DASH
    return f"{score_text(score)} {band or band_of(score)}"


def _delta(item: dict[str, Any], score_key: str = "score", was_key: str = "was") -> str:
    """The movement since the report's `since` date beside a score: `(+0.12)`, `(was —)`; '' without."""
    if was_key not in item or item.get(score_key) is None:
        return ""
    was = item.get(was_key)
    if was is None:
        return "(was \u2014)"
    return f"({item[score_key] - was:+.2f})"


def _scored_item(item: dict[str, Any]) -> str:
    """A scored item of the report: `0.47 (+0.12) yellow` when the report has a `since`."""
    score = item.get("score")
    if score is None:
        return DASH
    moved = _delta(item)
    return f"{score_text(score)} {moved + ' ' if moved else ''}{item.get('band') or band_of(score)}"


def _score_cell(item: dict[str, Any]) -> str:
    moved = _delta(item)
    return score_text(item.get("score")) + (f" {moved}" if moved else "")


def _win_text(win: dict[str, Any], names: dict[str, str]) -> str:
    kind = {"key-result": "key result", "objective": "objective", "strategic-objective": "strategic objective"}
    serves = win.get("serves")
    where = names.get(win.get("perspective") or "", "")
    tail = f"serves {serves} ({where})" if serves and win["kind"] != "strategic-objective" else where or "unaligned"
    return f"{win['ref']} ({kind.get(win['kind'], win['kind'])}) \u00b7 {tail}" if serves else \
        f"{win['ref']} ({kind.get(win['kind'], win['kind'])}) \u00b7 serves no strategic objective"


def _movement_lines(report: dict[str, Any]) -> list[str]:
    """The review's opening: each perspective and the overall score then and now, and the wins."""
    if "since" not in report:
        return []
    names = _names(report)
    parts = [f"{_perspective_name(p)} {score_text(p.get('was'))} \u2192 {score_text(p.get('score'))}"
             + (f" {_delta(p)}" if _delta(p) else "") for p in report.get("perspectives", [])]
    overall = {"score": report.get("overall"), "was": report.get("overall_was")}
    parts.append(f"Overall {score_text(report.get('overall_was'))} \u2192 {score_text(report.get('overall'))}"
                 + (f" {_delta(overall)}" if _delta(overall) else ""))
    wins = report.get("wins", [])
    lines = [f"Since {report['since']}: " + " \u00b7 ".join(parts),
             f"Wins since {report['since']}: {len(wins) or 'none'}"]
    lines += [f"  {_win_text(w, names)}" for w in wins]
    return lines


def _bar(score: Optional[float]) -> str:
    filled = 0 if score is None else round(min(1.0, max(0.0, score)) * BAR_WIDTH)
    return "\u2588" * filled + "\u2591" * (BAR_WIDTH - filled)


def _percent(value: Optional[float]) -> str:
    return DASH if value is None else f"{round(value * 100)}%"


def _amount(value: Any) -> str:
    """A start/target/current for people: `40`, `2.5`; an integral float loses its `.0`."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return number_text(value)


def _progress(kr: dict[str, Any]) -> str:
    if kr.get("kind") == "milestone":
        return "done" if kr.get("current") == 1 else "not done"
    unit = kr.get("unit") or ""
    text = f"{_amount(kr.get('current'))} / {_amount(kr.get('target'))}"
    return f"{text} {unit}" if unit else text


def _perspective_name(perspective: dict[str, Any]) -> str:
    return perspective.get("name") or PERSPECTIVE_NAMES.get(perspective["key"], perspective["key"])


def _names(report: dict[str, Any]) -> dict[str, str]:
    names = dict(PERSPECTIVE_NAMES)
    names.update({p["key"]: _perspective_name(p) for p in report.get("perspectives", [])})
    return names


def _cycle_text(cycle: Optional[dict[str, Any]]) -> str:
    if cycle is None:
        return "no cycle"
    text = f"{cycle['id']} ({cycle['start']} to {cycle['end']}{', closed' if cycle.get('closed') else ''})"
    if cycle.get("elapsed") is not None:
        text += f", {_percent(cycle['elapsed'])} elapsed"
    return text


def _owner(okr: dict[str, Any]) -> str:
    return (okr.get("owner") or "").strip()


# --------------------------------------------------------------------------- text


def _text_okrs(okrs: Iterable[dict[str, Any]], indent: str) -> list[str]:
    lines = []
    for okr in okrs:
        owner = f" [owner: {_owner(okr)}]" if _owner(okr) else ""
        lines.append(f"{indent}{okr['ref']}  {okr['title']}{owner}  {_scored_item(okr)}")
        if not okr.get("key_results"):
            lines.append(f"{indent}  (no key results)")
        for kr in okr.get("key_results", []):
            parts = [f"{indent}  {kr['ref']}  {kr['title']}", _progress(kr),
                     _scored_item(kr), kr.get("confidence") or ""]
            if kr.get("pace"):
                parts.append(kr["pace"])
            lines.append("  ".join(p for p in parts if p))
    return lines


def render_text(report: dict[str, Any]) -> str:
    """A plain-text scorecard for a terminal: no colour codes, bands spelled out."""
    organization = report.get("organization") or "Scorecard"
    header = f"{organization} \u00b7 {_cycle_text(report.get('cycle'))}"
    if report.get("as_of"):
        header += f" \u00b7 as of {report['as_of']}"
    overall = {"score": report.get("overall"), "was": report.get("overall_was")} if "since" in report else \
        {"score": report.get("overall")}
    header += f" \u00b7 Overall {_scored_item(overall)}"
    lines = [header] + _movement_lines(report)

    for perspective in report.get("perspectives", []):
        score = perspective.get("score")
        lines += ["", f"{_perspective_name(perspective)}  {_bar(score)} {_scored_item(perspective)}"]
        if not perspective.get("objectives"):
            lines.append("  (no strategic objectives)")
        for objective in perspective.get("objectives", []):
            okrs = objective.get("okrs", [])
            count = objective.get("okr_count", len(okrs))
            lines.append(
                f"  {objective['code']}  {objective['title']}  "
                f"{_scored_item(objective)}  "
                f"{counted(count, 'OKR')}"
            )
            for measure in objective.get("measures", []):
                attainment = measure.get("attainment")
                lines.append(f"      measure {measure['name']}: {_scored(attainment, measure.get('band'))}")
            lines += _text_okrs(okrs, "    ")

    unaligned = report.get("unaligned", [])
    lines += ["", f"Unaligned objectives: {len(unaligned) or 'none'}"]
    lines += _text_okrs(unaligned, "  ")

    balance = report.get("balance") or {}
    names = _names(report)
    shares = balance.get("shares") or {}
    lines += ["", f"Balance  index {score_text(balance.get('index'))}"]
    lines.append("  " + " \u00b7 ".join(f"{names.get(k, k)} {_percent(v)}" for k, v in shares.items()))
    lines += [f"  ! {warning}" for warning in balance.get("warnings", [])]

    hints = report.get("hints", [])
    lines += ["", f"Hints: {len(hints) or 'none'}"]
    kinds = [hint_kind_text(h["kind"]) for h in hints]
    subjects = [hint_subject(h["kind"], h["ref"]) for h in hints]
    kind_width = max(map(len, kinds), default=0)
    subject_width = max(map(len, subjects), default=0)
    lines += [f"  {kind:<{kind_width}}  {subject:<{subject_width}}  {h['message']}"
              for kind, subject, h in zip(kinds, subjects, hints)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- Markdown

# Characters that start inline Markdown (emphasis, code, links, HTML, strike-through)
# anywhere in a line; a backslash makes any of them literal in CommonMark.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>~|])")
# Characters that start a block (heading, list, quote, rule, setext) at the start of a line.
_MD_LEADING = re.compile(r"^(\s*)([#+\-=>]|\d+[.)](?=\s|$))")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")


def md(text: Any) -> str:
    """User text as literal Markdown, safe in a paragraph, a heading or a table cell."""
    text = " ".join(str(text).splitlines())
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_ENTITY.sub("&amp;", text)
    match = _MD_LEADING.match(text)
    if match:
        lead, mark = match.groups()
        text = lead + mark[:-1] + "\\" + mark[-1] + text[match.end():]
    return text


def _table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell if cell else " " for cell in row) + " |" for row in rows]
    return lines


def _md_okr_rows(okrs: Iterable[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for okr in okrs:
        rows.append([f"**{okr['ref']}**", f"**{md(okr['title'])}**", md(_owner(okr)), "",
                     _score_cell(okr), okr.get("band") or DASH, "", "", ""])
        for kr in okr.get("key_results", []):
            note = " ".join((kr.get("latest_note") or "").split())  # one table row: no line breaks
            rows.append([kr["ref"], md(kr["title"]), "", md(_progress(kr)), _score_cell(kr),
                         kr.get("band") or DASH, kr.get("confidence") or "", kr.get("pace") or DASH, md(note)])
    return rows


def _md_review(report: dict[str, Any]) -> list[str]:
    """The review document's opening (§12): movement, wins, what is due, what moved and why."""
    if "since" not in report:
        return []
    since = report["since"]
    names = _names(report)
    out = [f"## Since {since}", ""]
    rows = [[md(_perspective_name(p)), score_text(p.get("was")), score_text(p.get("score")), _delta(p) or DASH]
            for p in report.get("perspectives", [])]
    overall = {"score": report.get("overall"), "was": report.get("overall_was")}
    rows.append(["**Overall**", score_text(report.get("overall_was")), score_text(report.get("overall")),
                 _delta(overall) or DASH])
    out += _table(["Perspective", f"On {since}", "Now", "Moved"], rows)
    wins = report.get("wins", [])
    out += ["", f"### Wins since {since}", ""]
    out += [f"- {md(_win_text(w, names))}" for w in wins] or ["None."]
    due = report.get("due")
    if due is not None:
        out += ["", "### What is due", ""]
        out += _table(["Key result", "Title", "Objective", "Owner", "Last check-in", "Days"], (
            [d["ref"], md(d["title"]), d["objective"], md(d["owner"]), d["last_checkin"], str(d["days_since"])]
            for d in due)) if due else ["Nothing is due."]
    moved = [(kr, okr) for okr in _all_okrs(report) for kr in okr.get("key_results", [])
             if kr.get("score") is not None and kr.get("was") != kr.get("score")]
    out += ["", "### What moved, and why", ""]
    out += [f"- **{kr['ref']}** {md(kr['title'])}: {score_text(kr.get('was'))} \u2192 {score_text(kr['score'])}"
            + (f" \u2014 \u201c{md(' '.join(kr['latest_note'].split()))}\u201d" if kr.get("latest_note") else "")
            for kr, _ in moved] or ["No key result moved."]
    return out + [""]


def _all_okrs(report: dict[str, Any]) -> list[dict[str, Any]]:
    okrs = [o for p in report.get("perspectives", []) for s in p.get("objectives", []) for o in s.get("okrs", [])]
    return okrs + list(report.get("unaligned", []))


_OKR_TABLE = ["Ref", "Title", "Owner", "Current / target", "Score", "Band", "Confidence", "Pace", "Latest note"]


def render_markdown(report: dict[str, Any]) -> str:
    """A review-ready Markdown report: summary, one section per perspective, balance, hints."""
    organization = report.get("organization")
    out = [f"# Scorecard \u2014 {md(organization)}" if organization else "# Scorecard", ""]
    cycle = report.get("cycle")
    summary = f"Cycle {md(_cycle_text(cycle))}" if cycle else "No cycle in the store"
    if report.get("as_of"):
        summary += f", as of {report['as_of']}"
    overall = {"score": report.get("overall"), "was": report.get("overall_was")} if "since" in report else \
        {"score": report.get("overall")}
    out += [f"{summary}. Overall: **{_scored_item(overall)}**.", ""]

    perspectives = report.get("perspectives", [])
    out += _md_review(report)
    out += _table(["Perspective", "Score", "Band"], (
        [md(_perspective_name(p)), _score_cell(p), p.get("band") or DASH] for p in perspectives
    ))

    for perspective in perspectives:
        out += ["", f"## {md(_perspective_name(perspective))}: "
                    f"{_scored_item(perspective)}", ""]
        objectives = perspective.get("objectives", [])
        if not objectives:
            out.append("No strategic objectives.")
            continue
        out += _table(["Code", "Strategic objective", "Score", "Band", "OKRs", "Measures"], (
            [md(o["code"]), md(o["title"]), _score_cell(o), o.get("band") or DASH,
             str(o.get("okr_count", len(o.get("okrs", [])))),
             "; ".join(f"{md(m['name'])} {score_text(m.get('attainment'))}" for m in o.get("measures", []))]
            for o in objectives
        ))
        for objective in objectives:
            if objective.get("okrs"):
                out += ["", f"### {md(objective['code'])} \u00b7 {md(objective['title'])}", ""]
                out += _table(_OKR_TABLE, _md_okr_rows(objective["okrs"]))

    out += ["", "## Unaligned objectives", ""]
    unaligned = report.get("unaligned", [])
    out += _table(_OKR_TABLE, _md_okr_rows(unaligned)) if unaligned else ["None."]

    balance = report.get("balance") or {}
    names = _names(report)
    out += ["", "## Balance", ""]
    out += _table(["Perspective", "Share"], (
        [md(names.get(k, k)), _percent(v)] for k, v in (balance.get("shares") or {}).items()
    ))
    out += ["", f"Balance index: **{score_text(balance.get('index'))}**"]
    warnings = balance.get("warnings", [])
    if warnings:
        out.append("")
        out += [f"- {md(w)}" for w in warnings]

    out += ["", "## Hints", ""]
    hints = report.get("hints", [])
    out += _table(["Kind", "Ref", "Message"], (
        [md(hint_kind_text(h["kind"])), md(hint_subject(h["kind"], h["ref"])), md(h["message"])] for h in hints
    )) if hints else ["None."]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- CSV


def _csvscore_text(score: Optional[float]) -> str:
    return "" if score is None else f"{score:.3f}"


def _csv_number(value: Any) -> str:
    return "" if value is None else number_text(value)


def _csv_rows(okrs: Iterable[dict[str, Any]], perspective: str, code: str, since: bool = False) -> Iterable[list[str]]:
    for okr in okrs:
        for kr in okr.get("key_results", []):
            yield [
                escape_cell(perspective), escape_cell(code), okr["ref"], escape_cell(okr["title"]),
                escape_cell(okr.get("owner") or ""), kr["ref"], escape_cell(kr["title"]),
                _csv_number(kr.get("start")), _csv_number(kr.get("target")), _csv_number(kr.get("current")),
                _csvscore_text(kr.get("score")), kr.get("band") or "", kr.get("confidence") or "", kr.get("pace") or "",
                *([_csvscore_text(kr.get("was"))] if since else []),
            ]


def render_csv(report: dict[str, Any]) -> str:
    """One row per key result: aligned ones by perspective, then the unaligned ones; CRLF line ends.
    With `since`, a last column `was`: the key result's score on that date."""
    since = "since" in report
    rows: list[list[str]] = []
    for perspective in report.get("perspectives", []):
        for objective in perspective.get("objectives", []):
            rows += _csv_rows(objective.get("okrs", []), perspective["key"], objective["code"], since)
    rows += _csv_rows(report.get("unaligned", []), "", "", since)
    return write_rows(CSV_HEADER + (["was"] if since else []), rows)


def render_due(found: list) -> str:
    """`okrtui due` as text: grouped by owner (no owner last), one line per key result, the
    longest-quiet first; nothing at all when nothing is due, so cron mails only when it must."""
    if not found:
        return ""
    owners = sorted({d.owner for d in found}, key=lambda owner: (owner == "", owner))
    lines = []
    for owner in owners:
        lines.append(owner or "(no owner)")
        for d in (d for d in found if d.owner == owner):
            lines.append(f"  {d.ref:<7} {d.title} ({d.objective}) \u00b7 last check-in {d.last_checkin}, "
                         f"{counted(d.days_since, 'day')} ago")
    return "\n".join(lines) + "\n"
