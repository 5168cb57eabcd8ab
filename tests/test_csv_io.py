"""The CSV sheets: what imports, what is refused and exactly where it is reported."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from okrtui.domain.errors import InvalidInput
from okrtui.domain.models import Cycle, KeyResult, Objective
from okrtui.interchange.csv_io import (
    OKR_HEADER,
    STRATEGY_HEADER,
    escape_cell,
    parse_csv,
    parse_perspective,
    quarter_dates,
    unescape_cell,
    write_okr_sheet,
)

OKR = ",".join(OKR_HEADER) + "\n"
STRATEGY = ",".join(STRATEGY_HEADER) + "\n"
Q4 = (dt.date(2026, 10, 1), dt.date(2026, 12, 31))


def parse(text: str | bytes, codes=("F1", "C1"), cycles=None):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_csv(data, "data.csv", known_codes=set(codes), existing_cycles=cycles or {"2026-Q4": Q4})


def problems(text: str | bytes, **kwargs) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        parse(text, **kwargs)
    return caught.value.problems


def only_problem(text: str | bytes, **kwargs) -> str:
    found = problems(text, **kwargs)
    assert len(found) == 1, found
    return found[0]


class TestOkrSheet:
    def test_rows_group_into_objectives_in_order(self):
        card = parse(
            OKR
            + "2026-Q4,Grow revenue,sales,F1,Sign 10 customers,,0,10,4,deals,2,at-risk\n"
            + "2026-Q4,Hire,hr,,Hire 3 engineers,metric,0,3,,,,\n"
            + "2026-Q4,Grow revenue,sales,F1,Launch pricing page,milestone,,,1,,,\n"
        )
        assert card.strategy == [] and card.organization is None
        (cycle,) = card.cycles
        assert (cycle.id, cycle.start, cycle.end, cycle.closed) == ("2026-Q4", *Q4, False)
        grow, hire = cycle.objectives
        assert (grow.title, grow.owner, grow.aligned_to, grow.ref, grow.parent) == (
            "Grow revenue", "sales", "F1", None, None)
        assert [k.title for k in grow.key_results] == ["Sign 10 customers", "Launch pricing page"]
        sign, launch = grow.key_results
        assert (sign.kind, sign.start, sign.target, sign.current, sign.unit, sign.weight, sign.confidence) == (
            "metric", 0, 10, 4, "deals", 2, "at-risk")
        assert sign.checkins == [] and sign.ref is None
        assert (launch.kind, launch.start, launch.target, launch.current) == ("milestone", 0, 1, 1)
        assert hire.aligned_to is None and hire.owner == "hr"

    def test_empty_cells_take_the_json_defaults(self):
        card = parse(OKR + "2026-Q4,Hire,,,Hire 3,,5,8,,,,\n")
        kr = card.cycles[0].objectives[0].key_results[0]
        assert (kr.kind, kr.current, kr.unit, kr.weight, kr.confidence) == ("metric", 5, "", 1, "on-track")
        assert card.cycles[0].objectives[0].owner == ""

    def test_numbers_keep_int_or_float(self):
        card = parse(OKR + "2026-Q4,O,,,k,, +0 ,2.5,.5,,1e0,\n")
        kr = card.cycles[0].objectives[0].key_results[0]
        assert (kr.start, kr.target, kr.current, kr.weight) == (0, 2.5, 0.5, 1.0)
        assert type(kr.start) is int and type(kr.target) is float and type(kr.weight) is float

    def test_kind_and_confidence_ignore_case_and_spaces(self):
        card = parse(OKR + "2026-Q4,O,,,k,Milestone,,,0,,,At Risk\n")
        kr = card.cycles[0].objectives[0].key_results[0]
        assert (kr.kind, kr.confidence) == ("milestone", "at-risk")

    def test_same_title_in_two_cycles_is_two_objectives(self):
        card = parse(OKR + "2026-Q4,O,,,a,,0,1,,,,\n2027-Q1,O,,,b,,0,1,,,,\n")
        assert [(c.id, [o.title for o in c.objectives]) for c in card.cycles] == [
            ("2026-Q4", ["O"]), ("2027-Q1", ["O"])]

    @pytest.mark.parametrize(("cycle_id", "start", "end"), [
        ("2027-Q1", dt.date(2027, 1, 1), dt.date(2027, 3, 31)),
        ("2027-Q2", dt.date(2027, 4, 1), dt.date(2027, 6, 30)),
        ("2027-Q3", dt.date(2027, 7, 1), dt.date(2027, 9, 30)),
        ("2027-Q4", dt.date(2027, 10, 1), dt.date(2027, 12, 31)),
        ("2028-Q1", dt.date(2028, 1, 1), dt.date(2028, 3, 31)),
    ])
    def test_new_quarter_cycle_is_created_with_its_dates(self, cycle_id, start, end):
        card = parse(OKR + f"{cycle_id},O,,,k,,0,1,,,,\n")
        assert (card.cycles[0].id, card.cycles[0].start, card.cycles[0].end) == (cycle_id, start, end)

    def test_existing_cycle_keeps_its_dates_even_with_a_quarter_id(self):
        odd = (dt.date(2026, 9, 15), dt.date(2026, 12, 15))
        card = parse(OKR + "2026-Q4,O,,,k,,0,1,,,,\nFY26,P,,,k,,0,1,,,,\n",
                     cycles={"2026-Q4": odd, "FY26": (dt.date(2026, 1, 1), dt.date(2026, 12, 31))})
        assert [(c.id, c.start, c.end) for c in card.cycles] == [
            ("2026-Q4", *odd), ("FY26", dt.date(2026, 1, 1), dt.date(2026, 12, 31))]

    def test_quarter_dates_of_other_ids(self):
        assert quarter_dates("2026-Q5") is None
        assert quarter_dates("FY2026") is None
        assert quarter_dates("0000-Q1") is None
        assert quarter_dates("9999-Q4") == (dt.date(9999, 10, 1), dt.date(9999, 12, 31))

    def test_bom_crlf_and_quoted_cells(self):
        text = "\ufeff" + ",".join(OKR_HEADER) + "\r\n" + '2026-Q4,"Grow, ""fast""",,,k,,0,1,,,,\r\n'
        card = parse(text)
        assert card.cycles[0].objectives[0].title == 'Grow, "fast"'

    def test_blank_lines_and_empty_rows_are_skipped(self):
        card = parse(OKR + "\n,,,,,,,,,,,\n2026-Q4,O,,,k,,0,1,,,,\n")
        assert len(card.cycles[0].objectives[0].key_results) == 1

    def test_row_without_key_result_declares_the_objective_alone(self):
        card = parse(OKR + "2026-Q4,Lonely,ana,F1,,,,,,,,\n")
        objective = card.cycles[0].objectives[0]
        assert (objective.title, objective.owner, objective.aligned_to, objective.key_results) == (
            "Lonely", "ana", "F1", [])

    def test_header_only_is_an_empty_import(self):
        assert parse(OKR).cycles == []

    def test_line_numbers_count_the_lines_inside_quoted_cells(self):
        found = problems(OKR + '2026-Q4,O,,,"two\nlines",,0,1,,,,\n2026-Q4,O,,,k,,0,abc,,,,\n')
        assert found == [
            "data.csv: line 2, column key_result: control character U+000A is not allowed (got 'two\\nlines')",
            "data.csv: line 4, column target: 'abc' is not a number",
        ]


