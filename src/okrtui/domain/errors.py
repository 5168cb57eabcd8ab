"""Validation failures as sentences that say what is wrong and where.

Every entry point reports through here, so a bad value reads the same in a
dialog, on the command line and in an import: `field: message at path`.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without loading typing: the quick check-in counts its imports

from okrtui.domain.terms import LocatedError

if TYPE_CHECKING:
    from typing import Any, Iterable

    from pydantic import ValidationError

_UNION_TAGS = {"int", "float", "str", "function-after[_finite(), union[int,float]]"}


class InvalidInput(Exception):
    """Bad input (exit 2): a list of problems, each naming where it is."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems) or ["invalid input"]
        super().__init__("\n".join(self.problems))


def path_text(loc: Iterable[Any]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def located_messages(exc: ValidationError) -> list[tuple[tuple[Any, ...], str]]:
    """(location, message) for each distinct problem, locations without pydantic's union tags."""
    found: list[tuple[tuple[Any, ...], str]] = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if part not in _UNION_TAGS)
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, LocatedError):
            loc = loc + cause.loc
            message = cause.message
        elif isinstance(cause, Exception):
            message = str(cause)
        elif error["type"] in ("int_type", "float_type"):
            # A number field is a union of int and float: one message, not two.
            message = f"{_shown(error['input'])} is not a number"
        elif error["type"] == "extra_forbidden":
            message = "unknown field"
        elif error["type"] == "missing":
            message = "is required"
        elif error["type"] == "literal_error":
            message = f"{_shown(error['input'])} is not one of {error['ctx']['expected']}"
        else:
            message = f"{error['msg'].rstrip('.')} (got {_shown(error['input'])})"
        if (loc, message) not in found:
            found.append((loc, message))
    return found


def describe(exc: ValidationError, prefix: tuple[Any, ...] = ()) -> list[str]:
    """Each problem as `field: message at path`."""
    problems: list[str] = []
    for loc, message in located_messages(exc):
        full = prefix + loc
        field = next((str(p) for p in reversed(full) if isinstance(p, str)), "value")
        where = path_text(full)
        problems.append(f"{field}: {message} at {where}" if where else f"{field}: {message}")
    return problems
