"""`g`'s search: the ranking's tiers (exact, prefix, words, then fuzzy letters in order),
the marked letters of each match, and the dialog going to a fuzzy match."""

from __future__ import annotations

import json

import pytest

from okrtui.app.screens.goto import MATCHED, prompt
from okrtui.app.search import EXACT, FUZZY, MATCHES_SHOWN, PREFIX, WORDS, Entry, Index, entries, label


def search(query: str, candidates, limit: int = MATCHES_SHOWN):
    """The dialog's search over a list of entries or a prepared index."""
    index = candidates if isinstance(candidates, Index) else Index(candidates)
    return index.search(query, limit)


def rank(query: str, candidates, limit: int = MATCHES_SHOWN) -> list[Entry]:
    return [match.entry for match in search(query, candidates, limit)]
from okrtui.interchange.json_io import read_scorecard

from conftest import SAMPLE
from test_app import DrillScreen, GotoDialog, cursor, make_app, until


@pytest.fixture(scope="module")
def sample() -> Index:
    scorecard = read_scorecard(json.loads(SAMPLE.read_text(encoding="utf-8")), SAMPLE.name)
    return Index(entries(scorecard.strategy, scorecard.cycles))


def marked(match) -> str:
    """The characters of a match's label that it marks as matched."""
    return "".join(label(match.entry)[offset] for offset in match.offsets)


def underlined(content) -> str:
    plain = str(content)
    return "".join(plain[span.start:span.end] for span in content.spans if span.style == MATCHED)


class TestTiers:
    CANDIDATES = (  # in no tier's order, so the order found is the ranking's own
        Entry("KR-8", "key result", "Support level agreements"),  # s·l·a: letters in order
        Entry("KR-9", "key result", "Nothing to see"),
        Entry("KR-7", "key result", "Tier-1 tables within the SLA"),  # the word
        Entry("SLA2", "strategic objective", "Second tier"),  # a code starting with it
        Entry("SLA", "strategic objective", "Meet every service level"),  # the code itself
    )

    def test_exact_then_prefix_then_words_then_fuzzy(self):
        found = search("sla", self.CANDIDATES)
        assert [m.entry.target for m in found] == ["SLA", "SLA2", "KR-7", "KR-8"]
        assert [m.tier for m in found] == [EXACT, PREFIX, WORDS, FUZZY]

    def test_a_strong_fuzzy_match_stays_below_a_weak_word_match(self):
        candidates = [Entry("KR-1", "key result", "Net revenue retention"),
                      Entry("KR-2", "key result", "A long title that holds nrr somewhere near its end")]
        assert [e.target for e in rank("nrr", candidates)] == ["KR-2", "KR-1"]

    def test_the_words_tier_keeps_its_order_and_fuzzy_adds_below_it(self, sample):
        found = sample.search("runbook")
        assert found[0].entry.target == "KR-39" and found[0].tier == WORDS
        assert [m.tier for m in found] == sorted(m.tier for m in found)

    def test_at_most_the_limit(self, sample):
        assert len(sample.search("e")) == 8
        assert len(sample.search("e", limit=3)) == 3


class TestFuzzy:
    def test_nwarr_finds_kr28(self, sample):
        found = sample.search("nwarr")
        assert found[0].entry.target == "KR-28" and found[0].tier == FUZZY
        assert marked(found[0]) == "NwARR"

    def test_abbreviated_words_find_kr28(self, sample):
        found = sample.search("new arr bked")
        assert found[0].entry.target == "KR-28" and found[0].tier == FUZZY
        assert marked(found[0]) == "New ARR bked"

    @pytest.mark.parametrize("query, target", [
        ("kr28", "KR-28"),  # a ref without its dash
        ("mddcc", "KR-3"),  # another cycle's key result
        ("runbok", "KR-39"),  # a letter left out
        ("mdn tm frst dsh", "KR-52"),  # of two titles so abbreviated, the one with nothing more
        ("grwrev", "F1"),  # a strategic objective
    ])
    def test_abbreviations_find_what_they_abbreviate(self, sample, query, target):
        assert rank(query, sample)[0].target == target

    @pytest.mark.parametrize("query", ["zzzq", "nope", "rnubook", "KR-999", "   ", ""])
    def test_what_matches_nothing_gives_nothing(self, sample, query):
        # "Sign-ups dropping off before…" holds n, o, p, e in order, but its n begins no
        # word there, and an abbreviation begins where the words it stands for begin.
        assert sample.search(query) == []

    def test_a_long_repetitive_title_is_searched_in_bounded_work(self):
        # Textual's matcher alone would walk every way to pair these letters: some 6e12.
        title = " ".join(["e r"] * 60)
        found = search("erererererer", [Entry("KR-1", "key result", title)])
        assert [m.entry.target for m in found] == ["KR-1"]
        assert marked(found[0]) == "erererererer"

    def test_case_is_ignored(self, sample):
        assert rank("NWARR", sample)[0].target == "KR-28"