class TestOkrErrors:
    def test_bad_number_names_file_line_column_and_value(self):
        assert only_problem(OKR + "2026-Q4,O,,,k,,0,1,,,,\n2026-Q4,O,,,k,,0,1,,,,\n2026-Q4,O,,,k,,0,abc,,,,\n") == (
            "data.csv: line 4, column target: 'abc' is not a number")

    @pytest.mark.parametrize("value", ["NaN", "nan", "inf", "-Infinity", "1_000", "12abc", "1,5", "0x10", "1e"])
    def test_not_numbers(self, value):
        assert only_problem(OKR + f'2026-Q4,O,,,k,,0,1,"{value}",,,\n') == (
            f"data.csv: line 2, column current: '{value}' is not a number")

    def test_overflowing_number(self):
        assert only_problem(OKR + "2026-Q4,O,,,k,,0,1,,,1e999,\n") == (
            "data.csv: line 2, column weight: '1e999' is not a finite number")

    def test_numbers_beyond_ten_to_the_fifteen(self):
        assert only_problem(OKR + "2026-Q4,O,,,k,,0,1000000000000001,,,,\n") == (
            "data.csv: line 2, column target: '1000000000000001' is beyond \u00b110^15")
        assert only_problem(OKR + "2026-Q4,O,,,k,,0,-1.5e15,,,,\n") == (
            "data.csv: line 2, column target: '-1.5e15' is beyond \u00b110^15")

    def test_a_number_of_five_thousand_digits_is_a_message(self):
        assert only_problem(OKR + "2026-Q4,O,,,k,,0," + "9" * 5000 + ",,,,\n").endswith(
            "is beyond \u00b110^15")

    def test_weight_must_be_positive(self):
        assert only_problem(OKR + "2026-Q4,O,,,k,,0,1,,,0,\n") == (
            "data.csv: line 2, column weight: weight must be greater than 0, not 0")

    def test_unknown_confidence(self):
        assert only_problem(OKR + "2026-Q4,O,,,k,,0,1,,,,fine\n") == (
            "data.csv: line 2, column confidence: 'fine' is not a confidence "
            "(on-track, at-risk, off-track, blocked)")

    def test_unknown_kind(self):
        assert only_problem(OKR + "2026-Q4,O,,,k,binary,0,1,,,,\n") == (
            "data.csv: line 2, column kind: 'binary' is not a kind (metric or milestone)")

    def test_target_equal_to_start(self):
        assert only_problem(OKR + "2026-Q4,O,,,k,,5,5,,,,\n") == (
            "data.csv: line 2, column target: target 5 equals start; nothing to measure")

    def test_metric_needs_start_and_target(self):
        assert problems(OKR + "2026-Q4,O,,,k,,,10,,,,\n") == [
            "data.csv: line 2, column start: is required for a metric key result (got '')"]

    def test_milestone_current_two(self):
        assert only_problem(OKR + "2026-Q4,O,,,k,milestone,,,2,,,\n") == (
            "data.csv: line 2, column current: 2 is not done (1) or not done (0)")

    def test_milestone_other_range(self):
        assert only_problem(OKR + "2026-Q4,O,,,k,milestone,0,2,,,,\n") == (
            "data.csv: line 2, column target: a milestone runs from start 0 to target 1 (got '2')")

    def test_rows_of_one_objective_must_agree_on_owner(self):
        assert only_problem(OKR + "2026-Q4,Grow,sales,F1,a,,0,1,,,,\n2026-Q4,Grow,ops,F1,b,,0,1,,,,\n") == (
            "data.csv: line 3, column owner: 'ops' differs from line 2 ('sales'); "
            "rows of objective 'Grow' must agree on owner")

    def test_rows_of_one_objective_must_agree_on_aligned_to(self):
        found = only_problem(OKR + "2026-Q4,Grow,,F1,a,,0,1,,,,\n2026-Q4,Grow,,,b,,0,1,,,,\n")
        assert found.startswith("data.csv: line 3, column aligned_to: '' differs from line 2 ('F1')")

    def test_agreement_ignores_surrounding_spaces(self):
        card = parse(OKR + "2026-Q4,Grow,sales,F1,a,,0,1,,,,\n2026-Q4, Grow , sales ,F1 ,b,,0,1,,,,\n")
        assert len(card.cycles[0].objectives) == 1
        assert len(card.cycles[0].objectives[0].key_results) == 2

    def test_unknown_aligned_to_code(self):
        assert only_problem(OKR + "2026-Q4,O,,X9,k,,0,1,,,,\n") == (
            "data.csv: line 2, column aligned_to: unknown code X9")

    def test_aligned_to_that_looks_like_a_ref(self):
        assert only_problem(OKR + "2026-Q4,O,,kr-12,k,,0,1,,,,\n") == (
            "data.csv: line 2, column aligned_to: code 'kr-12' looks like a ref (O-n, KR-n); choose another")

    def test_unknown_cycle_that_is_not_a_quarter(self):
        assert only_problem(OKR + "FY2026,O,,,k,,0,1,,,,\n") == (
            "data.csv: line 2, column cycle: unknown cycle 'FY2026': not in the store and not of the form YYYY-Qn")

    def test_empty_cycle(self):
        assert only_problem(OKR + ",O,,,k,,0,1,,,,\n") == "data.csv: line 2, column cycle: must not be empty"

    def test_title_of_201_characters(self):
        found = only_problem(OKR + "2026-Q4,O,,,%s,,0,1,,,,\n" % ("x" * 201))
        assert found.startswith("data.csv: line 2, column key_result: is 201 characters long, at most 200 allowed")
        assert parse(OKR + "2026-Q4,O,,,%s,,0,1,,,,\n" % ("x" * 200)).cycles[0].objectives[0].key_results

    def test_empty_objective_title(self):
        assert only_problem(OKR + "2026-Q4, ,,,k,,0,1,,,,\n") == (
            "data.csv: line 2, column objective: must not be empty (got ' ')")

    def test_control_character_in_a_title(self):
        assert only_problem(OKR + "2026-Q4,Grow\x07,,,k,,0,1,,,,\n") == (
            "data.csv: line 2, column objective: control character U+0007 is not allowed (got 'Grow\\x07')")

    def test_control_character_at_the_edge_is_not_trimmed_away(self):
        assert "control character U+001F" in only_problem(OKR + "2026-Q4,O,,,k\x1f,,0,1,,,,\n")

    def test_bidi_override_in_a_title(self):
        assert only_problem(OKR + "2026-Q4,O,,,a\u202eb,,0,1,,,,\n") == (
            "data.csv: line 2, column key_result: bidirectional control character U+202E is not allowed "
            "(got 'a\\u202eb')")

    def test_unit_too_long(self):
        assert "line 2, column unit: is 65 characters long" in only_problem(
            OKR + "2026-Q4,O,,,k,,0,1,,%s,,\n" % ("u" * 65))

    def test_every_problem_of_the_file_is_reported(self):
        found = problems(
            OKR
            + "2026-Q4,O,,,k,,0,abc,,,,\n"
            + "FY,P,,X9,k,,0,1,,,,maybe\n"
            + "2026-Q4,O,,,k,,3,3,,,,\n"
        )
        assert found == [
            "data.csv: line 2, column target: 'abc' is not a number",
            "data.csv: line 3, column cycle: unknown cycle 'FY': not in the store and not of the form YYYY-Qn",
            "data.csv: line 3, column aligned_to: unknown code X9",
            "data.csv: line 3, column confidence: 'maybe' is not a confidence (on-track, at-risk, off-track, blocked)",
            "data.csv: line 4, column target: target 3 equals start; nothing to measure",
        ]


