"""Planning changes as commands: each applied by the store in one transaction, each undone.

Worked on the sample store (F1..L1; cycles 2026-Q2 and Q3 closed, Q4 open with O-9..O-18).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import AS_OF, export_doc, find_kr, main_tables, report_doc, snapshot_bytes

from okrtui import operations
from okrtui.domain import planning
from okrtui.domain.changes import Conflict
from okrtui.domain.errors import InvalidInput
from okrtui.store import Store

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def store(sample_store: Path) -> Store:
    return Store(sample_store)


def do(store: Store, build, author: str = "ana"):
    return operations.perform(store, build, author=author, now=NOW)


def undo(store: Store, command, author: str = "ana"):
    return operations.undo(store, command, author=author, now=NOW)


def cycle_doc(doc: dict, cycle_id: str) -> dict:
    return next(c for c in doc["cycles"] if c["id"] == cycle_id)


def objective(doc: dict, ref: str) -> dict:
    return next(o for c in doc["cycles"] for o in c["objectives"] if o["ref"] == ref)


def strategic(doc: dict, code: str) -> dict | None:
    return next((s for s in doc["strategy"] if s["code"] == code), None)


class TestStrategicObjectives:
    def test_new_lands_last_in_store_order_and_undo_takes_it_away(self, store, sample_store):
        before = export_doc(sample_store)
        command = do(store, lambda tx: planning.new_strategic(tx, {
            "code": "F4", "title": "Grow margin", "perspective": "financial", "drives": ["C1"]}))
        after = export_doc(sample_store)
        assert [s["code"] for s in after["strategy"]][-1] == "F4"
        assert strategic(after, "F4")["drives"] == ["C1"]
        assert command.label == "New strategic objective F4" and command.author == "ana"
        undo(store, command)
        assert export_doc(sample_store) == before

    def test_a_taken_code_is_refused_and_nothing_is_written(self, store, sample_store):
        before = snapshot_bytes(sample_store)
        with pytest.raises(InvalidInput, match="F1 is taken"):
            do(store, lambda tx: planning.new_strategic(tx, {"code": "F1", "title": "x", "perspective": "financial"}))
        with pytest.raises(InvalidInput, match="unknown code X9"):
            do(store, lambda tx: planning.new_strategic(tx, {"code": "F9", "title": "x", "perspective": "financial",
                                                             "drives": ["X9"]}))
        with pytest.raises(InvalidInput, match="looks like a ref|ref"):
            do(store, lambda tx: planning.new_strategic(tx, {"code": "O-3", "title": "x", "perspective": "customer"}))
        assert snapshot_bytes(sample_store) == before

    def test_rename_carries_links_and_alignments(self, store, sample_store):
        doc = strategic(export_doc(sample_store), "F1")
        command = do(store, lambda tx: planning.edit_strategic(tx, "F1", {**doc, "code": "F10"}))
        after = export_doc(sample_store)
        assert strategic(after, "F1") is None
        assert [s["code"] for s in after["strategy"]][0] == "F10"  # keeps its place
        assert strategic(after, "C1")["drives"] == ["F10"]
        assert strategic(after, "C2")["drives"] == ["F10", "F2"]
        assert objective(after, "O-9")["aligned_to"] == "F10"
        undo(store, command)
        assert objective(export_doc(sample_store), "O-9")["aligned_to"] == "F1"

    def test_delete_unaligns_its_okrs_and_drops_links_to_it(self, store, sample_store):
        before = export_doc(sample_store)
        command = do(store, lambda tx: planning.delete_strategic(tx, "F1"))
        assert command.label == "Delete F1 (unaligned O-9)"
        after = export_doc(sample_store)
        assert strategic(after, "F1") is None
        assert objective(after, "O-9")["aligned_to"] is None
        assert strategic(after, "C2")["drives"] == ["F2"]
        assert "O-9" in [o["ref"] for o in report_doc("--as-of", AS_OF, store=sample_store)["unaligned"]]
        undo(store, command)
        assert export_doc(sample_store) == before

    def test_delete_of_one_served_in_a_closed_cycle_is_refused(self, store, sample_store):
        before = snapshot_bytes(sample_store)
        with pytest.raises(InvalidInput, match="closed cycle 2026-Q2 serve F3"):
            do(store, lambda tx: planning.delete_strategic(tx, "F3"))
        assert snapshot_bytes(sample_store) == before

    def test_users_of_names_aligned_okrs_and_drivers(self, store):
        aligned, drivers = store.load(lambda s: planning.users_of(s, "F1"))
        assert aligned == [("2026-Q4", "O-9")] and drivers == ["C1", "C2", "C3"]


class TestCycles:
    def test_next_quarter_follows_the_latest_cycle(self):
        from okrtui.domain.models import Cycle

        cycles = [Cycle.model_validate({"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"})]
        assert planning.next_quarter(cycles, dt.date(2026, 11, 20)) == (
            "2027-Q1", dt.date(2027, 1, 1), dt.date(2027, 3, 31))
        assert planning.next_quarter([], dt.date(2026, 5, 2)) == ("2026-Q2", dt.date(2026, 4, 1),
                                                                  dt.date(2026, 6, 30))

    def test_new_cycle_and_undo(self, store, sample_store):
        command = do(store, lambda tx: planning.new_cycle(tx, {"id": "2027-Q1", "start": "2027-01-01",
                                                               "end": "2027-03-31"}))
        assert [c["id"] for c in export_doc(sample_store)["cycles"]][-1] == "2027-Q1"
        undo(store, command)
        assert "2027-Q1" not in [c["id"] for c in export_doc(sample_store)["cycles"]]

    def test_end_before_start_and_a_taken_id_are_refused(self, store):
        with pytest.raises(InvalidInput, match="before start"):
            do(store, lambda tx: planning.new_cycle(tx, {"id": "X", "start": "2027-02-01", "end": "2027-01-01"}))
        with pytest.raises(InvalidInput, match="2026-Q4 exists"):
            do(store, lambda tx: planning.new_cycle(tx, {"id": "2026-Q4", "start": "2027-01-01",
                                                         "end": "2027-03-31"}))

    def test_close_refuses_check_ins_and_edits_until_reopened(self, store, sample_store, run):
        command = do(store, lambda tx: planning.set_closed(tx, "2026-Q4", True))
        assert cycle_doc(export_doc(sample_store), "2026-Q4")["closed"] is True
        assert run("checkin", "KR-28", "5", "--store", sample_store).code == 2
        with pytest.raises(InvalidInput, match="closed"):
            do(store, lambda tx: planning.edit_objective(tx, "O-9", {"title": "x"}))
        undo(store, command)
        assert cycle_doc(export_doc(sample_store), "2026-Q4")["closed"] is False
        with pytest.raises(InvalidInput, match="open already"):
            do(store, lambda tx: planning.set_closed(tx, "2026-Q4", False))


class TestObjectivesAndKeyResults:
    def test_new_objective_gets_the_next_ref_and_a_key_result(self, store, sample_store):
        made = do(store, lambda tx: planning.new_objective(tx, "2026-Q4", {"title": "Win EMEA", "owner": "sales",
                                                                           "aligned_to": "C1"}))
        ref = made.edits[0].key
        assert ref == "O-19"
        kr = do(store, lambda tx: planning.new_key_result(tx, ref, {"title": "Sign 5 logos", "start": 0,
                                                                    "target": 5, "unit": "logos"}))
        assert kr.edits[0].key == "KR-64"
        after = export_doc(sample_store)
        assert objective(after, "O-19")["key_results"][0]["title"] == "Sign 5 logos"
        report = report_doc("--as-of", AS_OF, store=sample_store)
        c1 = next(s for p in report["perspectives"] for s in p["objectives"] if s["code"] == "C1")
        assert "O-19" in [o["ref"] for o in c1["okrs"]]

    def test_a_deleted_ref_is_never_given_out_again(self, store, sample_store, tmp_path, run):
        made = do(store, lambda tx: planning.new_objective(tx, "2026-Q4", {"title": "Temp"}))
        do(store, lambda tx: planning.delete_objective(tx, "O-19"))
        assert main_tables(sample_store)["meta"]["1"]["retired_objectives"] == [[19, 19]]
        again = do(store, lambda tx: planning.new_objective(tx, "2026-Q4", {"title": "Next"}))
        assert again.edits[0].key == "O-20"
        # Nor taken in by an import that names it.
        file = tmp_path / "in.json"
        file.write_text('{"format": "okrtui/1", "cycles": [{"id": "2026-Q4", "start": "2026-10-01", '
                        '"end": "2026-12-31", "objectives": [{"ref": "O-19", "title": "Back"}]}]}')
        result = run("import", file, "--store", sample_store)
        assert result.code == 2 and "O-19" in result.err and "deleted" in result.err
        assert made.edits[0].key == "O-19"

    def test_delete_objective_takes_its_key_results_and_unlinks_children(self, store, sample_store):
        before = export_doc(sample_store)
        command = do(store, lambda tx: planning.delete_objective(tx, "O-11"))
        assert command.label == "Delete O-11 (unlinked O-12)"
        after = export_doc(sample_store)
        assert "O-11" not in [o["ref"] for o in cycle_doc(after, "2026-Q4")["objectives"]]
        assert objective(after, "O-12")["parent"] is None
        undo(store, command)
        assert export_doc(sample_store) == before  # key results, history and order back

    def test_edit_key_result_keeps_its_history(self, store, sample_store):
        before = find_kr(export_doc(sample_store), "KR-28")
        command = do(store, lambda tx: planning.edit_key_result(tx, "KR-28", {"title": "New ARR", "target": 99}))
        after = find_kr(export_doc(sample_store), "KR-28")
        assert after["title"] == "New ARR" and after["target"] == 99 and after["checkins"] == before["checkins"]
        undo(store, command)
        assert find_kr(export_doc(sample_store), "KR-28") == before

    def test_target_equal_to_start_is_refused(self, store):
        with pytest.raises(InvalidInput, match="equals start"):
            do(store, lambda tx: planning.new_key_result(tx, "O-9", {"title": "x", "start": 3, "target": 3}))


class TestAlignAndMove:
    def test_align_to_a_parent_and_a_loop_is_refused(self, store, sample_store):
        command = do(store, lambda tx: planning.align(tx, "O-17", None, "O-9"))
        assert objective(export_doc(sample_store), "O-17")["parent"] == "O-9"
        with pytest.raises(InvalidInput, match="loop"):
            do(store, lambda tx: planning.align(tx, "O-9", "F1", "O-17"))
        with pytest.raises(InvalidInput, match="not an objective of cycle 2026-Q4"):
            do(store, lambda tx: planning.align(tx, "O-17", None, "O-1"))
        undo(store, command)
        assert objective(export_doc(sample_store), "O-17")["parent"] is None

    def test_align_changes_the_balance(self, store, sample_store):
        shares = report_doc("--as-of", AS_OF, store=sample_store)["balance"]["shares"]
        do(store, lambda tx: planning.align(tx, "O-17", "L1", None))
        after = report_doc("--as-of", AS_OF, store=sample_store)
        # 9 aligned of 10 before (learning 0/9); all 10 now, one in learning & growth.
        assert shares["learning_growth"] == 0 and after["balance"]["shares"]["learning_growth"] == 0.1
        assert after["unaligned"] == []

    def test_move_takes_key_results_and_history_and_undo_brings_them_back(self, store, sample_store):
        do(store, lambda tx: planning.new_cycle(tx, {"id": "2027-Q1", "start": "2027-01-01", "end": "2027-03-31"}))
        before = export_doc(sample_store)
        command = do(store, lambda tx: planning.move(tx, "O-9", "2027-Q1"))
        after = export_doc(sample_store)
        moved = cycle_doc(after, "2027-Q1")["objectives"]
        assert [o["ref"] for o in moved] == ["O-9"]
        assert moved[0]["key_results"] == objective(before, "O-9")["key_results"]
        assert "O-9" not in [o["ref"] for o in cycle_doc(after, "2026-Q4")["objectives"]]
        undo(store, command)
        assert export_doc(sample_store) == before
        again = do(store, lambda tx: planning.move(tx, "O-9", "2027-Q1"))
        assert cycle_doc(export_doc(sample_store), "2027-Q1")["objectives"][0]["key_results"] == \
            objective(before, "O-9")["key_results"]
        assert again.label == "Move O-9 to 2027-Q1"


class TestRollOver:
    def test_unfinished_work_rolls_over_without_check_ins(self, store, sample_store):
        do(store, lambda tx: planning.new_cycle(tx, {"id": "2027-Q1", "start": "2027-01-01", "end": "2027-03-31"}))
        before = export_doc(sample_store)
        report = report_doc("--as-of", AS_OF, store=sample_store)
        scores = {o["ref"]: o["score"] for p in report["perspectives"] for s in p["objectives"]
                  for o in s["okrs"]} | {o["ref"]: o["score"] for o in report["unaligned"]}
        unfinished = [o for o in cycle_doc(before, "2026-Q4")["objectives"] if scores[o["ref"]] < 1]
        command = do(store, lambda tx: planning.roll_over(tx, "2026-Q4", "2027-Q1"))
        rolled = cycle_doc(export_doc(sample_store), "2027-Q1")["objectives"]
        assert [o["title"] for o in rolled] == [o["title"] for o in unfinished]
        by_title = {o["title"]: o for o in rolled}
        for old in unfinished:
            new = by_title[old["title"]]
            assert new["ref"] != old["ref"] and new["owner"] == old["owner"]
            kept = [k for k in old["key_results"] if report_kr_score(report, k["ref"]) < 1]
            assert [k["title"] for k in new["key_results"]] == [k["title"] for k in kept]
            for k_old, k_new in zip(kept, new["key_results"]):
                assert k_new["checkins"] == []
                assert k_new["current"] == k_old["current"] and k_new["target"] == k_old["target"]
                assert k_new["start"] == (0 if k_old["kind"] == "milestone" else k_old["current"])
        # O-12's parent O-11 rolled too: the copy points at O-11's copy.
        o11 = by_title[objective(before, "O-11")["title"]]
        assert by_title[objective(before, "O-12")["title"]]["parent"] == o11["ref"]
        assert cycle_doc(export_doc(sample_store), "2026-Q4") == cycle_doc(before, "2026-Q4")
        undo(store, command)
        assert export_doc(sample_store) == before


def report_kr_score(report: dict, ref: str) -> float:
    from conftest import report_kr

    return report_kr(report, ref)["score"]


class TestUndo:
    def test_undo_of_a_check_in_takes_it_back(self, store, sample_store):
        before = export_doc(sample_store)
        result = operations.record_checkin(store, "KR-28", "14", author="ana", now=NOW)
        assert find_kr(export_doc(sample_store), "KR-28")["current"] == 14
        undo(store, result.command)
        assert export_doc(sample_store) == before

    def test_undo_after_someone_else_changed_it_is_refused(self, store, sample_store):
        command = do(store, lambda tx: planning.edit_objective(tx, "O-9", {"title": "Mine"}))
        do(store, lambda tx: planning.edit_objective(tx, "O-9", {"title": "Theirs"}), author="ben")
        before = snapshot_bytes(sample_store)
        with pytest.raises(Conflict) as refused:
            undo(store, command)
        assert refused.value.subjects == ["objective:O-9"]
        assert snapshot_bytes(sample_store) == before
        assert objective(export_doc(sample_store), "O-9")["title"] == "Theirs"

    def test_undo_of_a_check_in_after_a_later_one_is_refused(self, store, sample_store):
        mine = operations.record_checkin(store, "KR-28", "14", author="ana", now=NOW)
        operations.record_checkin(store, "KR-28", "15", author="ben", now=NOW + dt.timedelta(minutes=1))
        with pytest.raises(Conflict):
            undo(store, mine.command)
        assert find_kr(export_doc(sample_store), "KR-28")["current"] == 15

    def test_the_journal_names_who_changed_what(self, store, sample_store):
        do(store, lambda tx: planning.edit_objective(tx, "O-9", {"title": "Theirs"}), author="ben")
        journal = main_tables(sample_store)["meta"]["1"]["journal"]
        assert journal[-1]["author"] == "ben" and journal[-1]["subjects"] == ["objective:O-9"]
        assert journal[-1]["label"] == "Edit O-9"


class TestDeleteCycle:
    def test_delete_a_cycle_with_its_okrs_and_undo_brings_it_back_whole(self, store, sample_store):
        before = export_doc(sample_store)
        command = do(store, lambda tx: planning.delete_cycle(tx, "2026-Q4"))
        after = export_doc(sample_store)
        assert [c["id"] for c in after["cycles"]] == ["2026-Q2", "2026-Q3"]
        assert main_tables(sample_store)["meta"]["1"]["retired_objectives"] == [[9, 18]]
        undo(store, command)
        assert export_doc(sample_store) == before  # objectives, key results, every check-in, in order

    def test_undo_puts_a_deleted_cycle_back_in_its_place(self, store, sample_store):
        do(store, lambda tx: planning.new_cycle(tx, {"id": "2027-Q1", "start": "2027-01-01", "end": "2027-03-31"}))
        before = export_doc(sample_store)
        command = do(store, lambda tx: planning.delete_cycle(tx, "2026-Q4"))
        undo(store, command)
        assert [c["id"] for c in export_doc(sample_store)["cycles"]] == ["2026-Q2", "2026-Q3", "2026-Q4", "2027-Q1"]
        assert export_doc(sample_store) == before

    def test_a_closed_cycle_is_not_deleted(self, store, sample_store):
        before = snapshot_bytes(sample_store)
        with pytest.raises(InvalidInput, match="closed"):
            do(store, lambda tx: planning.delete_cycle(tx, "2026-Q2"))
        assert snapshot_bytes(sample_store) == before


class TestSecondRead:
    """What a second read of the change found, each fixed and held here."""

    def _q1(self, store):
        do(store, lambda tx: planning.new_cycle(tx, {"id": "2027-Q1", "start": "2027-01-01", "end": "2027-03-31"}))

    def test_moving_back_and_forth_never_doubles_a_history(self, store, sample_store):
        self._q1(store)
        before = find_kr(export_doc(sample_store), "KR-28")["checkins"]
        do(store, lambda tx: planning.move(tx, "O-9", "2027-Q1"))
        do(store, lambda tx: planning.move(tx, "O-9", "2026-Q4"))
        back = do(store, lambda tx: planning.move(tx, "O-9", "2027-Q1"))
        assert find_kr(export_doc(sample_store), "KR-28")["checkins"] == before
        undo(store, back)
        assert find_kr(export_doc(sample_store), "KR-28")["checkins"] == before

    def test_undo_of_a_check_in_is_refused_after_a_later_back_dated_one(self, store, sample_store):
        mine = operations.record_checkin(store, "KR-28", "14", author="ana", now=NOW)
        operations.record_checkin(store, "KR-28", "9", author="bob", at=NOW - dt.timedelta(hours=1),
                                  now=NOW + dt.timedelta(minutes=1))
        with pytest.raises(Conflict):
            undo(store, mine.command)
        values = [c["value"] for c in find_kr(export_doc(sample_store), "KR-28")["checkins"]]
        assert values[-2:] == [14, 9]

    def test_undo_of_a_move_is_refused_after_a_check_in_in_the_new_cycle(self, store, sample_store):
        do(store, lambda tx: planning.new_cycle(tx, {"id": "2026-11", "start": "2026-11-01", "end": "2026-11-30"}))
        moved = do(store, lambda tx: planning.move(tx, "O-9", "2026-11"))
        operations.record_checkin(store, "KR-28", "9", author="bob", now=NOW)
        with pytest.raises(Conflict):
            undo(store, moved)
        notes = [c["author"] for c in find_kr(export_doc(sample_store), "KR-28")["checkins"]]
        assert "bob" in notes

    def test_a_metric_with_other_values_cannot_become_a_milestone(self, store, sample_store):
        before = snapshot_bytes(sample_store)
        with pytest.raises(InvalidInput, match="a milestone takes only"):
            do(store, lambda tx: planning.edit_key_result(tx, "KR-28", {"kind": "milestone", "start": 0, "target": 1,
                                                                        "current": 0}))
        assert snapshot_bytes(sample_store) == before

    @pytest.mark.parametrize("author", ["x" * 65, "a\x1bb", "a\u202eb", ""])
    def test_a_planning_author_is_validated_like_a_check_in_author(self, store, sample_store, author):
        before = snapshot_bytes(sample_store)
        with pytest.raises(InvalidInput, match="author"):
            do(store, lambda tx: planning.edit_objective(tx, "O-9", {"title": "x"}), author=author)
        assert snapshot_bytes(sample_store) == before

    def test_a_cycle_never_grows_past_what_a_store_reads(self, store, sample_store, monkeypatch):
        from okrtui.domain import changes

        monkeypatch.setattr(changes, "MAX_KEY_RESULTS_PER_CYCLE", 36)  # 2026-Q4 holds 36 key results
        before = snapshot_bytes(sample_store)
        with pytest.raises(InvalidInput, match="would hold 37 key results"):
            do(store, lambda tx: planning.new_key_result(tx, "O-9", {"title": "One more", "start": 0, "target": 1}))
        assert snapshot_bytes(sample_store) == before

    def test_a_link_someone_added_meanwhile_stays(self, store, sample_store):
        do(store, lambda tx: planning.set_links(tx, "L1", ["P1", "P4", "P6", "P2"]), author="ben")
        do(store, lambda tx: planning.toggle_link(tx, "L1", "P3"))
        from conftest import export_doc as exported

        assert strategic(exported(sample_store), "L1")["drives"] == ["P1", "P4", "P6", "P2", "P3"]
        label = do(store, lambda tx: planning.toggle_link(tx, "L1", "P2")).label
        assert label == "L1 no longer drives P2"

    def test_a_strategy_edit_rewrites_no_cycle(self, store, sample_store):
        from conftest import main_tables as tables

        files = {e["id"]: e["file"] for e in tables(sample_store)["cycles"].values()}
        doc = strategic(export_doc(sample_store), "F2")
        do(store, lambda tx: planning.edit_strategic(tx, "F2", {**doc, "title": "Better margin"}))
        assert {e["id"]: e["file"] for e in tables(sample_store)["cycles"].values()} == files
        do(store, lambda tx: planning.delete_strategic(tx, "F1"))  # O-9 in 2026-Q4 serves it: only Q4 is written
        after = {e["id"]: e["file"] for e in tables(sample_store)["cycles"].values()}
        assert [c for c in files if after[c] != files[c]] == ["2026-Q4"]