class TestLiteralTitles:
    ENTRY = Entry("KR-5", "key result", "Cut [b]cloud[/b] spend by half", "2026-Q4")

    def test_a_title_with_markup_is_shown_as_typed(self):
        for query in ("cloud", "ccsbh"):  # the words, and letters in order
            (match,) = search(query, [self.ENTRY])
            shown = prompt(match)
            assert str(shown) == "KR-5  Cut [b]cloud[/b] spend by half  \u00b7 2026-Q4"
            assert all(span.style in ("bold", MATCHED, "$text-muted") for span in shown.spans)

    def test_the_matched_letters_are_marked(self):
        (match,) = search("ccsbh", [self.ENTRY])
        assert underlined(prompt(match)) == "Ccsbh"
        (match,) = search("kr-5", [self.ENTRY])
        assert underlined(prompt(match)) == "KR-5"

    def test_the_sample_objective_with_brackets(self, sample):
        (match,) = sample.search("cicph")
        assert str(prompt(match)) == "O-13  Cut infra cost [phase 2]  \u00b7 2026-Q4"
        assert underlined(prompt(match)) == "Cicph"


class TestTheDialog:
    async def test_a_fuzzy_query_goes_to_the_key_result(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            await pilot.press("g", *"nwarr")
            assert await until(pilot, lambda: isinstance(app.screen, GotoDialog) and bool(app.screen.matches))
            first = app.screen.query_one("#goto-matches").get_option_at_index(0).prompt
            assert str(first).startswith("KR-28  New ARR booked")
            assert underlined(first) == "NwARR"
            await pilot.press("enter")
            assert await until(pilot, lambda: isinstance(app.screen, DrillScreen) and cursor(app) == "KR-28")

    async def test_a_fuzzy_query_finds_another_cycles_key_result(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            await pilot.press("g", *"mddcc")
            # KR-3 is in 2026-Q2, read by the dialog's worker.
            assert await until(pilot, lambda: [e.target for e in getattr(app.screen, "matches", [])][:1] == ["KR-3"])
            await pilot.press("enter")
            assert await until(pilot, lambda: isinstance(app.screen, DrillScreen) and cursor(app) == "KR-3")
            assert app.board.cycle.id == "2026-Q2"


def test_the_cycle_on_screen_comes_first_within_a_tier():
    from okrtui.app.search import Entry, Index

    candidates = [Entry("O-6", "objective", "Reduce churn in retail", "2026-Q3"),
                  Entry("KR-17", "key result", "Churn below 3%", "2026-Q3"),
                  Entry("KR-32", "key result", "Logo churn under 5%", "2026-Q4")]
    assert [m.entry.target for m in Index(candidates, home="2026-Q4").search("churn")][0] == "KR-32"
    assert {m.entry.target for m in Index(candidates, home="2026-Q3").search("churn")[:2]} == {"O-6", "KR-17"}
    # Fuzzy matches too.
    assert [m.entry.target for m in Index(candidates, home="2026-Q4").search("lgchrn")] == ["KR-32"]
    assert [m.entry.target for m in Index(candidates, home="2026-Q4").search("chrn")][0] == "KR-32"