class TestMalformedFiles:
    @pytest.mark.parametrize("header", [
        "cycle,objective,owner\n",
        "Cycle,objective,owner,aligned_to,key_result,kind,start,target,current,unit,weight,confidence\n",
        "cycle, objective,owner,aligned_to,key_result,kind,start,target,current,unit,weight,confidence\n",
        ",".join(OKR_HEADER + ["note"]) + "\n",
    ])
    def test_bad_header(self, header):
        found = only_problem(header + "2026-Q4,O,,,k,,0,1,,,,\n")
        assert found.startswith("data.csv: line 1: the header must be exactly " + ",".join(OKR_HEADER))
        assert ",".join(STRATEGY_HEADER) in found

    def test_empty_file(self):
        assert only_problem("").startswith("data.csv: line 1: the file is empty")

    def test_not_utf8(self):
        data = OKR.encode() + "2026-Q4,Café,,,k,,0,1,,,,\n".encode("latin-1")
        assert only_problem(data) == "data.csv: not UTF-8 text (byte 0xe9 at line 2 column 12)"

    def test_utf16_is_refused(self):
        assert "not UTF-8" in only_problem(OKR.encode("utf-16"))

    def test_unterminated_quote(self):
        assert only_problem(OKR + "2026-Q4,O,,,k,,0,1,,,,\n2026-Q4,\"Grow,,,k,,0,1,,,,\n2026-Q4,O\n") == (
            "data.csv: line 3, column objective: malformed CSV: a quoted cell is never closed")

    def test_text_after_a_closing_quote(self):
        found = problems(OKR + '2026-Q4,O,,,"k"x,,0,1,,,,\n2026-Q4,O,,,k,,0,abc,,,,\n')
        assert found == [
            "data.csv: line 2, column key_result: malformed CSV: ',' expected after '\"'",
            "data.csv: line 3, column target: 'abc' is not a number",
        ]

    def test_row_with_too_few_cells(self):
        assert only_problem(OKR + "2026-Q4,O,,,k,,0,1,,\n") == (
            "data.csv: line 2, column weight: missing: the row has 10 cells, the header 12")

    def test_row_with_too_many_cells(self):
        assert only_problem(OKR + "2026-Q4,O,,,k,,0,1,,,,,oops\n") == (
            "data.csv: line 2, column 13: extra cell 'oops': the row has 13 cells, the header 12")

    def test_nul_byte(self):
        assert only_problem(OKR + "2026-Q4,O\x00,,,k,,0,1,,,,\n").startswith("data.csv: line 2")


