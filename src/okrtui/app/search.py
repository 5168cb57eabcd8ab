"""`g`'s search: refs, codes and the words of titles, over the strategy and every cycle.

Ranked predictably, in tiers: an exact ref or code first, then refs and codes that start
with what was typed, then items whose ref and title hold every word typed, and last the
items holding the typed letters in order (`nwarr` → "KR-28 New ARR booked"), scored by
Textual's fuzzy matcher as the command palette scores them.

The fuzzy tier is bounded so a keystroke stays fast over a company's every cycle: one
regex pass over all items keeps those holding the letters in order, only the tightest
`FUZZY_POOL` of them are scored, and an item whose letters could be paired up in too many
ways gets one good pairing instead of the matcher's search of them all. A fuzzy match
must also read like an abbreviation (see `_reads_as_abbreviation`): a mistyped word
mostly still matches nothing, rather than `enter` going to some item that merely holds
its letters in order.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate
from typing import Iterable, Optional, Sequence

from textual.fuzzy import FuzzySearch, Matcher

from okrtui.domain.models import Cycle, StrategicObjective

MATCHES_SHOWN = 8
# Items given to Textual's matcher per keystroke, the tightest first.
FUZZY_POOL = 100
# Textual's matcher walks every way of pairing the query's letters with an item's: seconds
# on one long, repetitive title. Past these many ways for one item, or for all of a
# keystroke's, an item gets one good pairing instead (a way costs a microsecond or so).
FUZZY_PAIRINGS = 500
FUZZY_WORK = 5_000

EXACT, PREFIX, WORDS, FUZZY = range(4)


@dataclass(frozen=True)
class Entry:
    target: str  # what `g` goes to: a ref or a strategic objective's code
    kind: str
    title: str
    cycle: Optional[str] = None


@dataclass(frozen=True)
class Match:
    entry: Entry
    tier: int
    # Characters of `label(entry)` that matched what was typed, for highlighting.
    offsets: tuple[int, ...] = ()


def label(entry: Entry) -> str:
    """The text an entry is matched against: its ref or code, a space, its title."""
    return f"{entry.target} {entry.title}"


def entries(strategy: Iterable[StrategicObjective], cycles: Iterable[Cycle]) -> list[Entry]:
    found = [Entry(s.code, "strategic objective", s.title) for s in strategy]
    for cycle in cycles:
        for objective in cycle.objectives:
            found.append(Entry(objective.ref, "objective", objective.title, cycle.id))
            found += [Entry(kr.ref, "key result", kr.title, cycle.id) for kr in objective.key_results]
    return found


class Index:
    """Entries with their matching forms worked out once, not on every keystroke."""

    def __init__(self, candidates: Iterable[Entry], home: Optional[str] = None):
        """`home`: the cycle on screen, whose items come first within each tier."""
        self.entries = list(candidates)
        self._away = [entry.cycle is not None and entry.cycle != home for entry in self.entries]
        self._targets = [entry.target.casefold() for entry in self.entries]
        self._folded = [f"{target} {entry.title.casefold()}" for target, entry in zip(self._targets, self.entries)]
        # Textual's matcher lowercases (not casefolds); its offsets index the lowered text.
        self._lowered = [label(entry).lower() for entry in self.entries]
        # One text for the subsequence pre-check: a regex pass in C, not a loop per entry.
        # Titles are one line, so a line is an entry.
        self._text = "\n".join(self._lowered)
        self._starts = []
        at = 0
        for line in self._lowered:
            self._starts.append(at)
            at += len(line) + 1

    def __len__(self) -> int:
        return len(self.entries)

    def search(self, query: str, limit: int = MATCHES_SHOWN) -> list[Match]:
        text = query.strip().casefold()
        words = text.split()
        if not words:
            return []
        # Every tier above the fuzzy one holds every word (an exact or prefix ref holds the
        # whole text): comprehensions, running at C speed, narrow the entries to those first.
        folded, targets = self._folded, self._targets
        holding = [order for order, haystack in enumerate(folded) if words[0] in haystack]
        for word in dict.fromkeys(words[1:]):
            holding = [order for order in holding if word in folded[order]]
        prefixed = [order for order in holding if targets[order].startswith(text)]
        found = [Match(self.entries[order], EXACT) for order in prefixed if targets[order] == text]
        found += [Match(self.entries[order], PREFIX) for *_, order in heapq.nsmallest(
            limit, [(self._away[order], len(targets[order]), order)
                    for order in prefixed if targets[order] != text])]
        if len(found) < limit:
            others = set(prefixed)
            found += [Match(self.entries[order], WORDS) for *_, order in heapq.nsmallest(
                limit - len(found), [(self._away[order], folded[order].find(words[0]), order) for order in holding
                                     if order not in others])]
        found = [self._with_offsets(match, text, words) for match in found[:limit]]
        if len(found) < limit:
            found += self._fuzzy(" ".join(query.lower().split()), set(holding), limit - len(found))
        return found

    def _with_offsets(self, match: Match, text: str, words: list[str]) -> Match:
        entry, tier = match.entry, match.tier
        lowered = label(entry).lower()
        if len(lowered) != len(label(entry)):
            return match  # lowering changed the length: offsets would point astray
        if tier in (EXACT, PREFIX):
            return Match(entry, tier, tuple(range(min(len(text), len(entry.target)))))
        offsets: set[int] = set()
        for word in words:
            at = lowered.find(word)
            if at >= 0:
                offsets.update(range(at, at + len(word)))
        return Match(entry, tier, tuple(sorted(offsets)))

    def _fuzzy(self, query: str, taken: set[int], limit: int) -> list[Match]:
        pool = []
        seen = set(taken)
        for hit in _in_order(query).finditer(self._text):
            order = bisect_right(self._starts, hit.start()) - 1
            if order not in seen:
                seen.add(order)
                pool.append((hit.end() - hit.start(), order))
        matcher = Matcher(query)
        scored = []
        budget = FUZZY_WORK
        for _, order in heapq.nsmallest(FUZZY_POOL, pool):
            lowered = self._lowered[order]
            score, offsets, spent = _match(matcher, lowered, min(FUZZY_PAIRINGS, budget))
            budget -= spent
            if score and _reads_as_abbreviation(lowered, offsets):
                # Of equal scores, the shorter item holds less else: it is likelier the one meant.
                scored.append((self._away[order], -score, len(lowered), order, tuple(offsets)))
        found = []
        for *_, order, offsets in heapq.nsmallest(limit, scored):
            entry = self.entries[order]
            found.append(Match(entry, FUZZY, offsets if len(self._lowered[order]) == len(label(entry)) else ()))
        return found


def _in_order(query: str) -> re.Pattern:
    """A regex finding, within one line, the query's characters in order."""
    first, *rest = query
    return re.compile(re.escape(first) + "".join(f"[^{re.escape(c)}\\n]*{re.escape(c)}" for c in rest))


