"""A store reads each cycle's history once and then only the new tail of its log."""

from __future__ import annotations

import datetime as dt

from conftest import AT
from okrtui.operations import record_checkin
from okrtui.store import Store
from okrtui.store.layout import CycleEntry


def test_history_is_read_incrementally_and_matches_a_fresh_read(sample_store, monkeypatch):
    store = Store(sample_store)
    before = store.snapshot()
    old = before.history("2026-Q4")
    reads: list[tuple[int, int]] = []
    real_read = Store._read_history

    def counting(self, entry: CycleEntry):
        reads.append((self._history_cache.get(entry.slot, (0, {}))[0], entry.log_len))
        return real_read(self, entry)

    monkeypatch.setattr(Store, "_read_history", counting)
    at = dt.datetime.fromisoformat(AT.replace("Z", "+00:00"))
    record_checkin(store, "KR-28", "900", author="tester", at=at, now=at)
    after = store.snapshot()
    new = after.history("2026-Q4")
    # Only the bytes past what was read before were read.
    assert reads[-1][0] == before.entry("2026-Q4").log_len > 0
    assert new == Store(sample_store).snapshot().history("2026-Q4")
    assert [c.value for c in new["KR-28"]][-1] == 900
    assert len(new["KR-28"]) == len(old["KR-28"]) + 1
    # The older snapshot still sees the history as it was, and the cache is not rolled back.
    assert before.history("2026-Q4") == old
    assert store.history_is_read(after.entry("2026-Q4"))


def test_handed_out_lists_cannot_change_the_cache(sample_store):
    store = Store(sample_store)
    snapshot = store.snapshot()
    first = snapshot.history("2026-Q4")
    first["KR-28"].clear()
    assert snapshot.history("2026-Q4")["KR-28"]
