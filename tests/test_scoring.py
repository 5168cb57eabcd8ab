"""Scoring, balance and hints against the contract's §3 and §4, with numbers worked by hand."""

from __future__ import annotations

import copy
import datetime as dt
import math
from datetime import date

import pytest

from okrtui.domain.models import Cycle, KeyResult, Measure, Objective, StrategicObjective
from okrtui.domain.scoring import (
    EPS,
    Change,
    CycleScores,
    Hint,
    band,
    cycle_order,
    default_cycle,
    effective_alignment,
    elapsed,
    hints,
    kr_score,
    measure_attainment,
    objective_score,
    pace,
    ripple,
    score_cycle,
)

approx = pytest.approx

# ---------------------------------------------------------------- helpers


def kr(ref, start=0, target=100, current=0, weight=1, kind="metric", checkins=()):
    data = {"ref": ref, "title": f"Key result {ref}", "kind": kind, "start": start, "target": target,
            "current": current, "weight": weight}
    if checkins:
        data["checkins"] = [{"at": at, "author": "ana", "value": current, "confidence": "on-track"} for at in checkins]
    return KeyResult.model_validate(data)


def ms(ref, done, weight=1):
    return kr(ref, 0, 1, 1 if done else 0, weight=weight, kind="milestone")


def obj(ref, aligned_to=None, parent=None, owner="", krs=()):
    return Objective(ref=ref, title=f"Objective {ref}", owner=owner, aligned_to=aligned_to, parent=parent,
                     key_results=list(krs))


def cycle(id, start, end, objectives=()):
    return Cycle(id=id, start=start, end=end, objectives=list(objectives))


def so(code, perspective="financial", measures=()):
    return StrategicObjective(code=code, title=f"Strategic {code}", perspective=perspective, measures=list(measures))


def measure(baseline, target, actual):
    return Measure(name="KPI", baseline=baseline, target=target, actual=actual)


def q4(objectives=()):
    return cycle("2026-Q4", "2026-10-01", "2026-12-31", objectives)  # 31 + 30 + 31 = 92 days


AS_OF = date(2026, 11, 20)
STRATEGY = [so("F1", "financial"), so("F2", "financial"), so("C1", "customer"),
            so("I1", "internal_process"), so("L1", "learning_growth")]


def kinds(found, kind):
    return [h.ref for h in found if h.kind == kind]


# ---------------------------------------------------------------- §3 key results


def test_metric_key_result_is_progress_from_start_to_target():
    assert kr_score(kr("KR-1", 0, 100, 40)) == approx(0.4)  # (40-0)/(100-0)


def test_metric_lower_is_better_needs_no_flag():
    assert kr_score(kr("KR-1", 800, 300, 500)) == approx(0.6)  # (500-800)/(300-800) = -300/-500


@pytest.mark.parametrize("start,target,current,expected", [
    (0, 100, 150, 1.0),    # 150/100 = 1.5 -> clamped to 1
    (0, 100, -10, 0.0),    # -10/100 = -0.1 -> clamped to 0
    (800, 300, 200, 1.0),  # (200-800)/(300-800) = 1.2 -> 1
    (800, 300, 900, 0.0),  # (900-800)/(300-800) = -0.2 -> 0
    (10, 20, 10, 0.0),     # (10-10)/10 = 0
    (10, 20, 20, 1.0),     # (20-10)/10 = 1
])
def test_metric_is_clamped_both_ways(start, target, current, expected):
    assert kr_score(kr("KR-1", start, target, current)) == expected


def test_section3_example_is_exactly_on_the_yellow_threshold():
    score = kr_score(kr("KR-1", 7, 5, 6.2))  # (6.2-7)/(5-7) = -0.8/-2 = 0.4 (0.39999999999999991 in binary)
    assert score == approx(0.4)
    assert band(score) == "yellow"


@pytest.mark.parametrize("score,expected", [
    (0.4, "yellow"),             # 0.4 is not < 0.4
    (0.7, "green"),              # 0.7 is not < 0.7
    (0.39999999999, "yellow"),   # 1e-11 below 0.4: within 1e-9, counts as 0.4
    (0.4 - 1e-10, "yellow"),     # within 1e-9
    (0.4 - 1e-8, "red"),         # 1e-8 below: a real difference
    (0.39, "red"),
    (0.7 - 1e-10, "green"),      # within 1e-9 of 0.7
    (0.69, "yellow"),
    (0.0, "red"),
    (1.0, "green"),
    (None, None),
])
def test_band_edges(score, expected):
    assert band(score) == expected


def test_milestone_is_one_when_done_else_zero():
    assert kr_score(ms("KR-1", True)) == 1.0   # current = 1
    assert kr_score(ms("KR-2", False)) == 0.0  # current = 0


# ---------------------------------------------------------------- §3 objectives


def test_objective_is_weighted_mean_of_key_results():
    o = obj("O-1", krs=[kr("KR-1", 0, 100, 40, weight=1), kr("KR-2", 0, 10, 10, weight=3)])
    assert objective_score(o) == approx(0.85)  # (1*0.4 + 3*1.0) / (1+3) = 3.4/4