class TestStrategySheet:
    def test_rows_group_into_objectives_with_measures(self):
        card = parse(
            STRATEGY
            + "F1,Grow revenue,Financial,,ARR,$M,10,15,12\n"
            + "F1,Grow revenue,financial,,Margin,%,,30,\n"
            + "C1,Delight customers,customer, F1 ; ;F2 ,,,,,\n"
            + "F2,Cut cost,FINANCIAL,,,,,,\n",
            codes=(),
        )
        assert card.cycles == [] and card.organization is None
        f1, c1, f2 = card.strategy
        assert (f1.code, f1.title, f1.perspective, f1.drives) == ("F1", "Grow revenue", "financial", [])
        assert [m.to_doc() for m in f1.measures] == [
            {"name": "ARR", "unit": "$M", "baseline": 10, "target": 15, "actual": 12, "readings": []},
            {"name": "Margin", "unit": "%", "baseline": None, "target": 30, "actual": None, "readings": []},
        ]
        assert (c1.perspective, c1.drives, c1.measures) == ("customer", ["F1", "F2"], [])
        assert (f2.description, f2.owner, f2.initiatives, f2.measures) == ("", "", [], [])

    @pytest.mark.parametrize(("text", "key"), [
        ("Learning & Growth", "learning_growth"),
        ("learning and growth", "learning_growth"),
        ("LEARNING_GROWTH", "learning_growth"),
        ("Learning&Growth", "learning_growth"),
        ("internal process", "internal_process"),
        ("Internal_Process", "internal_process"),
        ("  Customer ", "customer"),
        ("financial", "financial"),
    ])
    def test_perspective_by_key_or_name(self, text, key):
        assert parse_perspective(text) == key
        assert parse(STRATEGY + f'X1,T,"{text}",,,,,,\n').strategy[0].perspective == key

    def test_drives_may_name_known_codes_and_form_loops(self):
        card = parse(STRATEGY + "A1,a,customer,B1;Z9,,,,,\nB1,b,customer,A1,,,,,\n", codes=("Z9",))
        assert [s.drives for s in card.strategy] == [["B1", "Z9"], ["A1"]]

    def test_escaped_code_and_title(self):
        card = parse(STRATEGY + "'-X,'=Grow,customer,,'@ARR,'+u,,1,\n")
        (objective,) = card.strategy
        assert (objective.code, objective.title) == ("-X", "=Grow")
        assert (objective.measures[0].name, objective.measures[0].unit) == ("@ARR", "+u")


