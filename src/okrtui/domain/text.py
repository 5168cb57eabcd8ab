"""Rules for user text and numbers, shared by every model field (§9).

User text is data: it is trimmed, bounded and kept free of characters that
could drive a terminal (Cc, C1 included) or reorder what it shows (bidi
overrides and isolates).
"""

from __future__ import annotations

import math
import re
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Lone surrogates come from bytes that were not UTF-8 (an argument, a pasted file name).
_SURROGATE = re.compile(r"[\ud800-\udfff]")
CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,16}$")
LOOKS_LIKE_REF = re.compile(r"^(o|kr)-\d+$", re.IGNORECASE)
# Up to nine digits: a billion refs is plenty, and the number must fit every JSON tool.
MAX_REF = 999_999_999
OBJECTIVE_REF_RE = re.compile(r"^O-[1-9][0-9]{0,8}$")
KEY_RESULT_REF_RE = re.compile(r"^KR-[1-9][0-9]{0,8}$")

# One range for every number at every entry point: beyond it no score is meaningful,
# and every integer inside it round-trips through any JSON tool exactly.
MAX_NUMBER = 10**15
NUMBER_TEXT_RE = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")  # ASCII digits only
# An integer of more digits than this is outside the range: refused unread, so a
# 5,000-digit integer never reaches int() (which refuses over 4,300 digits).
_MAX_DIGITS = 16


def _check_chars(value: str, multiline: bool) -> str:
    bad = (_CONTROL_MULTILINE if multiline else _CONTROL).search(value)
    if bad:
        raise ValueError(f"control character U+{ord(bad.group()):04X} is not allowed")
    bad = _BIDI.search(value)
    if bad:
        raise ValueError(f"bidirectional control character U+{ord(bad.group()):04X} is not allowed")
    if _SURROGATE.search(value):
        raise ValueError("is not valid UTF-8 text")
    return value


def one_line(min_len: int, max_len: int):
    def check(value: str) -> str:
        if not isinstance(value, str):
            raise ValueError("must be text")
        _check_chars(value, multiline=False)
        value = value.strip()
        if len(value) < min_len:
            raise ValueError("must not be empty")
        if len(value) > max_len:
            raise ValueError(f"is {len(value)} characters long, at most {max_len} allowed")
        return value

    return check


def multi_line(max_len: int):
    def check(value: str) -> str:
        if not isinstance(value, str):
            raise ValueError("must be text")
        # Windows line ends are ordinary newlines, not a stray control character.
        value = value.replace("\r\n", "\n")
        _check_chars(value, multiline=True)
        if len(value) > max_len:
            raise ValueError(f"is {len(value)} characters long, at most {max_len} allowed")
        return value

    return check


def _check_code(value: str) -> str:
    if not CODE_RE.match(value):
        raise ValueError(
            f"code {value!r} must be 1-16 letters, digits, '-', '_' or '.'"
        )
    if LOOKS_LIKE_REF.match(value):
        raise ValueError(f"code {value!r} looks like a ref (O-n, KR-n); choose another")
    return value


def _strict_text(value):
    if value is not None and not isinstance(value, str):
        raise ValueError("must be text")
    return value


class TooManyDigits(str):
    """A number written with more digits than any number in range: parsed as this, never as int."""

    def __str__(self) -> str:
        return f"a number of {len(self.lstrip('+-'))} digits is beyond \u00b110^15"


def json_int(text: str) -> int | TooManyDigits:
    """`parse_int` for json.loads: a refusal then names the field, like any other bad number."""
    return TooManyDigits(text) if len(text.lstrip("+-").lstrip("0")) > _MAX_DIGITS else int(text)


def _not_too_long(value):
    if isinstance(value, TooManyDigits):
        raise ValueError(str(value))
    return value


def _finite(value: float | int) -> float | int:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value} is not a finite number")
    if abs(value) > MAX_NUMBER:
        raise ValueError(f"{value:g} is beyond \u00b110^15" if isinstance(value, float)
                         else f"{value} is beyond \u00b110^15")
    return value


def parse_number(text: str) -> int | float:
    """A number as a person types it, in a field, an argument or a CSV cell; an int stays an int."""
    trimmed = text.strip()
    if not NUMBER_TEXT_RE.match(trimmed):
        raise ValueError(f"{_quoted(text)} is not a number")
    value = json_int(trimmed) if re.fullmatch(r"[+-]?[0-9]+", trimmed) else float(trimmed)
    if isinstance(value, TooManyDigits):
        raise ValueError(f"{_quoted(text)} is beyond \u00b110^15")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{_quoted(text)} is not a finite number")
    if abs(value) > MAX_NUMBER:
        raise ValueError(f"{_quoted(text)} is beyond \u00b110^15")
    return value


def _quoted(text: str) -> str:
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "..."


_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """Text that came from outside the store (arguments, file names) made safe for a terminal."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def number_shown(value: float | int | None) -> str:
    """A number as typed and stored: `22` (also for 22.0), `1234567.5`, never `1.23457e+06`;
    `—` for none."""
    if value is None:
        return "\u2014"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def score_text(score: float | None) -> str:
    """A score as every output shows it: two decimals, or an em dash for no score."""
    return "\u2014" if score is None else f"{score:.2f}"


def counted(count: int, noun: str) -> str:
    """`1 OKR`, `3 OKRs`: a count with its noun, plural as English has it for ours."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
