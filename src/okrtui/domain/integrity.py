"""Rules that span more than one item: unique refs and codes, links that resolve.

A single model can check its own fields; only the whole scorecard knows
whether `F9` exists or whether two objectives point at each other as parents.
"""

from __future__ import annotations

from typing import Iterable

from okrtui.domain.errors import path_text
from okrtui.domain.models import Cycle, StrategicObjective


# The largest cycle a store takes: ten times a 1,000-person company's quarter (§11's L
# has 2,000). A write holds the store's lock while it rewrites the cycle, so a
# bound on a cycle is a bound on how long a check-in elsewhere can wait.
MAX_KEY_RESULTS_PER_CYCLE = 20_000


def too_large(cycle_id: str, count: int, what: str = "key results") -> str:
    field = "key_results" if what == "key results" else "objectives"
    return (f"{field}: cycle {cycle_id} would hold {count:,} {what}; a cycle holds at most "
            f"{MAX_KEY_RESULTS_PER_CYCLE:,} (split it, e.g. by quarter)")


def _at(field: str, message: str, *loc) -> str:
    return f"{field}: {message} at {path_text(loc)}"


def strategy_problems(strategy: list[StrategicObjective], known: Iterable[str] = ()) -> list[str]:
    """Duplicate codes and unknown links; `known` are codes that exist elsewhere (the store)."""
    problems: list[str] = []
    codes: dict[str, int] = {}
    known = set(known)
    for index, objective in enumerate(strategy):
        if objective.code in codes:
            problems.append(
                _at("code", f"duplicate code {objective.code} (also at strategy[{codes[objective.code]}])",
                    "strategy", index, "code")
            )
        else:
            codes[objective.code] = index
    for index, objective in enumerate(strategy):
        for link, code in enumerate(objective.drives):
            if code not in codes and code not in known:
                problems.append(_at("drives", f"unknown code {code}", "strategy", index, "drives", link))
    return problems


def cycle_problems(
    cycles: list[Cycle],
    codes: Iterable[str],
    seen_objective_refs: dict[str, str] | None = None,
    seen_kr_refs: dict[str, str] | None = None,
    existing_parents: dict[str, dict[str, str | None]] | None = None,
) -> list[str]:
    """Problems of `cycles`, given the strategic codes that exist.

    `seen_*` hold refs already used elsewhere in the store (ref -> where), so an
    import can be checked against a store without loading all of it twice.
    `existing_parents` maps a cycle id to the store's objectives already in it
    (ref -> parent), which the new ones may name as parents.
    """
    known_codes = set(codes)
    existing_parents = existing_parents or {}
    problems: list[str] = []
    cycle_ids: dict[str, int] = {}
    objective_refs = dict(seen_objective_refs or {})
    kr_refs = dict(seen_kr_refs or {})
    home = {o.ref: cycle.id for cycle in cycles for o in cycle.objectives if o.ref}
    for c, cycle in enumerate(cycles):
        if cycle.id in cycle_ids:
            problems.append(_at("id", f"duplicate cycle id {cycle.id}", "cycles", c, "id"))
        cycle_ids.setdefault(cycle.id, c)
        already = existing_parents.get(cycle.id, {})
        local = {o.ref for o in cycle.objectives if o.ref} | set(already)
        for o, objective in enumerate(cycle.objectives):
            where = path_text(("cycles", c, "objectives", o))
            if objective.ref:
                if objective.ref in objective_refs:
                    problems.append(
                        _at("ref", f"duplicate ref {objective.ref} (also {objective_refs[objective.ref]})",
                            "cycles", c, "objectives", o, "ref")
                    )
                objective_refs.setdefault(objective.ref, where)
            if objective.aligned_to is not None and objective.aligned_to not in known_codes:
                problems.append(
                    _at("aligned_to", f"unknown code {objective.aligned_to}", "cycles", c, "objectives", o, "aligned_to")
                )
            if objective.parent is not None:
                if objective.parent == objective.ref:
                    problems.append(_at("parent", f"{objective.ref} cannot be its own parent",
                                        "cycles", c, "objectives", o, "parent"))
                elif objective.parent not in local:
                    other = objective.parent in home or objective.parent in (seen_objective_refs or {})
                    reason = (f"parent {objective.parent} is in another cycle" if other
                              else f"unknown parent {objective.parent} in cycle {cycle.id}")
                    problems.append(_at("parent", reason, "cycles", c, "objectives", o, "parent"))
            for k, kr in enumerate(objective.key_results):
                if kr.ref:
                    if kr.ref in kr_refs:
                        problems.append(
                            _at("ref", f"duplicate ref {kr.ref} (also {kr_refs[kr.ref]})",
                                "cycles", c, "objectives", o, "key_results", k, "ref")
                        )
                    kr_refs.setdefault(kr.ref, path_text(("cycles", c, "objectives", o, "key_results", k)))
        problems.extend(_parent_loops(cycle, c, already))
    return problems


def _parent_loops(cycle: Cycle, c: int, already: dict[str, str | None]) -> list[str]:
    parents = dict(already)
    parents.update({o.ref: o.parent for o in cycle.objectives if o.ref})
    problems = []
    for o, objective in enumerate(cycle.objectives):
        seen = {objective.ref}
        step = objective.parent
        while step is not None and step in parents:
            if step in seen:
                if step == objective.ref:
                    problems.append(_at("parent", f"parent loop through {objective.ref}",
                                        "cycles", c, "objectives", o, "parent"))
                break
            seen.add(step)
            step = parents[step]
    return problems
