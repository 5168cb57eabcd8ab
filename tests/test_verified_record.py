"""The record of parts and logs already verified: a writer reads again only what changed since
(so a check-in's checks do not grow with the history), and still finds every change."""

from __future__ import annotations

import json
import os

import pytest

from conftest import parts_dir, run_in_process, snapshot_bytes
from okrtui.store import Store, guard


@pytest.fixture
def settled(monkeypatch):
    """Every file counts as settled, however new: the tests need not wait two seconds."""
    monkeypatch.setattr(guard, "SETTLED_NS", -10**18)


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The store files whose bytes a check read, by name."""
    found: list[str] = []
    crc = guard._crc

    def counted(path, length, known=None):
        size, value, stamp = crc(path, length, known)
        if known is None or stamp is not known:  # trusted, it hands back what it knew
            found.append(os.path.basename(path))
        return size, value, stamp

    monkeypatch.setattr(guard, "_crc", counted)
    return found


def _checks(store) -> list[str]:
    snapshot = Store(store).snapshot()
    return guard.file_problems(parts_dir(store), snapshot.entries, snapshot.meta, remember=True)


def _logs(store) -> list[str]:
    return sorted(p.name for p in parts_dir(store).iterdir() if p.suffix == ".log")


def test_a_file_verified_once_is_not_read_again(sample_store, settled, reads):
    assert _checks(sample_store) == []
    first = list(reads)
    assert set(_logs(sample_store)) <= set(first)  # everything read once
    reads.clear()
    assert _checks(sample_store) == []
    assert reads == []  # nothing read twice
    record = json.loads((parts_dir(sample_store) / guard.VERIFIED).read_text())
    assert sorted(record) == sorted(first)


def test_a_check_in_reads_only_what_it_changed(sample_store, settled, reads):
    assert run_in_process("checkin", "KR-28", "700", "--at", "2026-11-19T09:00:00Z").code == 0
    entry = Store(sample_store).snapshot().find("KR-28")
    reads.clear()
    assert run_in_process("checkin", "KR-28", "710", "--at", "2026-11-19T10:00:00Z").code == 0
    # The log and part the first check-in rewrote, and nothing of the other cycles.
    assert sorted(reads) == sorted([entry.log_name, entry.file])


def test_a_later_change_in_place_is_still_found(sample_store, settled):
    assert _checks(sample_store) == []
    log = parts_dir(sample_store) / _logs(sample_store)[0]
    info = os.stat(log)
    data = bytearray(log.read_bytes())
    data[3] ^= 1
    log.write_bytes(bytes(data))  # same size, same inode
    # A later edit: the file's times move on (here set, not waited for).
    os.utime(log, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    before = snapshot_bytes(sample_store)
    problems = _checks(sample_store)
    assert problems and "checksum mismatch" in problems[0]
    result = run_in_process("checkin", "KR-28", "5")
    assert result.code == 1 and "damaged" in result.err
    assert snapshot_bytes(sample_store) == before


def test_a_file_replaced_by_another_is_read_again(sample_store, settled, reads):
    assert _checks(sample_store) == []
    log = parts_dir(sample_store) / _logs(sample_store)[0]
    copy = log.with_name("copy")
    copy.write_bytes(log.read_bytes())
    os.replace(copy, log)  # the same bytes under a new inode, as an editor saves
    reads.clear()
    assert _checks(sample_store) == []
    assert reads == [log.name]


def test_a_file_that_had_not_settled_is_not_trusted(sample_store, reads):
    assert run_in_process("checkin", "KR-28", "700", "--at", "2026-11-19T09:00:00Z").code == 0
    entry = Store(sample_store).snapshot().find("KR-28")
    assert _checks(sample_store) == []
    path = parts_dir(sample_store) / guard.VERIFIED
    record = json.loads(path.read_text()) if path.exists() else {}
    assert entry.log_name not in record and entry.file not in record  # written a moment ago
    reads.clear()
    assert _checks(sample_store) == []
    assert entry.log_name in reads


@pytest.mark.parametrize("record", [b"not json", b"[1, 2]", b'{"c1.log": [1, 2, 3]}', None])
def test_a_broken_record_only_means_reading_everything(sample_store, settled, reads, record):
    path = parts_dir(sample_store) / guard.VERIFIED
    if record is None:
        os.symlink("/etc/hostname", path)  # never followed
    else:
        path.write_bytes(record)
    assert _checks(sample_store) == []
    assert set(_logs(sample_store)) <= set(reads)


def test_a_record_that_disagrees_with_the_main_file_is_damage(sample_store, settled):
    """The record vouches for bytes, not for the main file's checksum of them."""
    assert _checks(sample_store) == []
    path = parts_dir(sample_store) / guard.VERIFIED
    record = json.loads(path.read_text())
    name = _logs(sample_store)[0]
    record[name][5] ^= 1
    path.write_text(json.dumps(record))
    problems = _checks(sample_store)
    assert problems and name in problems[0] and "checksum mismatch" in problems[0]


def test_doctor_reads_everything_whatever_the_record_says(sample_store, settled):
    assert _checks(sample_store) == []
    path = parts_dir(sample_store) / guard.VERIFIED
    record = json.loads(path.read_text())
    name = _logs(sample_store)[0]
    log = parts_dir(sample_store) / name
    data = bytearray(log.read_bytes())
    data[3] ^= 1
    stamp = os.stat(log)
    log.write_bytes(bytes(data))
    os.utime(log, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    record[name][:4] = [os.stat(log).st_ino, os.stat(log).st_size, os.stat(log).st_mtime_ns, os.stat(log).st_ctime_ns]
    path.write_text(json.dumps(record))  # a record that vouches for the changed file
    result = run_in_process("doctor")
    assert result.code != 0 and name in result.out + result.err