def test_objective_mixes_metrics_and_weighted_milestones():
    o = obj("O-1", krs=[kr("KR-1", 0, 100, 40), kr("KR-2", 0, 10, 5), ms("KR-3", True, weight=2)])
    assert objective_score(o) == approx(0.725)  # (0.4 + 0.5 + 2*1) / (1+1+2) = 2.9/4


def test_objective_with_equal_weights_is_plain_mean():
    o = obj("O-1", krs=[kr("KR-1", 0, 100, 20), ms("KR-2", False), kr("KR-3", 0, 4, 4)])
    assert objective_score(o) == approx(0.4)  # (0.2 + 0 + 1) / 3 = 1.2/3


def test_objective_without_key_results_is_null():
    assert objective_score(obj("O-1")) is None


def test_children_do_not_roll_into_parents():
    parent = obj("O-1", aligned_to="F1", krs=[kr("KR-1", 0, 100, 40)])
    child = obj("O-2", parent="O-1", krs=[kr("KR-2", 0, 100, 100)])
    scores = score_cycle(STRATEGY, q4([parent, child]), AS_OF)
    assert scores.objective == {"O-1": approx(0.4), "O-2": 1.0}  # the parent keeps only its own 40/100
    assert scores.strategic["F1"] == approx(0.7)  # both serve F1: (0.4 + 1.0) / 2


# ---------------------------------------------------------------- §3 effective alignment


def test_effective_alignment_follows_parents_recursively():
    c = q4([
        obj("O-1", aligned_to="F1"),
        obj("O-2", parent="O-1"),                   # parent's: F1
        obj("O-3", parent="O-2"),                   # grandparent's: F1
        obj("O-4", aligned_to="C1", parent="O-1"),  # its own alignment wins: C1
        obj("O-5"),                                 # no alignment, no parent
        obj("O-6", parent="O-5"),                   # parent is unaligned
        obj("O-7", parent="O-99"),                  # unknown parent
    ])
    assert effective_alignment(c) == {"O-1": "F1", "O-2": "F1", "O-3": "F1", "O-4": "C1",
                                      "O-5": None, "O-6": None, "O-7": None}


def test_effective_alignment_treats_a_parent_loop_as_unaligned():
    c = q4([obj("O-3", parent="O-1"), obj("O-1", parent="O-2"), obj("O-2", parent="O-1"),
            obj("O-4", parent="O-4"), obj("O-5", aligned_to="L1", parent="O-6"), obj("O-6", parent="O-5")])
    # O-5/O-6 loop but O-5 says where it belongs, so both reach L1.
    assert effective_alignment(c) == {"O-3": None, "O-1": None, "O-2": None, "O-4": None, "O-5": "L1", "O-6": "L1"}


# ---------------------------------------------------------------- §3 strategy, perspectives, overall


def test_strategic_objective_is_mean_of_its_okrs_skipping_nulls():
    c = q4([
        obj("O-1", aligned_to="F1", krs=[kr("KR-1", 0, 100, 40)]),  # 0.4
        obj("O-2", aligned_to="F1"),                                # null: no key results
        obj("O-3", parent="O-1", krs=[kr("KR-2", 0, 100, 100)]),    # 1.0, F1 through its parent
        obj("O-4", aligned_to="C1"),                                # C1's only OKR is null
    ])
    s = score_cycle(STRATEGY, c, AS_OF)
    assert s.strategic["F1"] == approx(0.7)  # (0.4 + 1.0) / 2, O-2 skipped
    assert s.okr_count["F1"] == 3           # O-1, O-2, O-3 all serve F1, null or not
    assert s.strategic["C1"] is None         # all its OKRs are null
    assert s.okr_count["C1"] == 1
    assert s.strategic["L1"] is None         # no OKR at all
    assert s.okr_count["L1"] == 0
    assert list(s.strategic) == ["F1", "F2", "C1", "I1", "L1"]  # every code, store order


def test_perspective_and_overall_are_means_of_non_null_scores():
    c = q4([
        obj("O-1", aligned_to="F1", krs=[kr("KR-1", 0, 100, 70)]),  # F1 = 0.7
        obj("O-2", aligned_to="C1", krs=[kr("KR-2", 0, 100, 20)]),  # C1 = 0.2
        obj("O-3", aligned_to="L1", krs=[kr("KR-3", 0, 100, 60)]),  # L1 = 0.6
    ])
    s = score_cycle(STRATEGY, c, AS_OF)
    assert s.strategic["F2"] is None
    assert s.perspective == {
        "financial": approx(0.7),          # mean of F1 only; F2 null is skipped
        "customer": approx(0.2),
        "internal_process": None,          # I1 is null
        "learning_growth": approx(0.6),
    }
    assert s.overall == approx(0.5)  # (0.7 + 0.2 + 0.6) / 3 = 1.5/3
    assert list(s.perspective) == ["financial", "customer", "internal_process", "learning_growth"]


