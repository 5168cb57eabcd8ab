"""§12 (normative): scores on a past date, wins since it, what is due — numbers worked by hand."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from okrtui.domain import review
from okrtui.domain.models import Cycle, StrategicObjective
from okrtui.domain.scoring import score_cycle

AS_OF = dt.date(2026, 11, 20)
D = dt.date(2026, 10, 31)


def checkin(at: str, value: float) -> dict:
    return {"at": at, "author": "ana", "value": value, "confidence": "on-track", "note": ""}


def cycle(objectives: list[dict], **extra) -> Cycle:
    return Cycle.model_validate({"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31",
                                 "objectives": objectives, **extra})


STRATEGY = [StrategicObjective.model_validate({"code": "F1", "title": "Grow", "perspective": "financial"}),
            StrategicObjective.model_validate({"code": "C1", "title": "Keep", "perspective": "customer"})]


def history_of(c: Cycle, checkins: dict[str, list[dict]]) -> dict:
    from okrtui.domain.models import CheckIn

    return {ref: [CheckIn.model_validate(x) for x in rows] for ref, rows in checkins.items()}


class TestValueOnADate:
    def kr(self, **given):
        c = cycle([{"ref": "O-1", "title": "o", "key_results": [
            {"ref": "KR-1", "title": "k", "start": 0, "target": 100, "current": 80, **given}]}])
        return c.objectives[0].key_results[0]

    def test_a_check_in_on_the_date_itself_counts_and_the_day_after_does_not(self):
        kr = self.kr()
        rows = history_of(None, {"KR-1": [checkin("2026-10-20T09:00:00Z", 20), checkin("2026-10-31T23:59:00Z", 30),
                                          checkin("2026-11-01T00:00:00Z", 60)]})["KR-1"]
        assert review.value_on(kr, rows, D) == 30
        assert review.value_on(kr, rows, dt.date(2026, 10, 30)) == 20

    def test_ties_go_to_the_one_added_last(self):
        kr = self.kr()
        rows = history_of(None, {"KR-1": [checkin("2026-10-31T10:00:00Z", 40), checkin("2026-10-31T10:00:00Z", 45),
                                          checkin("2026-10-31T08:00:00Z", 99)]})["KR-1"]
        # 10:00 is the latest time on D; of the two at 10:00 the one added last (45).
        assert review.value_on(kr, rows, D) == 45

    def test_all_check_ins_after_the_date_give_the_start_and_none_at_all_the_current_value(self):
        kr = self.kr(start=10)
        rows = history_of(None, {"KR-1": [checkin("2026-11-05T09:00:00Z", 60)]})["KR-1"]
        assert review.value_on(kr, rows, D) == 10
        assert review.value_on(kr, [], D) == 80


class TestScoresOnADate:
    def setup_method(self):
        # O-1 (F1): KR-1 weight 3, 0→100; KR-2 weight 1, milestone. O-2 cascades from O-1.
        # O-3 (C1): KR-4 50→0 (lower is better), no check-ins (its current counts).
        self.cycle = cycle([
            {"ref": "O-1", "title": "a", "aligned_to": "F1", "key_results": [
                {"ref": "KR-1", "title": "k1", "start": 0, "target": 100, "current": 80, "weight": 3},
                {"ref": "KR-2", "title": "k2", "kind": "milestone", "current": 1}]},
            {"ref": "O-2", "title": "b", "parent": "O-1", "key_results": [
                {"ref": "KR-3", "title": "k3", "start": 0, "target": 10, "current": 10}]},
            {"ref": "O-3", "title": "c", "aligned_to": "C1", "key_results": [
                {"ref": "KR-4", "title": "k4", "start": 50, "target": 0, "current": 25}]},
        ])
        self.history = history_of(self.cycle, {
            "KR-1": [checkin("2026-10-15T09:00:00Z", 40), checkin("2026-11-10T09:00:00Z", 80)],
            "KR-2": [checkin("2026-11-12T09:00:00Z", 1)],
            "KR-3": [checkin("2026-10-02T09:00:00Z", 5), checkin("2026-11-02T09:00:00Z", 10)],
        })

    def test_every_level_follows_section_3_from_the_values_on_the_date(self):
        was = review.scores_on(STRATEGY, self.cycle, self.history, D, AS_OF)
        # On D: KR-1 40/100 = 0.4; KR-2 no check-in by D, has some: its start, 0; O-1 = (3·0.4 + 0)/4 = 0.3.
        assert was.kr["KR-1"] == pytest.approx(0.4) and was.kr["KR-2"] == 0
        assert was.objective["O-1"] == pytest.approx(0.3)
        # O-2 (cascaded, F1 through its parent): KR-3 5/10 = 0.5. F1 = mean(0.3, 0.5) = 0.4.
        assert was.objective["O-2"] == pytest.approx(0.5) and was.strategic["F1"] == pytest.approx(0.4)
        # KR-4 has no check-ins: its current 25 on 50→0 is 0.5, then and now.
        assert was.kr["KR-4"] == pytest.approx(0.5) and was.strategic["C1"] == pytest.approx(0.5)
        assert was.overall == pytest.approx(0.45)
        now = score_cycle(STRATEGY, self.cycle, AS_OF)
        # Now: O-1 = (3·0.8 + 1)/4 = 0.85; O-2 = 1; F1 = 0.925.
        assert now.objective["O-1"] == pytest.approx(0.85) and now.strategic["F1"] == pytest.approx(0.925)
        wins = {(w.kind, w.ref): (w.serves, w.perspective) for w in review.wins(STRATEGY, now, was)}
        assert wins == {
            ("key-result", "KR-1"): ("F1", "financial"),  # 0.4 → 0.8
            ("key-result", "KR-2"): ("F1", "financial"),  # 0 → 1
            ("key-result", "KR-3"): ("F1", "financial"),  # 0.5 → 1, through O-1
            ("objective", "O-1"): ("F1", "financial"),  # 0.3 → 0.85
            ("objective", "O-2"): ("F1", "financial"),  # 0.5 → 1
            ("strategic-objective", "F1"): ("F1", "financial"),  # 0.4 → 0.925
        }

    def test_a_crossing_exactly_at_0_7_is_a_win_and_a_null_then_counts_as_below(self):
        c = cycle([{"ref": "O-1", "title": "a", "aligned_to": "F1", "key_results": [
            {"ref": "KR-1", "title": "k", "start": 7, "target": 5, "current": 5.6}]},
            {"ref": "O-2", "title": "b", "aligned_to": "C1", "key_results": []}])
        history = history_of(c, {"KR-1": [checkin("2026-10-10T09:00:00Z", 6.2), checkin("2026-11-10T09:00:00Z", 5.6)]})
        was = review.scores_on(STRATEGY, c, history, D, AS_OF)
        now = score_cycle(STRATEGY, c, AS_OF)
        # (6.2 − 7)/(5 − 7) = 0.4 then; (5.6 − 7)/(5 − 7) = 0.7 now (binary floats, §3's tolerance).
        assert was.kr["KR-1"] == pytest.approx(0.4) and now.kr["KR-1"] == pytest.approx(0.7)
        refs = {w.ref for w in review.wins(STRATEGY, now, was)}
        assert {"KR-1", "O-1", "F1"} <= refs and "O-2" not in refs  # O-2 has no score either time


class TestDue:
    def cycle(self, **extra) -> Cycle:
        return cycle([
            {"ref": "O-1", "title": "a", "owner": "  sales team ", "key_results": [
                {"ref": "KR-1", "title": "quiet", "start": 0, "target": 10, "current": 1},
                {"ref": "KR-2", "title": "done", "start": 0, "target": 10, "current": 10},
                {"ref": "KR-10", "title": "never", "start": 0, "target": 10, "current": 0}]},
            {"ref": "O-2", "title": "b", "key_results": [
                {"ref": "KR-3", "title": "fresh", "start": 0, "target": 10, "current": 2}]}], **extra)

    def with_last(self, c: Cycle, last: dict[str, str]) -> Cycle:
        from okrtui.domain.changes import set_current
        from okrtui.domain.models import parse_time

        for objective in c.objectives:
            for kr in objective.key_results:
                if kr.ref in last:
                    set_current(kr, kr.current, kr.confidence, parse_time(last[kr.ref]))
        return c

    def test_at_exactly_n_days_it_is_due_and_a_score_of_1_never_is(self):
        c = self.with_last(self.cycle(), {"KR-1": "2026-11-13T23:00:00Z", "KR-2": "2026-10-02T00:00:00Z",
                                          "KR-3": "2026-11-14T00:00:00Z"})
        found = review.due(c, AS_OF, days=7)
        # KR-10: none, so the cycle's start (50 days); KR-1: 7 days exactly; KR-3: 6; KR-2 scores 1.
        assert [(d.ref, d.days_since, d.last_checkin.isoformat()) for d in found] == [
            ("KR-10", 50, "2026-10-01"), ("KR-1", 7, "2026-11-13")]
        assert found[1].owner == "sales team"

    def test_order_is_days_then_the_number_in_the_ref(self):
        c = self.with_last(self.cycle(), {"KR-1": "2026-09-01T00:00:00Z", "KR-3": "2026-09-15T00:00:00Z"})
        # Back-dated before the start: no earlier than the start, so all three at 50 days.
        assert [d.ref for d in review.due(c, AS_OF, days=7)] == ["KR-1", "KR-3", "KR-10"]

    def test_owner_is_compared_trimmed_and_an_empty_owner_matches_nothing(self):
        c = self.cycle()
        assert {d.ref for d in review.due(c, AS_OF, owner="sales team ")} == {"KR-1", "KR-10"}
        assert review.due(c, AS_OF, owner="Sales team") == []
        assert review.due(c, AS_OF, owner="  ") == []

    @pytest.mark.parametrize("as_of", [dt.date(2026, 10, 1), dt.date(2027, 1, 1), dt.date(2026, 9, 1)])
    def test_nothing_is_due_before_a_cycle_begins_or_once_it_is_over(self, as_of):
        assert review.due(self.cycle(), as_of) == []

    def test_nothing_is_due_in_a_closed_cycle(self):
        assert review.due(self.cycle(closed=True), AS_OF) == []


class TestCommands:
    def test_report_since_adds_was_and_wins_in_json(self, run, sample_store):
        result = run("report", "--format", "json", "--as-of", "2026-11-20", "--since", "2026-10-31",
                     "--store", sample_store)
        assert result.code == 0, result.err
        doc = json.loads(result.out)
        assert list(doc)[:7] == ["format", "organization", "as_of", "since", "cycle", "overall", "overall_was"]
        assert doc["since"] == "2026-10-31" and "wins" in doc
        for perspective in doc["perspectives"]:
            assert "was" in perspective
            for strategic in perspective["objectives"]:
                assert "was" in strategic
                for okr in strategic["okrs"]:
                    assert "was" in okr and all("was" in kr for kr in okr["key_results"])
        plain = json.loads(run("report", "--format", "json", "--as-of", "2026-11-20", "--store", sample_store).out)
        assert "since" not in plain and "wins" not in plain

    def test_a_since_after_the_as_of_date_is_refused(self, run, sample_store):
        result = run("report", "--as-of", "2026-11-20", "--since", "2026-11-21", "--store", sample_store)
        assert result.code == 2 and "after the as-of date" in result.err

    def test_due_prints_nothing_when_nothing_is_due(self, run, sample_store):
        result = run("due", "--as-of", "2026-11-20", "--days", "999", "--store", sample_store)
        assert (result.code, result.out) == (0, "")
        doc = json.loads(run("due", "--format", "json", "--as-of", "2026-11-20", "--days", "999",
                             "--store", sample_store).out)
        assert doc == {"format": "okrtui-due/1", "as_of": "2026-11-20", "cycle": "2026-Q4", "days": 999, "due": []}

    def test_due_groups_by_owner(self, run, sample_store):
        result = run("due", "--as-of", "2026-11-20", "--days", "14", "--store", sample_store)
        assert result.code == 0 and result.out
        lines = result.out.splitlines()
        assert not lines[0].startswith(" ") and all(line.startswith("  KR-") or not line.startswith(" ")
                                                      for line in lines)


class TestReviewDocument:
    def report(self, run, sample_store, fmt: str) -> str:
        result = run("report", "--format", fmt, "--as-of", "2026-11-20", "--since", "2026-10-31",
                     "--store", sample_store)
        assert result.code == 0, result.err
        return result.out

    def test_text_shows_each_score_with_its_movement_and_opens_with_it(self, run, sample_store):
        doc = json.loads(self.report(run, sample_store, "json"))
        text = self.report(run, sample_store, "text")
        lines = text.splitlines()
        assert lines[1].startswith("Since 2026-10-31: Financial ")
        assert lines[2].startswith("Wins since 2026-10-31: ")
        kr = doc["perspectives"][0]["objectives"][0]["okrs"][0]["key_results"][0]  # KR-28 under F1's O-9
        moved = f"{kr['score']:.2f} ({kr['score'] - kr['was']:+.2f})"
        assert any(line.strip().startswith("KR-28") and moved in line for line in lines), moved

    def test_markdown_is_the_review_document(self, run, sample_store):
        out = self.report(run, sample_store, "md")
        for heading in ("## Since 2026-10-31", "### Wins since 2026-10-31", "### What is due",
                        "### What moved, and why", "## Hints"):
            assert heading in out, heading
        assert out.index("## Since") < out.index("## Financial")
        assert "\u201c" in out.split("### What moved, and why")[1].split("## ")[0]  # the latest notes


class TestValuesRead:
    """The fast read of times and values (scores on a date) gives what the thorough read gives."""

    def test_the_same_as_the_history_with_retractions_and_moves(self, sample_store):
        from okrtui import operations
        from okrtui.domain import planning
        from okrtui.store import Store

        store = Store(sample_store)
        now = dt.datetime(2026, 11, 20, 12, tzinfo=dt.timezone.utc)
        mine = operations.record_checkin(store, "KR-28", "14", author="ana", now=now)
        operations.record_checkin(store, "KR-29", "3", author="ana", now=now)
        operations.undo(store, mine.command, author="ana", now=now)  # a retraction in 2026-Q4's row
        operations.perform(store, lambda tx: planning.new_cycle(tx, {"id": "2026-11", "start": "2026-11-01",
                                                                     "end": "2026-11-30"}), author="ana", now=now)
        operations.perform(store, lambda tx: planning.move(tx, "O-10", "2026-11"), author="ana", now=now)
        for cycle_id in ("2026-Q4", "2026-11"):
            thorough = Store(sample_store).load(lambda s: s.history(cycle_id))
            fast = Store(sample_store).load(lambda s: s.values(cycle_id))
            assert {ref: [(c.at, c.value) for c in rows] for ref, rows in thorough.items() if rows} == \
                {ref: [(r.at, r.value) for r in rows] for ref, rows in fast.items()}
        assert fast  # the moved objective's history is there


def test_csv_with_since_adds_a_last_column_was(run, sample_store):
    import csv
    import io

    plain = run("report", "--format", "csv", "--as-of", "2026-11-20", "--store", sample_store).out
    moved = run("report", "--format", "csv", "--as-of", "2026-11-20", "--since", "2026-10-31",
                "--store", sample_store).out
    rows = list(csv.reader(io.StringIO(moved)))
    assert rows[0][-1] == "was" and rows[0][:-1] == list(csv.reader(io.StringIO(plain)))[0]
    doc = json.loads(run("report", "--format", "json", "--as-of", "2026-11-20", "--since", "2026-10-31",
                         "--store", sample_store).out)
    kr28 = doc["perspectives"][0]["objectives"][0]["okrs"][0]["key_results"][0]
    assert next(r for r in rows if r[5] == "KR-28")[-1] == f"{kr28['was']:.3f}"


class TestMeasureAttainmentOnADate:
    """A measure's attainment on a past date comes from its readings (§2: readings are its history)."""

    def _measure(self, readings):
        from okrtui.domain.models import Measure

        return Measure.model_validate({"name": "ARR", "baseline": 10, "target": 20, "readings": readings})

    def test_the_latest_reading_of_the_day_or_before_counts(self):
        from okrtui.domain.review import attainment_on

        measure = self._measure([
            {"at": "2026-01-31T17:00:00Z", "author": "cfo", "value": 12},
            {"at": "2026-03-31T17:00:00Z", "author": "cfo", "value": 18},
            {"at": "2026-02-27T17:00:00Z", "author": "cfo", "value": 15},  # back-dated, recorded last
        ])
        today = dt.date(2026, 11, 20)
        # (12 - 10) / (20 - 10) = 0.2; on 28 February the back-dated 15 is the latest: 0.5; then 18: 0.8
        assert attainment_on(measure, measure.readings, dt.date(2026, 2, 1), today) == pytest.approx(0.2)
        assert attainment_on(measure, measure.readings, dt.date(2026, 2, 28), today) == pytest.approx(0.5)
        assert attainment_on(measure, measure.readings, dt.date(2026, 6, 30), today) == pytest.approx(0.8)
        assert attainment_on(measure, measure.readings, dt.date(2026, 1, 30), today) is None  # before the first

    def test_ties_go_to_the_reading_added_last(self):
        from okrtui.domain.review import attainment_on

        measure = self._measure([{"at": "2026-01-31T17:00:00Z", "author": "a", "value": 12},
                                 {"at": "2026-01-31T17:00:00Z", "author": "b", "value": 16}])
        assert attainment_on(measure, measure.readings, dt.date(2026, 2, 1), dt.date(2026, 11, 20)) == pytest.approx(0.6)

    def test_an_actual_without_readings_has_no_past(self):
        from okrtui.domain.models import Measure
        from okrtui.domain.review import attainment_on

        measure = Measure.model_validate({"name": "ARR", "baseline": 10, "target": 20, "actual": 14})
        today = dt.date(2026, 11, 20)
        assert attainment_on(measure, [], today, today) == pytest.approx(0.4)  # (14 - 10) / 10
        assert attainment_on(measure, [], dt.date(2026, 9, 30), today) is None
