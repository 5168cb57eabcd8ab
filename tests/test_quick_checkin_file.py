"""`okrtui checkin --file` the quick way: a file of plain cells on one open cycle is recorded
without the models, byte for byte as the full way records it; anything else, and any problem,
is left to the full way (nothing written)."""
# ruff: noqa: F811  (the `ready` fixture, imported from test_quick_checkin, is named as an argument)

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_in_process, snapshot_bytes
from okrtui.interchange.checkin_file import parse_checkin_file
from okrtui.interchange.checkin_plain import plain_rows
from okrtui.operations import record_checkins
from okrtui.store import Store, backup, quick
from test_quick_checkin import NOT_LOADED, NOW, open_refs, ready, twin  # noqa: F401  (ready: a fixture)


def _file(metrics: list[str], milestones: list[str], kind: str) -> bytes:
    m, n = metrics, milestones
    if kind == "plain":
        text = f"ref,value\n{m[0]},812\n{m[1].lower()}, 40.5 \n{n[0]},done\n"
    elif kind == "every column":
        text = (f"at,note,confidence,value,ref\n"
                f"2026-11-19T08:00:00Z,two deals slipped,at risk,700,{m[0]}\n"
                f",,3,,{m[1]}\n"                              # confidence only: the value stays
                f"2026-10-20T08:00:00,back-dated,,650,{m[2]}\n"   # joins the history, current unchanged
                f",  ünïcødé · note  ,,1e3,{m[3]}\n")
    elif kind == "one key result again and again":
        text = "ref,value\n" + "".join(f"{m[0]},{v}\n" for v in (10, 20, 30, 40))
    elif kind == "crlf, bom and blank rows":
        text = f"\ufeffRef , Value\r\n\r\n{m[0]},5\r\n , \r\n{m[1]},6\r\n"
    elif kind == "every metric, some twice":
        text = "ref,value\n" + "".join(f"{ref},{i}\n" for i, ref in enumerate(m + m[:5]))
    else:
        raise AssertionError(kind)
    return text.encode("utf-8")


KINDS = ["plain", "every column", "one key result again and again", "crlf, bom and blank rows",
         "every metric, some twice"]


@pytest.mark.parametrize("kind", KINDS)
def test_both_ways_write_the_same_bytes(ready, tmp_path, kind):
    metrics, milestones = open_refs(ready)
    _same_both_ways(ready, tmp_path, _file(metrics, milestones, kind))


def _same_both_ways(ready: Path, tmp_path: Path, data: bytes) -> None:
    other = twin(ready, tmp_path)
    rows = plain_rows(data)
    assert rows is not None, "the plain reader stepped aside"
    line = quick.quick_checkin_rows(str(ready), rows, author="ann", now=NOW)
    assert line is not None, "the quick way stepped aside"
    full = record_checkins(Store(other), parse_checkin_file(data, "f.csv"), author="ann", name="f.csv", now=NOW)
    assert [m.line() for m in full] == [line]
    mine, theirs = snapshot_bytes(ready), snapshot_bytes(other)
    assert mine.keys() == theirs.keys()
    for name in mine:
        assert mine[name] == theirs[name], f"{name} differs"


def test_a_journal_entry_names_fifty_key_results_as_the_full_way_does(sample_store, tmp_path, monkeypatch):
    """A file over more key results than a journal entry names (50): the same first fifty."""
    doc = json.loads((Path(__file__).parents[1] / "sample_data" / "acme.json").read_text(encoding="utf-8"))
    cycle = next(c for c in doc["cycles"] if not c["closed"])
    top_o = max(int(o["ref"][2:]) for c in doc["cycles"] for o in c["objectives"])
    top_kr = max(int(k["ref"][3:]) for c in doc["cycles"] for o in c["objectives"] for k in o["key_results"])
    refs = [f"KR-{top_kr + n}" for n in range(1, 61)]
    for i in range(15):
        cycle["objectives"].append({"ref": f"O-{top_o + 1 + i}", "title": f"More {i}", "aligned_to": "F1",
                                    "key_results": [{"ref": ref, "title": ref, "kind": "metric", "start": 0,
                                                     "target": 100, "current": 0}
                                                    for ref in refs[4 * i:4 * i + 4]]})
    big = tmp_path / "big" / "okrtui.json"
    source = tmp_path / "big.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    assert run_in_process("import", source, "--store", big).code == 0
    monkeypatch.setattr(backup, "now", lambda: NOW)
    assert run_in_process("checkin", refs[0], "1", "--store", big, "--at", "2026-11-19T09:00:00Z").code == 0
    _same_both_ways(big, tmp_path, ("ref,value\n" + "".join(f"{ref},{i}\n" for i, ref in enumerate(refs))).encode())
    journal = json.loads(big.read_text(encoding="utf-8"))["meta"]["1"]["journal"]
    assert journal[-1]["subjects"] == [f"key_result:{ref}" for ref in refs[:50]]


