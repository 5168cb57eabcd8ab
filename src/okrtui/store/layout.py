"""What the store's files hold, and the checks that a file is what we wrote.

The store is a directory of TinyDB-format JSON files behind one main file:

    okrtui.json          main file: format version, organisation, ref
                         counters, strategy, and one row per cycle naming
                         the cycle's part files (the manifest)
    okrtui.json.d/c7-42.json
                         cycle 7's objectives and key results, without
                         history (generation 42); replaced, never edited
    okrtui.json.d/c7.log cycle 7's check-ins, one JSON line each, append
                         only; only the first `log_len` bytes (recorded in
                         the main file) are committed
    okrtui.json.d/readings.log
                         every measure's readings, one JSON line each
                         (`[measure id, reading]`), append only; committed
                         up to `readings_len` (in the main file)
    okrtui.json.lock     the inter-process write lock
    okrtui.json.backups/ the daily backups (interchange JSON), and those taken
                         before an import or a migration

The main file's row of each cycle records the CRC-32 of its part and of its
log's committed bytes; a writer checks them all before it writes anything.

A check-in rewrites its cycle's part file and the main file and appends one
line to the log, so its cost follows the size of one cycle, never the
history. A reading appends a line to the readings log and rewrites the main
file (which keeps each measure's actual and latest time), never a cycle. The
main file is replaced last: that rename is the commit.
"""

from __future__ import annotations

from typing import Any, Optional

import re
import zlib

import orjson
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from okrtui.domain.errors import describe
from okrtui.domain.integrity import MAX_KEY_RESULTS_PER_CYCLE
from okrtui.domain.text import MAX_REF
from okrtui.domain.models import CheckIn, Cycle, CycleId, Day, KeyResultRef, Reading, StrategicObjective, Title, parse_time
from okrtui.domain.fields import Author
from okrtui.store.shape import JOURNAL_KEPT, JOURNAL_SUBJECTS, READINGS_LOG, STORE_FORMAT, STORE_VERSION, kr_part_doc, runs, table  # noqa: F401

def checked_runs(value: list[list[int]], most: int, too_many: str) -> list[list[int]]:
    """Runs [first, last] of ref numbers, holding at most `most` numbers in all."""
    for run in value:
        if len(run) != 2 or not all(type(n) is int for n in run) or not 1 <= run[0] <= run[1] <= MAX_REF:
            raise ValueError(f"{run!r} is not a run [first, last] of ref numbers")
    if sum(last - first + 1 for first, last in value) > most:
        raise ValueError(f"{too_many} ({most:,})")
    return value


class CycleEntry(BaseModel):
    """A cycle's row in the main file."""

    model_config = ConfigDict(extra="forbid")

    id: CycleId
    start: Day
    end: Day
    closed: StrictBool = False
    slot: StrictInt
    file: Optional[str] = None
    log_len: StrictInt = 0
    # CRC-32 of the part file and of the log's first log_len bytes, as written: damage
    # to any committed byte is found by every writer without parsing (None: format 1).
    part_crc: Optional[StrictInt] = None
    log_crc: Optional[StrictInt] = None
    # Ref numbers held by the cycle, as [first, last] runs, so a ref finds its
    # cycle without opening every cycle's file.
    objective_refs: list[list[int]] = Field(default_factory=list)
    kr_refs: list[list[int]] = Field(default_factory=list)
    # Check-ins taken back by undo, as [key result ref, CRC-32 of the log line]: the log
    # itself is append-only, so a retraction is recorded here and applied on reading.
    retracted: list[tuple[KeyResultRef, StrictInt]] = Field(default_factory=list)

    @field_validator("slot")
    @classmethod
    def _slot(cls, slot: int) -> int:
        if slot < 1:
            raise ValueError(f"slot {slot} is not a positive number")
        return slot

    @field_validator("log_len")
    @classmethod
    def _log_len(cls, length: int) -> int:
        if length < 0:
            raise ValueError(f"log_len {length} is negative")
        return length

    @field_validator("objective_refs", "kr_refs")
    @classmethod
    def _runs(cls, value: list[list[int]]) -> list[list[int]]:
        return checked_runs(value, MAX_KEY_RESULTS_PER_CYCLE, "more refs than a cycle can hold")

    @model_validator(mode="after")
    def _file_of_its_slot(self) -> "CycleEntry":
        # The main file names the parts to read and later delete: only names of this
        # cycle's own shape, never a path that could point elsewhere.
        if self.file is not None and not re.fullmatch(rf"c{self.slot}-\d+\.json", self.file):
            raise ValueError(f"file {self.file!r} is not a part of cycle slot {self.slot}")
        return self

    def holds(self, prefix: str, number: int) -> bool:
        held = self.objective_refs if prefix == "O" else self.kr_refs
        return any(first <= number <= last for first, last in held)

    def as_cycle(self) -> Cycle:
        return Cycle.model_construct(id=self.id, start=self.start, end=self.end,
                                     closed=self.closed, objectives=[])

    def part_name(self, generation: int) -> str:
        return f"c{self.slot}-{generation}.json"

    @property
    def log_name(self) -> str:
        return f"c{self.slot}.log"


MAX_RETIRED = 1_000_000  # deleted refs of each kind a store remembers (fifty times §11's L)


class JournalEntry(BaseModel):
    """One committed change: who made it, and the items it touched (`kind:key`)."""

    model_config = ConfigDict(extra="forbid")

    generation: StrictInt
    author: Author
    at: Title
    label: Title
    subjects: list[Title] = Field(default_factory=list, max_length=JOURNAL_SUBJECTS)