def test_perspective_mean_over_two_strategic_objectives():
    c = q4([obj("O-1", aligned_to="F1", krs=[kr("KR-1", 0, 100, 80)]),
            obj("O-2", aligned_to="F2", krs=[kr("KR-2", 0, 100, 30)])])
    s = score_cycle(STRATEGY, c, AS_OF)
    assert s.perspective["financial"] == approx(0.55)  # (0.8 + 0.3) / 2
    assert s.overall == approx(0.55)                   # the only non-null perspective


def test_overall_is_null_when_every_perspective_is_null():
    s = score_cycle(STRATEGY, q4([obj("O-1", aligned_to="F1")]), AS_OF)
    assert s.perspective == dict.fromkeys(["financial", "customer", "internal_process", "learning_growth"])
    assert s.overall is None


def test_as_of_does_not_change_scores():
    c = q4([obj("O-1", aligned_to="F1", krs=[kr("KR-1", 0, 100, 40)])])
    early, late = score_cycle(STRATEGY, c, date(2026, 10, 2)), score_cycle(STRATEGY, c, date(2027, 3, 1))
    assert early.kr == late.kr == {"KR-1": approx(0.4)}
    assert early.overall == late.overall
    assert early.elapsed != late.elapsed


# ---------------------------------------------------------------- §3 measures


@pytest.mark.parametrize("baseline,target,actual,expected", [
    (10, 15, 12, 0.4),      # (12-10)/(15-10) = 2/5
    (50, 30, 35, 0.75),     # lower is better: (35-50)/(30-50) = -15/-20
    (10, 15, 20, 1.0),      # 10/5 = 2 -> clamped to 1
    (10, 15, 5, 0.0),       # -5/5 -> clamped to 0
    (10, 15, None, None),   # no actual -> null
    (None, 15, 15, 1.0),    # no baseline: actual >= target
    (None, 15, 16, 1.0),
    (None, 15, 14.9, 0.0),  # no baseline: below target
    (None, 15, None, None),
    (5, 5, 5, 1.0),         # baseline == target: actual >= target
    (5, 5, 4, 0.0),         # baseline == target: below
])
def test_measure_attainment(baseline, target, actual, expected):
    result = measure_attainment(measure(baseline, target, actual))
    assert result == (None if expected is None else approx(expected))


# ---------------------------------------------------------------- §3 elapsed and pace


@pytest.mark.parametrize("as_of,expected", [
    (date(2026, 10, 1), 0.0),         # start date: 0/92
    (date(2026, 12, 31), 91 / 92),    # end date of a 92-day cycle: (n-1)/n
    (date(2027, 1, 1), 1.0),          # day after: 92/92
    (date(2027, 6, 1), 1.0),          # long after: clamped
    (date(2026, 9, 1), 0.0),          # before start: -30/92 clamped
    (date(2026, 11, 20), 50 / 92),    # 30 (Oct) + 19 (Nov) + 1 = 50 days in: 0.543
])
def test_elapsed(as_of, expected):
    assert elapsed(q4(), as_of) == approx(expected)


def test_elapsed_of_a_one_day_cycle():
    one = cycle("day", "2026-05-05", "2026-05-05")
    assert elapsed(one, date(2026, 5, 5)) == 0.0   # 0 / (0+1)
    assert elapsed(one, date(2026, 5, 6)) == 1.0   # 1 / 1


@pytest.mark.parametrize("score,elapsed_,expected", [
    (0.5, 0.0, None),                # not begun
    (0.0, 1.0, None),                # over
    (0.0, 1.0 - 1e-10, None),        # within 1e-9 of 1: over
    (0.0, 1e-10, None),              # within 1e-9 of 0: not begun
    (0.4, 0.5, "on-pace"),           # exactly 0.5 - 0.1: not below
    (0.39, 0.5, "behind"),           # 0.39 < 0.4
    (0.4 - 1e-10, 0.5, "on-pace"),   # within 1e-9 of 0.4
    (0.3, 0.4, "on-pace"),           # 0.4 - 0.1 is 0.30000000000000004 in binary; EPS makes it 0.3
    (0.0, 0.05, "on-pace"),          # 0 is not < 0.05 - 0.1
    (0.9, 0.5, "on-pace"),
])
def test_pace(score, elapsed_, expected):
    assert pace(score, elapsed_) == expected


# ---------------------------------------------------------------- §4 shares, index, warnings


def spread(counts):
    """A cycle with counts[p] objectives aligned to each perspective's objective (F1, C1, I1, L1)."""
    objectives, n = [], 0
    for code, count in zip(["F1", "C1", "I1", "L1"], counts):
        for _ in range(count):
            n += 1
            objectives.append(obj(f"O-{n}", aligned_to=code, krs=[kr(f"KR-{n}", 0, 100, 50)]))
    return objectives


