"""Hints speak one vocabulary: the same kind label, ref and message in the app, the text,
Markdown and JSON reports; every message names the item's title beside its ref."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from okrtui.app.screens.hints import HintsScreen
from okrtui.app.widgets.common import NavList
from okrtui.domain.models import Cycle, KeyResult, Objective, StrategicObjective
from okrtui.domain.scoring import HINT_KINDS, HINT_LABELS, hint_kind_text, hint_subject, hints, score_cycle

from conftest import AS_OF, report_doc
from test_app import SIZE, make_app

# Written out by hand, so a change to a label is a change to this test too.
KIND_TEXT = {
    "orphan": "orphan (strategy without OKRs)",
    "unaligned": "unaligned (OKR without strategy)",
    "kr-count": "kr-count (key results per objective)",
    "objective-count": "objective-count (objectives per owner)",
    "stale": "stale (no recent check-in)",
    "sandbagging": "sandbagging (targets too easy)",
    "crowded": "crowded (strategic objectives per perspective)",
}

# The sample as of 2026-11-20 (cycle 2026-Q4, 54% elapsed): kind, ref, message.
SAMPLE_HINTS = [
    ("orphan", "F2", 'Strategic objective F2 "Improve gross margin" has no OKR in cycle 2026-Q4'),
    ("orphan", "C2", 'Strategic objective C2 "Be the analytics platform customers trust" has no OKR in cycle 2026-Q4'),
    ("orphan", "P2", 'Strategic objective P2 "Streamline onboarding and setup" has no OKR in cycle 2026-Q4'),
    ("orphan", "P5", 'Strategic objective P5 "Run a predictable sales process" has no OKR in cycle 2026-Q4'),
    ("orphan", "P6", 'Strategic objective P6 "Proactive customer success" has no OKR in cycle 2026-Q4'),
    ("orphan", "P7", 'Strategic objective P7 "Secure and compliant by default" has no OKR in cycle 2026-Q4'),
    ("orphan", "L1", 'Strategic objective L1 "Grow skills and keep our best people" has no OKR in cycle 2026-Q4'),
    ("unaligned", "O-17", 'O-17 "Pay down build & CI tech debt" is not aligned to any strategic objective'),
    ("kr-count", "O-13", 'O-13 "Cut infra cost [phase 2]" has 2 key results; 3 to 5 keep it focused'),
    ("kr-count", "O-16",
     'O-16 "Get new customers to a first dashboard in one day" has 6 key results; 3 to 5 keep it focused'),
    ("objective-count", "platform", "platform owns 6 objectives in cycle 2026-Q4; more than 5 spreads the focus"),
    ("stale", "KR-48", 'KR-48 "Publish the data catalogue" has had no check-in for 23 days'),
    ("stale", "KR-57", 'KR-57 "Setup-related support tickets per week" has had no check-in for 50 days'),
    ("stale", "KR-59", 'KR-59 "Flaky tests quarantined or fixed" has had no check-in for 18 days'),
    ("sandbagging", "finance",
     "finance scored 0.99 or more on every objective in 2026-Q2 and 2026-Q3; the targets may be too easy"),
    ("crowded", "internal_process",
     "The Internal Process perspective has 7 strategic objectives; more than 6 blur the strategy"),
]
CROWDED_MESSAGE = SAMPLE_HINTS[-1][2]
O17_MESSAGE = SAMPLE_HINTS[7][2]


# ---------------------------------------------------------------- the table


def test_every_kind_of_section_4_has_one_label():
    assert set(HINT_LABELS) == set(KIND_TEXT) == set(HINT_KINDS)
    for kind, shown in KIND_TEXT.items():
        assert hint_kind_text(kind) == shown


def test_a_crowded_ref_reads_as_the_perspective_name():
    assert hint_subject("crowded", "internal_process") == "Internal Process"
    assert hint_subject("crowded", "learning_growth") == "Learning & Growth"
    assert hint_subject("orphan", "F1") == "F1"
    assert hint_subject("objective-count", "financial") == "financial"  # an owner may be called that


# ---------------------------------------------------------------- messages, one kind each

AS_OF_DATE = date(2026, 11, 20)
TRICKY = "Cut [b]cost[/b] | net_margin `now`"


def kr(ref, title="Key result", current=0):
    return KeyResult(ref=ref, title=title, kind="metric", start=0, target=100, current=current)


def obj(ref, title="Objective", owner="", aligned_to=None, krs=()):
    return Objective(ref=ref, title=title, owner=owner, aligned_to=aligned_to, key_results=list(krs))


def so(code, title="Strategic", perspective="financial"):
    return StrategicObjective(code=code, title=title, perspective=perspective)


def q4(objectives=()):
    return Cycle(id="2026-Q4", start="2026-10-01", end="2026-12-31", objectives=list(objectives))


def found(strategy, cycles, shown=None):
    shown = shown or cycles[-1]
    return {(h.kind, h.ref): h.message for h in hints(strategy, cycles, score_cycle(strategy, shown, AS_OF_DATE))}


def three_krs(prefix):
    return [kr(f"KR-{prefix}{i}") for i in range(1, 4)]


def test_orphan_names_the_strategic_objective_title():
    messages = found([so("F1", TRICKY)], [q4()])
    assert messages[("orphan", "F1")] == f'Strategic objective F1 "{TRICKY}" has no OKR in cycle 2026-Q4'


def test_unaligned_names_the_objective_title():
    messages = found([so("F1")], [q4([obj("O-3", "Pay down tech debt", krs=three_krs(3))])])
    assert messages[("unaligned", "O-3")] == 'O-3 "Pay down tech debt" is not aligned to any strategic objective'


@pytest.mark.parametrize(("count", "words"), [(0, "no key results"), (1, "1 key result"), (2, "2 key results"),
                                              (6, "6 key results")])
def test_kr_count_names_the_objective_title(count, words):
    krs = [kr(f"KR-{i}") for i in range(1, count + 1)]
    messages = found([so("F1")], [q4([obj("O-1", "Win the mid-market", aligned_to="F1", krs=krs)])])
    assert messages[("kr-count", "O-1")] == f'O-1 "Win the mid-market" has {words}; 3 to 5 keep it focused'


def test_objective_count_names_the_owner_who_has_no_title():
    objectives = [obj(f"O-{i}", owner="sales", aligned_to="F1", krs=three_krs(i)) for i in range(1, 7)]
    messages = found([so("F1")], [q4(objectives)])
    assert messages[("objective-count", "sales")] == ("sales owns 6 objectives in cycle 2026-Q4; "
                                                      "more than 5 spreads the focus")


def test_stale_names_the_key_result_title():
    # No check-in: counted from the cycle's start, Oct 1 -> Nov 20 = 30 + 20 = 50 days.
    key_results = [kr("KR-7", "Ship the | pipe_line")] + three_krs(9)[:2]
    messages = found([so("F1")], [q4([obj("O-1", aligned_to="F1", krs=key_results)])])
    assert messages[("stale", "KR-7")] == 'KR-7 "Ship the | pipe_line" has had no check-in for 50 days'


def test_sandbagging_names_the_owner():
    def done(ref, owner):
        return obj(ref, owner=owner, aligned_to="F1", krs=[kr(ref.replace("O-", "KR-"), current=100)])

    q2 = Cycle(id="2026-Q2", start="2026-04-01", end="2026-06-30", objectives=[done("O-1", "sales")])
    q3 = Cycle(id="2026-Q3", start="2026-07-01", end="2026-09-30", objectives=[done("O-2", "sales")])
    messages = found([so("F1")], [q2, q3, q4()])
    assert messages[("sandbagging", "sales")] == ("sales scored 0.99 or more on every objective in 2026-Q2 "
                                                  "and 2026-Q3; the targets may be too easy")


def test_crowded_names_the_perspective_not_its_key():
    strategy = [so(f"P{i}", perspective="internal_process") for i in range(1, 8)]
    messages = found(strategy, [q4()])
    message = messages[("crowded", "internal_process")]  # the ref stays the key (§4)
    assert message == "The Internal Process perspective has 7 strategic objectives; more than 6 blur the strategy"
    assert "internal_process" not in message


def test_a_title_with_a_line_separator_still_gives_a_one_line_message():
    # U+2028 and U+2029 pass as text but str.splitlines() (and some viewers) break there.
    messages = found([so("F1", "Grow\u2028revenue\u2029now")], [q4()])
    assert messages[("orphan", "F1")] == 'Strategic objective F1 "Grow revenue now" has no OKR in cycle 2026-Q4'


# ---------------------------------------------------------------- the same words everywhere


def columns(line: str) -> list[str]:
    return re.split(r" {2,}", line.strip())


def hint_lines(text: str) -> list[str]:
    return text.split("\nHints: ", 1)[1].splitlines()[1:]


def md_rows(text: str) -> list[str]:
    return text.split("## Hints\n\n", 1)[1].splitlines()[2:]


def test_json_kind_ref_and_message_of_the_sample(run, sample_store):
    report = report_doc("--as-of", AS_OF)
    assert [(h["kind"], h["ref"], h["message"]) for h in report["hints"]] == SAMPLE_HINTS


def test_text_report_shows_label_subject_and_message(run, sample_store):
    result = run("report", "--format", "text", "--as-of", AS_OF)
    assert result.code == 0, result
    lines = hint_lines(result.out)
    assert [columns(line) for line in lines] == [
        [KIND_TEXT[kind], "Internal Process" if kind == "crowded" else ref, message]
        for kind, ref, message in SAMPLE_HINTS
    ]
    assert lines[7].startswith("  unaligned (OKR without strategy)  ") and lines[7].endswith(f"  {O17_MESSAGE}")
    assert columns(lines[-1]) == ["crowded (strategic objectives per perspective)", "Internal Process",
                                  CROWDED_MESSAGE]
    assert "internal_process" not in result.out


def test_markdown_report_shows_label_subject_and_message(run, sample_store):
    result = run("report", "--format", "md", "--as-of", AS_OF)
    assert result.code == 0, result
    rows = md_rows(result.out)
    assert rows[7] == f"| unaligned (OKR without strategy) | O-17 | {O17_MESSAGE} |"
    assert rows[8] == ('| kr-count (key results per objective) | O-13 | '
                       'O-13 "Cut infra cost \\[phase 2\\]" has 2 key results; 3 to 5 keep it focused |')
    assert rows[-1] == f"| crowded (strategic objectives per perspective) | Internal Process | {CROWDED_MESSAGE} |"
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == [KIND_TEXT[k] for k, _, _ in SAMPLE_HINTS]
    assert "internal\\_process" not in result.out


async def test_app_hints_screen_shows_the_text_report_line_for_line(run, sample_store):
    text = run("report", "--format", "text", "--as-of", AS_OF).out
    expected = [" ".join(line.split()) for line in hint_lines(text)]
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HintsScreen)
        shown = [" ".join(str(o.prompt).split()) for o in app.screen.query_one("#hints", NavList).options]
    assert shown == expected
    assert shown[7] == f"unaligned (OKR without strategy) O-17 {O17_MESSAGE}"
    assert shown[-1] == f"crowded (strategic objectives per perspective) Internal Process {CROWDED_MESSAGE}"


# ---------------------------------------------------------------- titles that look like markup


OBJECTIVE = "Fix [b]CI[/b] | build_time"
KEY_RESULT = "Cut `wait` | *p95*_time"
STRATEGIC = "Grow [link=x]ARR[/link] | net_new"
OWNER = "[b]ops[/b]|x_y"


@pytest.fixture
def tricky_store(run, store_path, tmp_path):
    objectives = [{"title": OBJECTIVE, "owner": OWNER,
                   "key_results": [{"title": KEY_RESULT, "kind": "metric", "start": 0, "target": 10}]}]
    objectives += [{"title": f"Side {i}", "owner": OWNER} for i in range(2, 7)]
    doc = {"format": "okrtui/1", "organization": "Acme",
           "strategy": [{"code": "S1", "title": STRATEGIC, "perspective": "financial"}],
           "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31", "objectives": objectives}]}
    source = tmp_path / "tricky.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    assert run("import", source, "--store", store_path).code == 0
    return store_path


def test_tricky_titles_are_literal_in_json_and_text(run, tricky_store):
    messages = {(h["kind"], h["ref"]): h["message"] for h in report_doc("--as-of", AS_OF)["hints"]}
    assert messages[("orphan", "S1")] == f'Strategic objective S1 "{STRATEGIC}" has no OKR in cycle 2026-Q4'
    assert messages[("unaligned", "O-1")] == f'O-1 "{OBJECTIVE}" is not aligned to any strategic objective'
    assert messages[("kr-count", "O-1")] == f'O-1 "{OBJECTIVE}" has 1 key result; 3 to 5 keep it focused'
    assert messages[("stale", "KR-1")] == f'KR-1 "{KEY_RESULT}" has had no check-in for 50 days'
    assert messages[("objective-count", OWNER)] == (f"{OWNER} owns 6 objectives in cycle 2026-Q4; "
                                                    "more than 5 spreads the focus")
    text = run("report", "--format", "text", "--as-of", AS_OF).out
    lines = [columns(line) for line in hint_lines(text)]
    assert ["unaligned (OKR without strategy)", "O-1", messages[("unaligned", "O-1")]] in lines
    assert ["stale (no recent check-in)", "KR-1", messages[("stale", "KR-1")]] in lines
    assert ["objective-count (objectives per owner)", OWNER, messages[("objective-count", OWNER)]] in lines


def test_tricky_titles_are_escaped_in_markdown(run, tricky_store):
    rows = md_rows(run("report", "--format", "md", "--as-of", AS_OF).out)
    assert ('| orphan (strategy without OKRs) | S1 | Strategic objective S1 '
            '"Grow \\[link=x\\]ARR\\[/link\\] \\| net\\_new" has no OKR in cycle 2026-Q4 |') in rows
    assert ('| unaligned (OKR without strategy) | O-1 | '
            'O-1 "Fix \\[b\\]CI\\[/b\\] \\| build\\_time" is not aligned to any strategic objective |') in rows
    assert ('| stale (no recent check-in) | KR-1 | '
            'KR-1 "Cut \\`wait\\` \\| \\*p95\\*\\_time" has had no check-in for 50 days |') in rows
    assert ('| objective-count (objectives per owner) | \\[b\\]ops\\[/b\\]\\|x\\_y | '
            '\\[b\\]ops\\[/b\\]\\|x\\_y owns 6 objectives in cycle 2026-Q4; more than 5 spreads the focus |') in rows
    for row in rows:  # three cells each: no pipe of a title splits a row
        assert len(re.findall(r"(?<!\\)\|", row)) == 4, row


async def test_tricky_titles_are_plain_text_in_the_app(tricky_store):
    app = make_app(tricky_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HintsScreen)
        shown = [" ".join(str(o.prompt).split()) for o in app.screen.query_one("#hints", NavList).options]
    assert f'unaligned (OKR without strategy) O-1 O-1 "{OBJECTIVE}" is not aligned to any strategic objective' in shown
    assert f'stale (no recent check-in) KR-1 KR-1 "{KEY_RESULT}" has had no check-in for 50 days' in shown
    assert (f"objective-count (objectives per owner) {OWNER} {OWNER} owns 6 objectives in cycle 2026-Q4; "
            "more than 5 spreads the focus") in shown
    assert (f'orphan (strategy without OKRs) S1 Strategic objective S1 "{STRATEGIC}" '
            "has no OKR in cycle 2026-Q4") in shown
