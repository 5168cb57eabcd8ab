"""The JSON interchange format (§7): read a user's file, write an export."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from okrtui.domain.errors import InvalidInput, describe
from okrtui.domain.models import Scorecard
from okrtui.domain.text import json_int


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


# The largest import file read: about 50 times the L store's export; a cycle is capped
# far below it anyway (operations.MAX_KEY_RESULTS_PER_CYCLE).
MAX_IMPORT_BYTES = 256 * 1024 * 1024


def read_input_file(path: Path) -> bytes:
    """A user's import file: a regular file of at most MAX_IMPORT_BYTES, refused before it is read."""
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InvalidInput([f"{path}: no such file"]) from None
    except PermissionError:
        raise InvalidInput([f"{path}: cannot be read (permission denied)"]) from None
    except OSError as exc:
        raise InvalidInput([f"{path}: cannot be read ({exc.strerror})"]) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InvalidInput([f"{path}: is a directory"])
        if not stat.S_ISREG(info.st_mode):
            raise InvalidInput([f"{path}: not a regular file (import reads a JSON or CSV file)"])
        if info.st_size > MAX_IMPORT_BYTES:
            raise InvalidInput([f"{path}: {info.st_size / 2**20:.0f} MiB is larger than an import file may be "
                                f"({MAX_IMPORT_BYTES // 2**20} MiB)"])
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise InvalidInput([f"{path}: cannot be read ({exc.strerror})"]) from None
    finally:
        os.close(fd)
    if len(data) > MAX_IMPORT_BYTES:  # it grew while being read
        raise InvalidInput([f"{path}: larger than an import file may be ({MAX_IMPORT_BYTES // 2**20} MiB)"])
    return data


def dump_scorecard(scorecard: Scorecard) -> str:
    return scorecard.to_json()