def test_even_spread_has_index_one_and_no_warnings():
    s = score_cycle(STRATEGY, q4(spread([1, 1, 1, 1])), AS_OF)
    assert s.shares == {"financial": 0.25, "customer": 0.25, "internal_process": 0.25, "learning_growth": 0.25}
    assert s.index == approx(1.0)  # -4 * 0.25 ln 0.25 / ln 4 = ln 4 / ln 4
    assert s.warnings == []


def test_all_in_one_perspective_has_index_zero():
    s = score_cycle(STRATEGY, q4(spread([3, 0, 0, 0])), AS_OF)
    assert s.shares == {"financial": 1.0, "customer": 0.0, "internal_process": 0.0, "learning_growth": 0.0}
    assert s.index == 0.0  # -(1 ln 1) / ln 4 = 0; zero shares count 0
    assert math.copysign(1, s.index) == 1  # not -0.0
    assert len(s.warnings) == 3  # one per zero-share perspective
    assert all(name in " ".join(s.warnings) for name in ("Customer", "Internal Process", "Learning & Growth"))


def test_index_of_a_four_three_two_one_spread():
    s = score_cycle(STRATEGY, q4(spread([4, 3, 2, 1])), AS_OF)
    assert s.shares == approx({"financial": 0.4, "customer": 0.3, "internal_process": 0.2, "learning_growth": 0.1})
    # H = 0.4*0.916291 + 0.3*1.203973 + 0.2*1.609438 + 0.1*2.302585
    #   = 0.366516 + 0.361192 + 0.321888 + 0.230259 = 1.279854;  1.279854 / ln 4 (1.386294) = 0.923220
    assert s.index == approx(0.923220, abs=1e-6)
    assert s.warnings == []  # 0.1 is not below 0.10


def test_share_below_ten_percent_warns_once():
    s = score_cycle(STRATEGY, q4(spread([5, 3, 2, 1])), AS_OF)
    assert s.shares["learning_growth"] == approx(1 / 11)  # 0.0909 < 0.10
    assert len(s.warnings) == 1
    assert "Learning & Growth" in s.warnings[0]


def test_unaligned_objectives_give_one_warning_and_stay_out_of_shares():
    objectives = spread([1, 1, 1, 1]) + [obj("O-10", krs=[kr("KR-10")]), obj("O-11"), obj("O-12", parent="O-11")]
    s = score_cycle(STRATEGY, q4(objectives), AS_OF)
    assert s.shares == {"financial": 0.25, "customer": 0.25, "internal_process": 0.25, "learning_growth": 0.25}
    assert len(s.warnings) == 1  # three unaligned objectives, one warning
    assert "not aligned" in s.warnings[0]


def test_cascaded_children_count_in_shares():
    objectives = [obj("O-1", aligned_to="F1"), obj("O-2", parent="O-1"), obj("O-3", parent="O-2"),
                  obj("O-4", aligned_to="C1")]
    s = score_cycle(STRATEGY, q4(objectives), AS_OF)
    assert s.shares["financial"] == 0.75  # O-1, O-2, O-3 of 4 aligned
    assert s.shares["customer"] == 0.25


def test_no_aligned_objective_has_zero_shares_null_index_and_five_warnings():
    s = score_cycle(STRATEGY, q4([obj("O-1", krs=[kr("KR-1", 0, 100, 40)]), obj("O-2")]), AS_OF)
    assert s.shares == dict.fromkeys(["financial", "customer", "internal_process", "learning_growth"], 0.0)
    assert s.index is None
    assert len(s.warnings) == 5  # four zero shares + one unaligned
    assert s.overall is None     # the unaligned objective feeds no perspective
    assert s.objective["O-1"] == approx(0.4)


def test_cycle_without_objectives_has_four_zero_share_warnings():
    s = score_cycle(STRATEGY, q4(), AS_OF)
    assert s.index is None
    assert len(s.warnings) == 4


def test_no_cycle_scores_null_with_no_warnings():
    s = score_cycle(STRATEGY, None, AS_OF)
    assert s.cycle is None and s.elapsed is None and s.overall is None and s.index is None
    assert s.kr == {} and s.objective == {} and s.effective == {}
    assert s.strategic == dict.fromkeys(["F1", "F2", "C1", "I1", "L1"])
    assert s.okr_count == dict.fromkeys(["F1", "F2", "C1", "I1", "L1"], 0)
    assert s.perspective == dict.fromkeys(["financial", "customer", "internal_process", "learning_growth"])
    assert s.shares == dict.fromkeys(["financial", "customer", "internal_process", "learning_growth"], 0.0)
    assert s.warnings == []


def test_no_cycle_gives_only_crowded_hints():
    strategy = [so(f"F{i}") for i in range(1, 8)]  # 7 financial
    found = hints(strategy, [], score_cycle(strategy, None, AS_OF))
    assert [(h.kind, h.ref) for h in found] == [("crowded", "financial")]


# ---------------------------------------------------------------- §4 hints


def hints_for(objectives, strategy=STRATEGY, as_of=AS_OF):
    c = q4(objectives)
    return hints(strategy, [c], score_cycle(strategy, c, as_of))


