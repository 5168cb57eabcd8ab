"""The shape of the store's files, in plain Python: what the quick check-in needs
to read and write them without the models (layout.py has the whole of it).
"""

from __future__ import annotations

TYPE_CHECKING = False  # the quick check-in imports this: typing stays unloaded
if TYPE_CHECKING:
    import datetime as dt
    from typing import Any, Optional

STORE_FORMAT = "okrtui-store"
# 2: each cycle row carries the checksums of its part and of its log's committed bytes.
# 3: retracted check-ins per cycle; retired refs and a journal of changes in the meta row.
# 4: measure readings in their own log; each measure carries an id and its latest reading time.
STORE_VERSION = 4
READINGS_LOG = "readings.log"
LOCK_TIMEOUT = 10.0
JOURNAL_KEPT = 64
JOURNAL_SUBJECTS = 50  # the items a journal entry names (a deleted cycle touches thousands)
# The fields of the main file's meta row and cycle rows, in the order the models write
# them (layout.Meta, layout.CycleEntry; a test holds them together): a row of any other
# shape was not written by this version, and the quick check-in leaves it to the models.
META_FIELDS = ("format", "version", "organization", "next_objective", "next_key_result", "next_slot",
               "generation", "retired_objectives", "retired_key_results", "journal", "next_measure",
               "readings_len", "readings_crc", "retracted_readings")
ENTRY_FIELDS = ("id", "start", "end", "closed", "slot", "file", "log_len", "part_crc", "log_crc",
                "objective_refs", "kr_refs", "retracted")


def runs(numbers: list[int]) -> list[list[int]]:
    result: list[list[int]] = []
    for number in sorted(numbers):
        if result and number == result[-1][1] + 1:
            result[-1][1] = number
        else:
            result.append([number, number])
    return result


def table(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """TinyDB's on-disk shape of a table: documents keyed by their id."""
    return {str(index): doc for index, doc in enumerate(docs, 1)}


def kr_part_doc(kr_doc: dict[str, Any], last_at: Optional[dt.datetime]) -> dict[str, Any]:
    """A key result as its cycle's part file keeps it: no history, just its latest time."""
    doc = {k: v for k, v in kr_doc.items() if k != "checkins"}
    doc["last_at"] = last_at.isoformat().replace("+00:00", "Z") if last_at else None
    return doc