class TestStrategyErrors:
    def test_unknown_perspective(self):
        assert only_problem(STRATEGY + "F1,Grow,Finance,,,,,,\n") == (
            "data.csv: line 2, column perspective: 'Finance' is not a perspective "
            "(financial, customer, internal_process, learning_growth or "
            "Financial, Customer, Internal Process, Learning & Growth)")

    def test_empty_perspective(self):
        assert only_problem(STRATEGY + "F1,Grow,,,,,,,\n") == (
            "data.csv: line 2, column perspective: must not be empty (got '')")

    def test_code_that_looks_like_a_ref(self):
        assert only_problem(STRATEGY + "O-3,Grow,financial,,,,,,\n") == (
            "data.csv: line 2, column code: code 'O-3' looks like a ref (O-n, KR-n); choose another")

    def test_bad_code_characters(self):
        assert "line 2, column code: code 'F 1' must be 1-16 letters" in only_problem(
            STRATEGY + "F 1,Grow,financial,,,,,,\n")

    def test_self_link(self):
        assert only_problem(STRATEGY + "F1,Grow,financial,C1;F1,,,,,\nC1,c,customer,,,,,,\n") == (
            "data.csv: line 2, column drives: F1 cannot drive itself (self-link)")

    def test_unknown_drives_code(self):
        assert only_problem(STRATEGY + "F1,Grow,financial,X9,,,,,\n", codes=()) == (
            "data.csv: line 2, column drives: unknown code X9")

    def test_rows_of_one_code_must_agree(self):
        found = problems(
            STRATEGY
            + "F1,Grow,financial,C1,ARR,,,1,\n"
            + "F1,Grow!,Financial,C1,NPS,,,1,\n"
            + "F1,Grow,customer,C1,X,,,1,\n"
            + "F1,Grow,financial,,Y,,,1,\n"
            + "F1,Grow,Financial, C1 ,Z,,,1,\n"
        )
        assert found == [
            "data.csv: line 3, column title: 'Grow!' differs from line 2 ('Grow'); rows of code F1 must agree on title",
            "data.csv: line 4, column perspective: 'customer' differs from line 2 ('financial'); "
            "rows of code F1 must agree on perspective",
            "data.csv: line 5, column drives: '' differs from line 2 ('C1'); rows of code F1 must agree on drives",
        ]

    def test_named_measure_needs_a_target(self):
        assert only_problem(STRATEGY + "F1,Grow,financial,,ARR,$M,10,,\n") == (
            "data.csv: line 2, column target: must not be empty (got '')")

    def test_measure_values_without_a_name(self):
        assert only_problem(STRATEGY + "F1,Grow,financial,,,$M,,15,\n") == (
            "data.csv: line 2, column measure: is empty, but the row gives unit, target; "
            "name the measure or clear those cells")

    def test_measure_numbers(self):
        assert problems(STRATEGY + "F1,Grow,financial,,ARR,,ten,inf,1_0\n") == [
            "data.csv: line 2, column baseline: 'ten' is not a number",
            "data.csv: line 2, column target: 'inf' is not a number",
            "data.csv: line 2, column actual: '1_0' is not a number",
        ]

    def test_title_with_control_character_and_bidi(self):
        assert problems(STRATEGY + "F1,Gr\x1bow,financial,,\u2066ARR,,,1,\n") == [
            "data.csv: line 2, column title: control character U+001B is not allowed (got 'Gr\\x1bow')",
            "data.csv: line 2, column measure: bidirectional control character U+2066 is not allowed "
            "(got '\\u2066ARR')",
        ]