def test_orphan_is_a_strategic_objective_no_okr_serves():
    found = hints_for([obj("O-1", aligned_to="F1", krs=[kr("KR-1")]),
                       obj("O-2", aligned_to="C1"),                 # no key results: C1 is null, not orphan
                       obj("O-3", parent="O-4"), obj("O-4", aligned_to="I1")])
    assert kinds(found, "orphan") == ["F2", "L1"]


def test_orphan_reached_only_through_a_cascaded_child_is_not_orphan():
    found = hints_for([obj("O-1", aligned_to="L1"), obj("O-2", parent="O-1")])
    assert "L1" not in kinds(found, "orphan")


def test_unaligned_objective_hint():
    found = hints_for([obj("O-1", aligned_to="F1"), obj("O-2"), obj("O-3", parent="O-2"), obj("O-4", parent="O-1")])
    assert kinds(found, "unaligned") == ["O-2", "O-3"]


@pytest.mark.parametrize("count,hinted", [(0, True), (2, True), (3, False), (5, False), (6, True)])
def test_kr_count_outside_three_to_five(count, hinted):
    krs = [kr(f"KR-{i}") for i in range(1, count + 1)]
    found = hints_for([obj("O-1", aligned_to="F1", krs=krs)])
    assert kinds(found, "kr-count") == (["O-1"] if hinted else [])


def untrimmed(ref, owner):
    """An objective whose owner skipped the model's trimming (as a hand-built model could)."""
    return Objective.model_construct(ref=ref, title="t", owner=owner, aligned_to=None, parent=None, key_results=[])


def test_objective_count_trims_owner_and_is_case_sensitive():
    objectives = (
        [obj(f"O-{i}", owner="sales") for i in range(1, 6)] + [untrimmed("O-6", "  sales ")]  # 6 x sales
        + [obj(f"O-{i}", owner="ops") for i in range(7, 12)] + [obj("O-12", owner="Ops")]      # 5 ops, 1 Ops
        + [obj(f"O-{i}", owner="") for i in range(13, 20)]                                      # 7 without owner
    )
    objectives[-1] = obj("O-19", owner="   ")  # blank after trimming is no owner
    assert kinds(hints_for(objectives), "objective-count") == ["sales"]


def test_five_objectives_per_owner_is_fine():
    assert kinds(hints_for([obj(f"O-{i}", owner="sales") for i in range(1, 6)]), "objective-count") == []


def stale_refs(key_results, as_of):
    return kinds(hints_for([obj("O-1", aligned_to="F1", krs=key_results)], as_of=as_of), "stale")


def test_stale_after_more_than_fourteen_whole_days():
    key_results = [kr("KR-1", checkins=["2026-11-06T09:00:00Z"]),   # Nov 20 - Nov 6 = 14 days: fresh
                   kr("KR-2", checkins=["2026-11-05T23:59:00Z"]),   # 15 days: stale
                   kr("KR-3", checkins=["2026-11-05T20:00:00-05:00"]),  # = Nov 6 01:00 UTC: 14 days
                   kr("KR-4", checkins=["2026-10-02T00:00:00Z", "2026-11-10T00:00:00Z"])]  # latest: 10 days
    assert stale_refs(key_results, AS_OF) == ["KR-2"]


def test_stale_back_dated_check_in_counts_from_cycle_start():
    key_results = [kr("KR-1", checkins=["2026-09-01T00:00:00Z"])]  # before start: counts as Oct 1
    assert stale_refs(key_results, date(2026, 10, 15)) == []        # Oct 15 - Oct 1 = 14
    assert stale_refs(key_results, date(2026, 10, 16)) == ["KR-1"]  # 15


def test_stale_without_check_ins_counts_from_cycle_start():
    assert stale_refs([kr("KR-1")], date(2026, 10, 15)) == []        # 14 days
    assert stale_refs([kr("KR-1")], date(2026, 10, 16)) == ["KR-1"]  # 15 days
    assert stale_refs([kr("KR-1")], date(2026, 12, 31)) == ["KR-1"]  # end date: elapsed 91/92 < 1


def test_stale_only_while_the_cycle_runs():
    assert stale_refs([kr("KR-1")], date(2027, 1, 1)) == []   # elapsed 1: over (92 days since start)
    assert stale_refs([kr("KR-1")], date(2026, 10, 1)) == []  # elapsed 0
    assert stale_refs([kr("KR-1")], date(2026, 9, 1)) == []   # before start, elapsed 0


def test_stale_counts_a_check_in_after_the_as_of_date():
    key_results = [kr("KR-1", checkins=["2026-10-02T00:00:00Z", "2026-11-25T00:00:00Z"])]
    assert stale_refs(key_results, AS_OF) == []  # latest is Nov 25: -5 days


