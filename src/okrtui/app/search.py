"""`g`'s search: refs, codes and the words of titles, over the strategy and every cycle.

Plain Python (no Textual), ranked predictably: an exact ref or code first, then refs and
codes that start with what was typed, then items whose ref and title hold every word typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from okrtui.domain.models import Cycle, StrategicObjective

MATCHES_SHOWN = 8


@dataclass(frozen=True)
class Entry:
    target: str  # what `g` goes to: a ref or a strategic objective's code
    kind: str
    title: str
    cycle: Optional[str] = None


def entries(strategy: Iterable[StrategicObjective], cycles: Iterable[Cycle]) -> list[Entry]:
    found = [Entry(s.code, "strategic objective", s.title) for s in strategy]
    for cycle in cycles:
        for objective in cycle.objectives:
            found.append(Entry(objective.ref, "objective", objective.title, cycle.id))
            found += [Entry(kr.ref, "key result", kr.title, cycle.id) for kr in objective.key_results]
    return found


def rank(query: str, candidates: Iterable[Entry], limit: int = MATCHES_SHOWN) -> list[Entry]:
    text = query.strip().casefold()
    words = text.split()
    if not words:
        return []
    ranked = []
    for order, entry in enumerate(candidates):
        target = entry.target.casefold()
        haystack = f"{target} {entry.title.casefold()}"
        if target == text:
            key: tuple = (0, 0)
        elif target.startswith(text):
            key = (1, len(target))
        elif all(word in haystack for word in words):
            key = (2, haystack.find(words[0]))
        else:
            continue
        ranked.append((key, order, entry))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [entry for _, _, entry in ranked[:limit]]
