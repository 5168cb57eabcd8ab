"""The JSON interchange format (PRODUCT.md §7): read a user's file, write an export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from okrtui.domain.errors import InvalidInput, describe
from okrtui.domain.models import Scorecard


def decode_text(data: bytes, name: str) -> str:
    """A user's file as text; anything but UTF-8 is refused with the offending byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InvalidInput([
            f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line} column {column})"
        ]) from None


def parse_json(text: str, name: str) -> Any:
    # The stdlib parser (not orjson) so NaN/Infinity reach the model and are
    # refused at their field, with a path, instead of failing the whole parse.
    try:
        return json.loads(text, parse_constant=float)
    except json.JSONDecodeError as exc:
        raise InvalidInput([f"{name}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"]) from None
    except RecursionError:
        raise InvalidInput([f"{name}: malformed JSON: nested too deeply"]) from None


def read_scorecard(doc: Any, name: str) -> Scorecard:
    if not isinstance(doc, dict):
        raise InvalidInput([f"{name}: the top level must be an object with \"format\": \"okrtui/1\""])
    if doc.get("format") != "okrtui/1":
        raise InvalidInput([f"format: expected \"okrtui/1\", got {doc.get('format')!r} at format"])
    try:
        return Scorecard.model_validate(doc)
    except ValidationError as exc:
        raise InvalidInput(describe(exc)) from None


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput([f"{path}: no such file"]) from None
    except IsADirectoryError:
        raise InvalidInput([f"{path}: is a directory"]) from None
    except PermissionError:
        raise InvalidInput([f"{path}: cannot be read (permission denied)"]) from None


def dump_scorecard(scorecard: Scorecard) -> str:
    """Every field, in the format's order, so an export re-imports and re-exports identically."""
    return json.dumps(scorecard.to_doc(), indent=2, ensure_ascii=False) + "\n"