def test_stale_uses_the_latest_check_in_time_without_the_history():
    c = q4([obj("O-1", aligned_to="F1", krs=[kr("KR-1"), kr("KR-2")])])
    loaded, gone = c.objectives[0].key_results
    # How the store keeps the latest time when the history is not loaded. Set after building the
    # cycle: KeyResult's after-validator runs again when an instance is nested and resets it.
    loaded._last_at = dt.datetime(2026, 11, 10, tzinfo=dt.timezone.utc)
    gone._last_at = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    assert loaded.checkins == [] and gone.checkins == []
    found = hints(STRATEGY, [c], score_cycle(STRATEGY, c, AS_OF))
    assert kinds(found, "stale") == ["KR-2"]  # Nov 20 - Nov 10 = 10 days; Nov 20 - Nov 1 = 19 days


def make_kr(ref, current):
    return kr(ref, 0, 100, current)


Q1 = ("2026-Q1", "2026-01-01", "2026-03-31")
Q2 = ("2026-Q2", "2026-04-01", "2026-06-30")
Q3 = ("2026-Q3", "2026-07-01", "2026-09-30")


def sandbag(cycles, as_of=AS_OF, report=None):
    report = report or cycles[-1]
    return kinds(hints(STRATEGY, cycles, score_cycle(STRATEGY, report, as_of)), "sandbagging")


def test_sandbagging_over_the_two_latest_past_cycles():
    q2 = cycle(*Q2, [obj("O-1", owner="sales", krs=[make_kr("KR-1", 100)]),
                     obj("O-2", owner="ops", krs=[make_kr("KR-2", 100)]),
                     obj("O-3", owner="fin", krs=[make_kr("KR-3", 99)]),    # 99/100 = 0.99: counts
                     obj("O-4", owner="hr", krs=[make_kr("KR-4", 98)])])    # 0.98 < 0.99
    q3 = cycle(*Q3, [obj("O-5", owner="sales", krs=[make_kr("KR-5", 100)]),
                     obj("O-6", owner=" sales", krs=[make_kr("KR-6", 100), ms("KR-7", True)]),
                     obj("O-7", owner="ops", krs=[make_kr("KR-8", 100)]),
                     obj("O-8", owner="ops"),                               # null score counts as below
                     obj("O-9", owner="fin", krs=[make_kr("KR-9", 100)]),
                     obj("O-10", owner="hr", krs=[make_kr("KR-10", 100)]),
                     obj("O-11", owner="new", krs=[make_kr("KR-11", 100)]),  # only in Q3
                     obj("O-12", owner="", krs=[make_kr("KR-12", 100)])])
    q2.objectives.append(obj("O-13", owner="", krs=[make_kr("KR-13", 100)]))
    now = q4([obj("O-14", owner="ops", krs=[make_kr("KR-14", 0)])])
    assert sandbag([q2, q3, now]) == ["sales", "fin"]
    assert sandbag([q2, q3, now], report=q2) == ["sales", "fin"]  # whichever cycle is shown


def test_sandbagging_ignores_a_third_older_cycle():
    q1 = cycle(*Q1, [obj("O-1", owner="sales", krs=[make_kr("KR-1", 10)])])  # would spoil it if counted
    q2 = cycle(*Q2, [obj("O-2", owner="sales", krs=[make_kr("KR-2", 100)]),
                     obj("O-3", owner="ops", krs=[make_kr("KR-3", 100)])])
    q3 = cycle(*Q3, [obj("O-4", owner="sales", krs=[make_kr("KR-4", 100)])])
    q1.objectives.append(obj("O-5", owner="ops", krs=[make_kr("KR-5", 100)]))  # ops: Q1 and Q2, not Q3
    assert sandbag([q1, q2, q3, q4()]) == ["sales"]


def test_sandbagging_needs_two_past_cycles():
    q2 = cycle(*Q2, [obj("O-1", owner="sales", krs=[make_kr("KR-1", 100)])])
    q3 = cycle(*Q3, [obj("O-2", owner="sales", krs=[make_kr("KR-2", 100)])])
    assert sandbag([q2, q3, q4()], as_of=date(2026, 8, 15)) == []    # only Q2 has ended
    assert sandbag([q2, q3, q4()], as_of=date(2026, 9, 30)) == []    # Q3 ends on the as-of date: not past
    assert sandbag([q2, q3, q4()], as_of=date(2026, 10, 1)) == ["sales"]  # now both are past


def test_sandbagging_ties_on_end_date_go_to_the_later_in_store_order():
    d = cycle("oct", "2026-10-01", "2026-10-31", [obj("O-1", owner="sales", krs=[make_kr("KR-1", 100)])])
    a = cycle("a", "2026-07-01", "2026-09-30", [obj("O-2", owner="sales", krs=[make_kr("KR-2", 100)])])
    b = cycle("b", "2026-08-01", "2026-09-30", [obj("O-3", owner="sales", krs=[make_kr("KR-3", 50)])])
    as_of = date(2026, 11, 20)
    assert sandbag([d, a, b], as_of) == []           # pair is oct + b (later of the tie); b scores 0.5
    assert sandbag([d, b, a], as_of) == ["sales"]    # pair is oct + a; both 1.0