class Meta(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: str
    version: StrictInt
    organization: Optional[Title] = None
    next_objective: StrictInt = 1
    next_key_result: StrictInt = 1
    next_slot: StrictInt = 1
    generation: StrictInt = 0
    # Refs of deleted objectives and key results, as runs: never given out again.
    retired_objectives: list[list[int]] = Field(default_factory=list)
    retired_key_results: list[list[int]] = Field(default_factory=list)
    journal: list[JournalEntry] = Field(default_factory=list, max_length=JOURNAL_KEPT)
    # The readings log: its committed length and CRC-32, the readings undo took back
    # ([measure id, CRC-32 of the line]), and the next measure id to give out.
    next_measure: StrictInt = 1
    readings_len: StrictInt = 0
    readings_crc: Optional[StrictInt] = None
    retracted_readings: list[tuple[StrictInt, StrictInt]] = Field(default_factory=list)

    @field_validator("retired_objectives", "retired_key_results")
    @classmethod
    def _retired(cls, value: list[list[int]]) -> list[list[int]]:
        # Expanded on every write and import: a bound keeps a hand-edited run from taking the memory.
        return checked_runs(value, MAX_RETIRED, "more deleted refs than a store keeps")


_STRATEGY = TypeAdapter(list[StrategicObjective])
_READINGS = TypeAdapter(list[tuple[StrictInt, Reading]])
_ENTRIES = TypeAdapter(list[CycleEntry])
# A log line is `[key result ref, check-in]`: validated in one pass straight into CheckIns.
_LOG = TypeAdapter(list[tuple[KeyResultRef, CheckIn]])


def validated(adapter: TypeAdapter, data: Any, where: str):
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        problems = describe(exc, (where,))
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise ValueError("; ".join(problems[:3]) + more) from None


def parse_strategy(docs: list[Any], next_measure: int) -> list[StrategicObjective]:
    """The strategy as the main file keeps it: measures with their ids and latest times
    (absent before format 4), and no readings (those are in the readings log)."""
    kept: list[tuple[Any, Any, str]] = []
    plain = []
    for s, doc in enumerate(docs):
        if isinstance(doc, dict) and isinstance(doc.get("measures"), list):
            measures = []
            for m, measure in enumerate(doc["measures"]):
                if isinstance(measure, dict):
                    kept.append((measure.get("id"), measure.get("last_at"), f"strategy[{s}].measures[{m}]"))
                    if "readings" in measure:
                        raise ValueError(f"readings: held in the readings log, not at strategy[{s}].measures[{m}]")
                    measure = {k: v for k, v in measure.items() if k not in ("id", "last_at")}
                measures.append(measure)
            doc = {**doc, "measures": measures}
        plain.append(doc)
    strategy = validated(_STRATEGY, plain, "strategy")
    ids: set[int] = set()
    for measure, (number, last, where) in zip((m for s in strategy for m in s.measures), kept):
        if number is not None:
            if type(number) is not int or not 1 <= number < next_measure or number in ids:
                raise ValueError(f"id: {number!r} is not a measure id of this store at {where}")
            ids.add(number)
        try:
            measure._id, measure._last_at = number, parse_time(last) if last else None
        except ValueError as exc:
            raise ValueError(f"last_at: {exc} at {where}") from None
    return strategy


def reading_line(measure_id: int, reading: Reading) -> bytes:
    return orjson.dumps([measure_id, reading.to_doc()]) + b"\n"


def parse_readings(data: bytes) -> list[tuple[int, Reading]]:
    """Every line of the readings log (validated like a check-in log)."""
    return _parse_lines(_READINGS, data)


def parse_entries(docs: list[Any]) -> list[CycleEntry]:
    return validated(_ENTRIES, docs, "cycles")


def log_line(ref: str, checkin: CheckIn) -> bytes:
    return orjson.dumps([ref, checkin.to_doc()]) + b"\n"


def line_crc(ref: str, checkin: CheckIn) -> int:
    """What names one check-in in a retraction: the CRC-32 of its log line."""
    return zlib.crc32(log_line(ref, checkin))


def reading_crc(measure_id: int, reading: Reading) -> int:
    return zlib.crc32(reading_line(measure_id, reading))


def without_retracted(history: dict, retracted: list[tuple[Any, int]], crc_of=line_crc) -> None:
    """Take back each retracted check-in or reading (the newest with that line), in place."""
    for ref, crc in retracted:
        checkins = history.get(ref)
        if not checkins:
            continue
        for index in range(len(checkins) - 1, -1, -1):
            if crc_of(ref, checkins[index]) == crc:
                history[ref] = checkins[:index] + checkins[index + 1:]
                break


def parse_log(data: bytes) -> list[tuple[str, CheckIn]]:
    """Every line of a cycle's check-in log; a bad one is named by its line number."""
    return _parse_lines(_LOG, data)


def _parse_lines(adapter: TypeAdapter, data: bytes) -> list:
    lines = data.splitlines()
    try:
        return adapter.validate_json(b"[" + b",".join(lines) + b"]")
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] != "json_invalid" and first["loc"] and isinstance(first["loc"][0], int):
            index = first["loc"][0]
            raise ValueError(f"line {index + 1}: " + "; ".join(describe(exc)[:1])) from None
    for number, line in enumerate(lines, 1):  # the slow way, only to find the broken line
        try:
            orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"line {number}: not valid JSON ({exc})") from None
    raise ValueError("the log is not valid JSON lines")
