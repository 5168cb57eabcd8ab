"""The JSON interchange format (§7): read a user's file, write an export."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from okrtui.domain.errors import InvalidInput, describe
from okrtui.domain.models import Scorecard
from okrtui.domain.text import json_int
from okrtui.interchange.user_files import MAX_IMPORT_BYTES, decode_text, read_input_file  # noqa: F401  (their home before)


def parse_json(text: str, name: str) -> Any:
    # The stdlib parser (not orjson) so NaN/Infinity reach the model and are
    # refused at their field, with a path, instead of failing the whole parse.
    try:
        return json.loads(text, parse_constant=float, parse_int=json_int)
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




def dump_scorecard(scorecard: Scorecard) -> str:
    return scorecard.to_json()