def test_crowded_perspective():
    strategy = [so(f"F{i}", "financial") for i in range(1, 8)] + [so(f"C{i}", "customer") for i in range(1, 7)]
    c = q4()
    found = hints(strategy, [c], score_cycle(strategy, c, AS_OF))
    assert kinds(found, "crowded") == ["financial"]  # 7 > 6; customer's 6 is fine


def test_hints_are_unique_and_ordered_by_kind():
    c = q4([obj(f"O-{i}", owner="sales", krs=[kr(f"KR-{i}")]) for i in range(1, 7)])
    strategy = STRATEGY + [so(f"X{i}", "customer") for i in range(1, 7)]  # 7 customer objectives
    found = hints(strategy, [c], score_cycle(strategy, c, AS_OF))
    order = ["orphan", "unaligned", "kr-count", "objective-count", "stale", "sandbagging", "crowded"]
    seen_kinds = [h.kind for h in found]
    assert seen_kinds == sorted(seen_kinds, key=order.index)
    assert set(seen_kinds) == {"orphan", "unaligned", "kr-count", "objective-count", "stale", "crowded"}
    assert len({(h.kind, h.ref) for h in found}) == len(found)
    assert all(isinstance(h, Hint) and h.message.strip() for h in found)


# ---------------------------------------------------------------- default cycle and order


def test_default_cycle_contains_the_as_of_date_latest_starting_wins():
    year = cycle("2026", "2026-01-01", "2026-12-31")
    q3, now = cycle(*Q3), q4()
    assert default_cycle([year, q3, now], AS_OF) is now  # year and Q4 contain Nov 20; Q4 started later


def test_default_cycle_ties_go_to_the_first_in_store_order():
    a, b = cycle("a", "2026-10-01", "2026-12-31"), cycle("b", "2026-10-01", "2026-11-30")
    assert default_cycle([a, b], AS_OF) is a
    assert default_cycle([b, a], AS_OF) is b
    past_a, past_b = cycle("pa", "2026-04-01", "2026-06-30"), cycle("pb", "2026-04-01", "2026-05-31")
    assert default_cycle([past_b, past_a], AS_OF) is past_b


def test_default_cycle_is_latest_started_when_none_contains_the_date():
    q1, q2, later = cycle(*Q1), cycle(*Q2), cycle("2027-Q1", "2027-01-01", "2027-03-31")
    assert default_cycle([q2, later, q1], date(2026, 8, 1)) is q2  # Q2 started after Q1; 2027 not yet


def test_default_cycle_is_first_in_store_order_when_none_has_started():
    later, q3 = cycle("2027-Q1", "2027-01-01", "2027-03-31"), cycle(*Q3)
    assert default_cycle([later, q3], date(2026, 1, 1)) is later


def test_default_cycle_contains_on_start_and_end_dates():
    q3, now = cycle(*Q3), q4()
    assert default_cycle([now, q3], date(2026, 9, 30)) is q3
    assert default_cycle([q3, now], date(2026, 10, 1)) is now


def test_default_cycle_of_no_cycles_is_none():
    assert default_cycle([], AS_OF) is None


def test_cycle_order_is_by_start_then_store_order():
    now, q1, b = q4(), cycle(*Q1), cycle("b", "2026-01-01", "2026-12-31")
    assert [c.id for c in cycle_order([now, q1, b])] == ["2026-Q1", "b", "2026-Q4"]
    assert [c.id for c in cycle_order([now, b, q1])] == ["b", "2026-Q1", "2026-Q4"]


# ---------------------------------------------------------------- ripple


def ripple_cycle():
    return q4([
        obj("O-1", aligned_to="F1", owner="sales",
            krs=[kr("KR-1", 0, 100, 40), kr("KR-2", 0, 10, 5), ms("KR-3", True, weight=2)]),  # (0.4+0.5+2)/4 = 0.725
        obj("O-2", parent="O-1", krs=[kr("KR-4", 800, 300, 500)]),    # 0.6, F1 through its parent
        obj("O-3", aligned_to="F2", krs=[kr("KR-5", 0, 100, 20)]),    # 0.2
        obj("O-4", aligned_to="C1", krs=[kr("KR-6", 0, 100, 80)]),    # 0.8
        obj("O-5", aligned_to="I1"),                                   # null
        obj("O-6", krs=[kr("KR-7", 0, 100, 50)]),                      # unaligned, 0.5
    ])
    # F1 = (0.725 + 0.6)/2 = 0.6625; Financial = (0.6625 + 0.2)/2 = 0.43125; Customer 0.8
    # Internal null, Learning null (L1 orphan); Overall = (0.43125 + 0.8)/2 = 0.615625


def public(scores):
    return {name: getattr(scores, name) for name in CycleScores.FIELDS if name != "cycle"}


def rescored(c, kr_ref, value):
    copy_ = c.model_copy(deep=True)
    for o in copy_.objectives:
        for k in o.key_results:
            if k.ref == kr_ref:
                k.current = value
    return score_cycle(STRATEGY, copy_, AS_OF)