class TestEscaping:
    @pytest.mark.parametrize(("text", "cell"), [
        ("=1+1", "'=1+1"), ("+49 30", "'+49 30"), ("-5%", "'-5%"), ("@ana", "'@ana"),
        ("'=x", "''=x"), ("plain", "plain"), ("", ""), ("a=b", "a=b"), ("'quoted", "'quoted"),
    ])
    def test_escape_and_unescape(self, text, cell):
        assert escape_cell(text) == cell
        assert unescape_cell(cell) == text


def sample_cycle() -> Cycle:
    return Cycle(id="2026-Q4", start=Q4[0], end=Q4[1], objectives=[
        Objective(ref="O-1", title="=Grow revenue", owner="@sales", aligned_to="F1", key_results=[
            KeyResult(ref="KR-1", title="Sign 10, \"big\" customers", start=0, target=10, current=4,
                      unit="deals", weight=2, confidence="at-risk"),
            KeyResult(ref="KR-2", title="-Cut churn", start=5.5, target=2.5, current=4.25, unit="%"),
            KeyResult(ref="KR-3", title="Launch", kind="milestone", current=1, confidence="blocked"),
        ]),
        Objective(ref="O-2", title="Hire", key_results=[
            KeyResult(ref="KR-4", title="+3 engineers", start=0, target=3, weight=0.5),
        ]),
        Objective(ref="O-3", title="'=Not a formula", owner="ops"),
    ])