def _match(matcher: Matcher, candidate: str, most: int) -> tuple[float, Sequence[int], int]:
    """Textual's score and offsets, and the pairings its matcher walked for them; past `most`
    pairings, one good pairing (of ours) scored by Textual instead."""
    query = matcher.query
    if query in candidate:  # Textual's matcher takes it at once
        return (*matcher.fuzzy_search.match(query, candidate), 0)
    work = _pairings(query, candidate, most)
    if work <= most:
        return (*matcher.fuzzy_search.match(query, candidate), work)
    offsets = _one_pairing(query, candidate)
    return (matcher.fuzzy_search.score(candidate, offsets) if offsets else 0.0), offsets, 0


def _pairings(query: str, candidate: str, most: int) -> int:
    """How many partial pairings of the query's letters with the candidate's Textual's
    matcher would walk, at most (once past `most`, some count above it)."""
    level = total = 1
    for char in query:  # an upper bound from letter counts alone, often enough
        level *= candidate.count(char)
        total += level
        if total > most:
            break
    else:
        return total
    at = {char: [i for i, c in enumerate(candidate) if c == char] for char in set(query)}
    positions, reached = [-1], [0, 1]  # reached[i]: the pairings ending at the first i positions
    total = 1
    for char in query:
        ways = [reached[bisect_left(positions, offset)] for offset in at[char]]
        total += sum(ways)
        if total > most:
            return total
        positions, reached = at[char], [0, *accumulate(ways)]
    return total


def _one_pairing(query: str, candidate: str) -> list[int]:
    """One good pairing, built left to right: go on with a run of letters where the next
    one follows, else take the first word start that leaves room for the rest."""
    latest = [0] * len(query)  # the last place each letter can take with the rest after it
    end = len(candidate)
    for index in range(len(query) - 1, -1, -1):
        end = candidate.rfind(query[index], 0, end)
        if end < 0:
            return []
        latest[index] = end
    starts = FuzzySearch.get_first_letters(candidate)
    offsets: list[int] = []
    at = 0
    for index, char in enumerate(query):
        if offsets and at <= latest[index] and candidate[at] == char:
            place = at
        else:
            place = candidate.find(char, at, latest[index] + 1)
            start = place
            while start >= 0 and start not in starts:
                start = candidate.find(char, start + 1, latest[index] + 1)
            if start >= 0:
                place = start
        offsets.append(place)
        at = place + 1
    return offsets


def _reads_as_abbreviation(candidate: str, offsets: Sequence[int]) -> bool:
    """Does each word typed begin a word of the item? `nwarr` and `new arr bked` do in
    "kr-28 new arr booked"; `nope` in "sign-ups dropping off before" does not, though
    the item holds n, o, p, e in order."""
    starts = FuzzySearch.get_first_letters(candidate)
    previous = None
    for offset in offsets:
        char = candidate[offset]
        begins_a_typed_word = (previous is None or candidate[previous].isspace()) and not char.isspace()
        if begins_a_typed_word and offset not in starts and (char.isalnum() or char == "_"):
            return False
        previous = offset
    return bool(offsets)