def test_the_plain_reader_reads_the_rows_the_full_reader_reads(ready):
    metrics, milestones = open_refs(ready)
    for kind in KINDS:
        data = _file(metrics, milestones, kind)
        full = [(r.ref, r.value_text, r.confidence, r.note, r.at) for r in parse_checkin_file(data, "f.csv")]
        assert plain_rows(data) == full, kind


@pytest.mark.parametrize("text", [
    'ref,value\nKR-30,"7"\n',                     # quoted: the csv module's business
    "ref,value,note\nKR-30,7,'=SUM(A1)\n",       # escaped against formulas
    "ref,value,owner\nKR-30,7,ann\n",            # unknown column
    "ref,value,ref\nKR-30,7,KR-31\n",            # a column twice
    "ref,note\nKR-30,hello\n",                   # no value column
    "ref,value\nKR-30\n",                        # a cell missing
    "ref,value\nKR-30,7,8\n",                    # a cell too many
    "ref,value\n,7\n",                           # no ref
    "ref,value,confidence,note\nKR-30,,,\n",     # nothing to record
    "ref,value,confidence\nKR-30,7,sure\n",      # not a confidence
    "ref,value,at\nKR-30,7,yesterday\n",         # not a time
    "ref,value\n",                               # only the header
    "",                                          # empty
])
def test_the_plain_reader_leaves_everything_else_to_the_full_reader(text):
    assert plain_rows(text.encode("utf-8")) is None


def test_not_utf8_is_left_to_the_full_reader():
    assert plain_rows(b"ref,value\nKR-30,\xff\n") is None


@pytest.mark.parametrize("case", ["two cycles", "closed cycle", "unknown ref", "bad value", "future",
                                  "bad author"])
def test_it_steps_aside_and_writes_nothing(ready, case):
    metrics, _ = open_refs(ready)
    author = "ann"
    rows = [(metrics[0], "5", None, "", None), (metrics[1], "6", None, "", None)]
    if case == "two cycles":
        rows.append(("KR-1", "5", None, "", None))  # the sample's KR-1 is in an earlier cycle
    elif case == "closed cycle":
        rows = [("KR-1", "5", None, "", None)]
    elif case == "unknown ref":
        rows.append(("KR-99999", "5", None, "", None))
    elif case == "bad value":
        rows.append((metrics[2], "abc", None, "", None))
    elif case == "future":
        rows.append((metrics[2], "5", None, "", NOW + dt.timedelta(hours=1)))
    else:
        author = "\x07"
    before = snapshot_bytes(ready)
    assert quick.quick_checkin_rows(str(ready), rows, author=author, now=NOW) is None
    assert snapshot_bytes(ready) == before


def test_the_command_reads_a_plain_file_without_the_models(ready, tmp_path):
    metrics, milestones = open_refs(ready)
    sheet = tmp_path / "sheet.csv"
    sheet.write_bytes(_file(metrics, milestones, "plain"))
    script = ("import sys\nfrom okrtui.cli import main\ncode = main(sys.argv[1:])\n"
              f"print([name for name in {NOT_LOADED!r} if name in sys.modules], code)")
    today = dt.datetime.now(dt.timezone.utc)
    # A subprocess reads the real clock: give it its day's backup, as the day's first write would.
    if not backup.daily_path(ready, today).exists():
        backup.daily_path(ready, today).write_bytes(backup.daily_path(ready, NOW).read_bytes())
    out = subprocess.run([sys.executable, "-c", script, "checkin", "--file", str(sheet)],
                         capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "[] 0", out
    assert out.splitlines()[0].startswith("2026-Q4: 3 check-ins · Overall ")
    doc = json.loads(run_in_process("export", "--format", "json").out)
    krs = {k["ref"]: k for c in doc["cycles"] for o in c["objectives"] for k in o["key_results"]}
    assert krs[metrics[0]]["current"] == 812 and krs[metrics[1]]["current"] == 40.5


def test_a_file_with_a_problem_is_refused_as_always(ready, tmp_path):
    metrics, _ = open_refs(ready)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(f"ref,value\n{metrics[0]},5\n{metrics[1]},abc\n", encoding="utf-8")
    before = snapshot_bytes(ready)
    result = run_in_process("checkin", "--file", sheet)
    assert result.code != 0 and "line 3, column value" in result.err, result
    assert snapshot_bytes(ready) == before


def test_a_missing_store_is_named_before_a_missing_file(tmp_path):
    result = run_in_process("checkin", "--file", tmp_path / "nope.csv", "--store", tmp_path / "none" / "s.json")
    assert result.code == 1 and "no store here" in result.err, result
