"""Reports as text, Markdown and CSV, rendered from a hand-built report dict."""

from __future__ import annotations

import copy
import csv
import io

import pytest

from okrtui.interchange.render import CSV_HEADER, md, render_csv, render_markdown, render_text


def make_report() -> dict:
    def kr(ref, title, score, band, kind="metric", start=0, target=100, current=40, unit="",
           confidence="on-track", pace="behind"):
        return {"ref": ref, "title": title, "kind": kind, "start": start, "target": target, "current": current,
                "unit": unit, "score": score, "band": band, "confidence": confidence, "pace": pace}

    return {
        "format": "okrtui-report/1", "organization": "Acme | Co", "as_of": "2026-11-20",
        "cycle": {"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31", "elapsed": 0.543},
        "overall": 0.52,
        "perspectives": [
            {"key": "financial", "name": "Financial", "score": 0.68, "band": "yellow", "objectives": [
                {"code": "F1", "title": "Grow [bold]x[/b] | revenue", "score": 0.68, "band": "yellow",
                 "okr_count": 1,
                 "measures": [{"name": "ARR", "attainment": 0.25}, {"name": "Churn", "attainment": None}],
                 "okrs": [
                     {"ref": "O-1", "title": "=SUM(A1)", "owner": "sales", "score": 0.68, "band": "yellow",
                      "key_results": [
                          kr("KR-1", "Win *deals*", 0.4, "yellow", unit="%"),
                          kr("KR-2", "Launch", 1.0, "green", kind="milestone", start=0, target=1, current=1,
                             confidence="at-risk", pace=None),
                          kr("KR-3", "Cut cost", 0.3, "red", start=10, target=2.5, current=7.75,
                             confidence="off-track"),
                      ]},
                 ]},
            ]},
            {"key": "customer", "name": "Customer", "score": None, "band": None, "objectives": [
                {"code": "C1", "title": "Delight", "score": None, "band": None, "okr_count": 0,
                 "measures": [], "okrs": []},
            ]},
            {"key": "internal_process", "name": "Internal Process", "score": None, "band": None,
             "objectives": []},
            {"key": "learning_growth", "name": "Learning & Growth", "score": 0.1, "band": "red",
             "objectives": []},
        ],
        "unaligned": [
            {"ref": "O-9", "title": "Side quest", "owner": "", "score": None, "band": None, "key_results": []},
            {"ref": "O-10", "title": "-minus", "owner": "@ops", "score": 0.683, "band": "yellow", "key_results": [
                kr("KR-7", "+plus", 0.683, "yellow", target=3, current=2.05, confidence="blocked",
                   pace="on-pace"),
            ]},
        ],
        "balance": {"shares": {"financial": 1.0, "customer": 0.0, "internal_process": 0.0,
                               "learning_growth": 0.0},
                    "index": 0.0, "warnings": ["No aligned OKR serves the Customer perspective",
                                               "2 OKR objectives are not aligned"]},
        "hints": [{"kind": "orphan", "ref": "C1", "message": "C1 has no OKR | this cycle"}],
    }


def empty_report() -> dict:
    report = make_report()
    report.update(cycle=None, overall=None, organization=None, unaligned=[], hints=[])
    for perspective in report["perspectives"]:
        perspective.update(score=None, band=None)
        for objective in perspective["objectives"]:
            objective.update(score=None, band=None, okrs=[], okr_count=0)
    report["balance"] = {"shares": dict.fromkeys(report["balance"]["shares"], 0.0), "index": None, "warnings": []}
    return report


class TestText:
    def test_header(self):
        first = render_text(make_report()).splitlines()[0]
        assert first == "Acme | Co · 2026-Q4 (2026-10-01 to 2026-12-31), 54% elapsed · as of 2026-11-20 · Overall 0.52 yellow"

    def test_perspectives_objectives_and_key_results(self):
        lines = render_text(make_report()).splitlines()
        assert "Financial  ███████░░░ 0.68 yellow" in lines
        assert "  F1  Grow [bold]x[/b] | revenue  0.68 yellow  1 OKR" in lines
        assert "      measure ARR: 0.25 red" in lines
        assert "      measure Churn: —" in lines
        assert "    O-1  =SUM(A1) [owner: sales]  0.68 yellow" in lines
        assert "      KR-1  Win *deals*  40 / 100 %  0.40 yellow  on-track  behind" in lines
        assert "      KR-2  Launch  done  1.00 green  at-risk" in lines
        assert "      KR-3  Cut cost  7.75 / 2.5  0.30 red  off-track  behind" in lines
        assert "Customer  ░░░░░░░░░░ —" in lines
        assert "  C1  Delight  —  0 OKRs" in lines
        assert "Learning & Growth  █░░░░░░░░░ 0.10 red" in lines

    def test_unaligned_balance_and_hints(self):
        text = render_text(make_report())
        assert "Unaligned objectives: 2\n  O-9  Side quest  —\n    (no key results)\n" in text
        assert "  O-10  -minus [owner: @ops]  0.68 yellow\n    KR-7  +plus  2.05 / 3  0.68 yellow  blocked  on-pace\n" in text
        assert "Balance  index 0.00\n  Financial 100% · Customer 0% · Internal Process 0% · Learning & Growth 0%\n" in text
        assert "  ! No aligned OKR serves the Customer perspective\n  ! 2 OKR objectives are not aligned\n" in text
        assert text.endswith("Hints: 1\n  orphan (strategy without OKRs)  C1  C1 has no OKR | this cycle\n")

    def test_order_of_sections(self):
        text = render_text(make_report())
        marks = ["Financial  ", "Customer  ", "Internal Process  ", "Learning & Growth  ",
                 "Unaligned objectives", "Balance", "Hints"]
        assert [text.index(m) for m in marks] == sorted(text.index(m) for m in marks)

    def test_no_cycle_and_null_scores(self):
        text = render_text(empty_report())
        assert text.splitlines()[0] == "Scorecard · no cycle · as of 2026-11-20 · Overall —"
        assert "Financial  ░░░░░░░░░░ —" in text
        assert "Unaligned objectives: none" in text
        assert "Balance  index —" in text
        assert text.endswith("Hints: none\n")

    def test_no_escape_sequences_or_markup(self):
        text = render_text(make_report())
        assert "\x1b" not in text
        assert "[bold]x[/b]" in text