def test_ripple_fixture_scores():
    s = score_cycle(STRATEGY, ripple_cycle(), AS_OF)
    assert s.objective["O-1"] == approx(0.725)
    assert s.strategic["F1"] == approx(0.6625)
    assert s.perspective["financial"] == approx(0.43125)
    assert s.overall == approx(0.615625)


def as_tuples(changes):
    return [(c.name, c.old, c.new) for c in changes]


def test_ripple_of_an_aligned_key_result_lists_five_changes():
    c = ripple_cycle()
    s = score_cycle(STRATEGY, c, AS_OF)
    changes, new = ripple(STRATEGY, s, "KR-1", 100)
    assert all(isinstance(ch, Change) for ch in changes)
    assert as_tuples(changes) == [
        ("KR-1", approx(0.4), 1.0),                   # 40/100 -> 100/100
        ("O-1", approx(0.725), approx(0.875)),        # (1 + 0.5 + 2)/4 = 3.5/4
        ("F1", approx(0.6625), approx(0.7375)),       # (0.875 + 0.6)/2
        ("Financial", approx(0.43125), approx(0.46875)),  # (0.7375 + 0.2)/2
        ("Overall", approx(0.615625), approx(0.634375)),  # (0.46875 + 0.8)/2
    ]
    assert new.overall == approx(0.634375)


def test_ripple_of_a_milestone_and_of_a_cascaded_child():
    s = score_cycle(STRATEGY, ripple_cycle(), AS_OF)
    changes, _ = ripple(STRATEGY, s, "KR-3", 0)
    assert as_tuples(changes)[1:] == [
        ("O-1", approx(0.725), approx(0.225)),        # (0.4 + 0.5 + 2*0)/4 = 0.9/4
        ("F1", approx(0.6625), approx(0.4125)),       # (0.225 + 0.6)/2
        ("Financial", approx(0.43125), approx(0.30625)),  # (0.4125 + 0.2)/2
        ("Overall", approx(0.615625), approx(0.553125)),  # (0.30625 + 0.8)/2
    ]
    changes, _ = ripple(STRATEGY, s, "KR-4", 300)    # lower is better, reached
    assert as_tuples(changes) == [
        ("KR-4", approx(0.6), 1.0),
        ("O-2", approx(0.6), 1.0),                    # the parent O-1 does not move
        ("F1", approx(0.6625), approx(0.8625)),       # (0.725 + 1)/2
        ("Financial", approx(0.43125), approx(0.53125)),  # (0.8625 + 0.2)/2
        ("Overall", approx(0.615625), approx(0.665625)),  # (0.53125 + 0.8)/2
    ]


def test_ripple_of_an_unaligned_objective_lists_key_result_objective_and_overall():
    s = score_cycle(STRATEGY, ripple_cycle(), AS_OF)
    changes, new = ripple(STRATEGY, s, "KR-7", 90)
    assert as_tuples(changes) == [
        ("KR-7", approx(0.5), approx(0.9)),           # 50/100 -> 90/100
        ("O-6", approx(0.5), approx(0.9)),
        ("Overall", approx(0.615625), approx(0.615625)),  # unaligned feeds no perspective
    ]


@pytest.mark.parametrize("kr_ref,value", [("KR-1", 100), ("KR-3", 0), ("KR-4", 300), ("KR-7", 90), ("KR-6", 81.5)])
def test_ripple_equals_a_full_rescore_and_mutates_nothing(kr_ref, value):
    c = ripple_cycle()
    s = score_cycle(STRATEGY, c, AS_OF)
    before = copy.deepcopy(public(s))
    model_before = c.model_dump()
    _, new = ripple(STRATEGY, s, kr_ref, value)
    assert public(s) == before            # input scores untouched
    assert c.model_dump() == model_before  # models untouched
    assert new is not s
    assert public(new) == public(rescored(c, kr_ref, value))  # bit-identical to rescoring a copy


def test_ripples_chain_like_successive_check_ins():
    c = ripple_cycle()
    s = score_cycle(STRATEGY, c, AS_OF)
    _, s = ripple(STRATEGY, s, "KR-1", 70)
    changes, s = ripple(STRATEGY, s, "KR-2", 10)
    assert changes[0] == Change("KR-2", 0.5, 1.0)
    assert changes[1].old == approx(0.8)    # (0.7 + 0.5 + 2)/4 = 3.2/4 after the first ripple
    assert changes[1].new == approx(0.925)  # (0.7 + 1 + 2)/4 = 3.7/4
    twice = c.model_copy(deep=True)
    twice.objectives[0].key_results[0].current = 70
    twice.objectives[0].key_results[1].current = 10
    assert public(s) == public(score_cycle(STRATEGY, twice, AS_OF))


def test_ripple_of_an_unknown_key_result_is_an_error():
    s = score_cycle(STRATEGY, ripple_cycle(), AS_OF)
    with pytest.raises(KeyError):
        ripple(STRATEGY, s, "KR-99", 1)


def test_eps_is_one_billionth():
    assert EPS == 1e-9