class TestWriteOkrSheet:
    def test_content_and_line_ends(self):
        text = write_okr_sheet(sample_cycle())
        assert text.split("\r\n") == [
            ",".join(OKR_HEADER),
            "2026-Q4,'=Grow revenue,'@sales,F1,\"Sign 10, \"\"big\"\" customers\",metric,0,10,4,deals,2,at-risk",
            "2026-Q4,'=Grow revenue,'@sales,F1,'-Cut churn,metric,5.5,2.5,4.25,%,1,on-track",
            "2026-Q4,'=Grow revenue,'@sales,F1,Launch,milestone,0,1,1,,1,blocked",
            "2026-Q4,Hire,,,'+3 engineers,metric,0,3,0,,0.5,on-track",
            "2026-Q4,''=Not a formula,ops,,,,,,,,,",
            "",
        ]

    def test_round_trip(self):
        cycle = sample_cycle()
        card = parse(write_okr_sheet(cycle))
        (back,) = card.cycles
        assert (back.id, back.start, back.end) == (cycle.id, cycle.start, cycle.end)

        def strip_refs(c: Cycle) -> list[dict]:
            docs = [o.to_doc() for o in c.objectives]
            for doc in docs:
                doc["ref"] = None
                for kr in doc["key_results"]:
                    kr["ref"] = None
            return docs

        assert strip_refs(back) == strip_refs(cycle)
        for old, new in zip(cycle.objectives, back.objectives):
            for a, b in zip(old.key_results, new.key_results):
                assert [type(a.start), type(a.target), type(a.current), type(a.weight)] == [
                    type(b.start), type(b.target), type(b.current), type(b.weight)]

    def test_round_trip_through_a_spreadsheet_style_reader(self):
        rows = list(csv.reader(io.StringIO(write_okr_sheet(sample_cycle()), newline="")))
        assert rows[0] == OKR_HEADER
        assert all(len(row) == len(OKR_HEADER) for row in rows)

    def test_empty_cycle_writes_the_header(self):
        assert write_okr_sheet(Cycle(id="X", start=Q4[0], end=Q4[1])) == ",".join(OKR_HEADER) + "\r\n"


class TestMoreErrors:
    def test_huge_digit_string(self):
        assert only_problem(OKR + "2026-Q4,O,,,k,,0,%s,,,,\n" % ("9" * 5000)).startswith(
            "data.csv: line 2, column target: '99999")

    def test_bad_code_among_drives_names_that_code(self):
        assert only_problem(STRATEGY + "F1,Grow,financial,C1; kr-1,,,,,\nC1,c,customer,,,,,,\n") == (
            "data.csv: line 2, column drives: code 'kr-1' looks like a ref (O-n, KR-n); choose another")

    def test_malformed_header_line(self):
        assert only_problem('"cycle,objective\n') == (
            "data.csv: line 1, column 1: malformed CSV: a quoted cell is never closed")

    def test_many_problems_are_capped(self):
        found = problems(OKR + "2026-Q4,O,,,k,,0,abc,,,,\n" * 250)
        assert len(found) == 201
        assert found[-1] == "data.csv: … and 50 more problems"
        assert found[199] == "data.csv: line 201, column target: 'abc' is not a number"