class TestMarkdown:
    def test_title_and_summary(self):
        text = render_markdown(make_report())
        assert text.startswith("# Scorecard — Acme \\| Co\n\n"
                               "Cycle 2026-Q4 (2026-10-01 to 2026-12-31), 54% elapsed, as of 2026-11-20. "
                               "Overall: **0.52 yellow**.\n")
        assert ("| Perspective | Score | Band |\n|---|---|---|\n| Financial | 0.68 | yellow |\n"
                "| Customer | — | — |\n| Internal Process | — | — |\n| Learning & Growth | 0.10 | red |\n") in text

    def test_perspective_sections_escape_user_text(self):
        text = render_markdown(make_report())
        assert "## Financial: 0.68 yellow" in text
        assert "| F1 | Grow \\[bold\\]x\\[/b\\] \\| revenue | 0.68 | yellow | 1 | ARR 0.25; Churn — |" in text
        assert "### F1 · Grow \\[bold\\]x\\[/b\\] \\| revenue" in text
        assert "| **O-1** | **\\=SUM(A1)** | sales |" in text
        assert "| KR-1 | Win \\*deals\\* |   | 40 / 100 % | 0.40 | yellow | on-track | behind |   |" in text
        assert "| KR-2 | Launch |   | done | 1.00 | green | at-risk | — |   |" in text
        assert "## Internal Process: —\n\nNo strategic objectives." in text

    def test_every_table_row_has_the_header_width(self):
        for line in render_markdown(make_report()).splitlines():
            if line.startswith("|"):
                cells = line.replace("\\|", "").count("|") - 1
                assert cells in (2, 3, 6, 9), line

    def test_unaligned_balance_hints(self):
        text = render_markdown(make_report())
        assert "| **O-10** | **\\-minus** | @ops |" in text
        assert "| KR-7 | \\+plus |" in text
        assert "| Financial | 100% |" in text
        assert "Balance index: **0.00**" in text
        assert "- No aligned OKR serves the Customer perspective\n- 2 OKR objectives are not aligned" in text
        assert "| orphan (strategy without OKRs) | C1 | C1 has no OKR \\| this cycle |" in text

    def test_no_cycle(self):
        text = render_markdown(empty_report())
        assert text.startswith("# Scorecard\n\nNo cycle in the store, as of 2026-11-20. Overall: **—**.\n")
        assert "## Unaligned objectives\n\nNone." in text
        assert "Balance index: **—**" in text
        assert text.endswith("## Hints\n\nNone.\n")

    @pytest.mark.parametrize(("text", "shown"), [
        ("a|b", "a\\|b"),
        ("two\nlines", "two lines"),
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("1. first", "1\\. first"),
        ("2.5 / 3", "2.5 / 3"),
        ("> quote", "\\> quote"),
        ("<script>", "\\<script\\>"),
        ("`code`", "\\`code\\`"),
        ("back\\slash", "back\\\\slash"),
        ("&amp; R&D", "&amp;amp; R&D"),
        ("snake_case", "snake\\_case"),
        ("plain (text).", "plain (text)."),
    ])
    def test_md_escaping(self, text, shown):
        assert md(text) == shown


class TestCsv:
    def rows(self, report: dict) -> list[list[str]]:
        return list(csv.reader(io.StringIO(render_csv(report), newline="")))

    def test_header_and_rows(self):
        text = render_csv(make_report())
        assert text.split("\r\n") == [
            ",".join(CSV_HEADER),
            "financial,F1,O-1,'=SUM(A1),sales,KR-1,Win *deals*,0,100,40,0.400,yellow,on-track,behind",
            "financial,F1,O-1,'=SUM(A1),sales,KR-2,Launch,0,1,1,1.000,green,at-risk,",
            "financial,F1,O-1,'=SUM(A1),sales,KR-3,Cut cost,10,2.5,7.75,0.300,red,off-track,behind",
            ",,O-10,'-minus,'@ops,KR-7,'+plus,0,3,2.05,0.683,yellow,blocked,on-pace",
            "",
        ]

    def test_header_is_the_normative_one(self):
        assert CSV_HEADER == ["perspective", "code", "objective_ref", "objective", "owner", "kr_ref", "key_result",
                              "start", "target", "current", "score", "band", "confidence", "pace"]

    def test_text_with_commas_and_quotes_is_quoted(self):
        report = make_report()
        report["perspectives"][0]["objectives"][0]["okrs"][0]["key_results"][0]["title"] = 'Win "big", fast | [b]'
        assert self.rows(report)[1][6] == 'Win "big", fast | [b]'

    def test_null_score_is_empty(self):
        report = make_report()
        report["unaligned"][1]["key_results"][0].update(score=None, band=None, pace=None)
        assert self.rows(report)[-1][10:] == ["", "", "blocked", ""]

    def test_no_cycle_is_the_header_alone(self):
        assert render_csv(empty_report()) == ",".join(CSV_HEADER) + "\r\n"

    def test_renderers_do_not_change_the_report(self):
        report = make_report()
        before = copy.deepcopy(report)
        render_text(report), render_markdown(report), render_csv(report)
        assert report == before
