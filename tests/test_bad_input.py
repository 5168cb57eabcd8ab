"""Bad input (§9, §6 exit codes, §7 import rules): refused with exit 2, said where, nothing changed.

Each bad case starts from a small valid okrtui/1 document (or a valid `checkin`
command line), breaks one thing, runs it against the sample store and checks:
exit code 2, stderr names the field path (or line and column), and the store
directory is byte-identical afterwards.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import AT, export_doc, find_kr, snapshot_bytes

RAW = "@@RAW@@"  # a string value replaced by a raw JSON token (NaN, Infinity, 1e999) in the file's text
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


def valid_doc() -> dict:
    return {
        "format": "okrtui/1",
        "organization": "Northwind Analytics",
        "strategy": [
            {"code": "T1", "title": "Test financial objective", "perspective": "financial",
             "description": "Why it matters:\n\tmoney", "owner": "cfo", "drives": [],
             "measures": [{"name": "Revenue", "unit": "$M", "baseline": 10, "target": 15, "actual": 12}],
             "initiatives": ["Price review"]},
            {"code": "T2", "title": "Test customer objective", "perspective": "customer", "drives": ["T1", "F1"]},
        ],
        "cycles": [
            {"id": "T-2026", "start": "2026-10-01", "end": "2026-12-31",
             "objectives": [
                 {"title": "Objective A", "owner": "team-a", "aligned_to": "T1", "key_results": [
                     {"title": "Metric KR", "kind": "metric", "start": 0, "target": 10, "unit": "%", "weight": 2,
                      "checkins": [{"at": "2026-11-01T09:00:00Z", "author": "ana", "value": 3,
                                    "confidence": "at-risk", "note": "first one"}]},
                     {"title": "Milestone KR", "kind": "milestone",
                      "checkins": [{"at": "2026-11-02T09:00:00Z", "author": "ana", "value": 1,
                                    "confidence": "on-track"}]},
                 ]},
                 {"title": "Objective B", "owner": "team-b", "parent": "Objective A", "key_results": []},
             ]},
        ],
    }


KR0 = "cycles[0].objectives[0].key_results[0]"
KR1 = "cycles[0].objectives[0].key_results[1]"
CHECKIN = f"{KR0}.checkins[0]"
OBJ0 = "cycles[0].objectives[0]"
OBJ1 = "cycles[0].objectives[1]"


def _tokens(path: str) -> list[Any]:
    return [int(t[1:-1]) if t.startswith("[") else t for t in re.findall(r"\[\d+\]|[^.\[\]]+", path)]


def set_path(doc: Any, path: str, value: Any) -> None:
    *parents, last = _tokens(path)
    for token in parents:
        doc = doc[token]
    doc[last] = value


def get_path(doc: Any, path: str) -> Any:
    for token in _tokens(path):
        doc = doc[token]
    return doc


def write_doc(path: Path, doc: Any, raw: str | None = None) -> Path:
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    if raw is not None:
        text = text.replace(json.dumps(RAW), raw)
    path.write_text(text, encoding="utf-8")
    return path


def future_time(minutes: float) -> str:
    moment = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------- bad import files

# (id, mutation, where): the mutation breaks valid_doc() in place; `where` is the
# path (plain text) or a regex (prefix "re:") that stderr must show.
Case = tuple[str, Callable[[dict], Any], str]


def setting(path: str, value: Any) -> Callable[[dict], None]:
    return lambda doc: set_path(doc, path, value)


def both(*mutations: Callable[[dict], Any]) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        for mutation in mutations:
            mutation(doc)

    return mutate


def simple(path: str, value: Any, where: str | None = None, name: str | None = None) -> Case:
    return (name or f"{path}={value!r}"[:80], setting(path, value), where or path)


NUMBERS: list[Case] = [
    simple("strategy[0].measures[0].target", "15"),
    simple("strategy[0].measures[0].baseline", "ten"),
    simple("strategy[0].measures[0].actual", True),
    simple(f"{KR0}.start", "0"),
    simple(f"{KR0}.target", [10]),
    simple(f"{KR0}.current", "4"),
    simple(f"{KR0}.weight", "1"),
    simple(f"{KR0}.weight", 0),
    simple(f"{KR0}.weight", -1),
    simple(f"{CHECKIN}.value", "3"),
    simple(f"{CHECKIN}.value", None),
    simple(f"{CHECKIN}.value", {"n": 3}),
]

RAW_TOKENS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"]
RAW_PATHS = [f"{KR0}.current", f"{KR0}.target", f"{CHECKIN}.value", "strategy[0].measures[0].actual",
             f"{KR0}.weight"]

TEXT_FIELDS_ONE_LINE = [
    "organization",
    "strategy[0].code",
    "strategy[0].title",
    "strategy[0].owner",
    "strategy[0].initiatives[0]",
    "strategy[0].measures[0].name",
    "strategy[0].measures[0].unit",
    "cycles[0].id",
    f"{OBJ0}.title",
    f"{OBJ0}.owner",
    f"{KR0}.title",
    f"{KR0}.unit",
    f"{CHECKIN}.author",
]
TEXT_FIELDS_MULTI_LINE = ["strategy[0].description", f"{CHECKIN}.note"]

LENGTHS: list[Case] = [
    simple(f"{OBJ0}.title", "x" * 201, name="objective title 201"),
    simple("strategy[0].title", "x" * 201, name="strategic title 201"),
    simple(f"{KR0}.title", "x" * 201, name="kr title 201"),
    simple("strategy[0].measures[0].name", "x" * 201, name="measure name 201"),
    simple(f"{CHECKIN}.note", "n" * 2001, name="note 2001"),
    simple(f"{OBJ0}.owner", "o" * 65, name="owner 65"),
    simple("strategy[0].owner", "o" * 65, name="strategic owner 65"),
    simple(f"{KR0}.unit", "u" * 65, name="unit 65"),
    simple("strategy[0].measures[0].unit", "u" * 65, name="measure unit 65"),
    simple(f"{CHECKIN}.author", "a" * 65, name="author 65"),
    simple("cycles[0].id", "c" * 33, name="cycle id 33"),
    simple("strategy[0].code", "C" * 17, name="code 17"),
    simple(f"{OBJ0}.title", "   ", name="objective title spaces"),
    simple(f"{OBJ0}.title", "", name="objective title empty"),
    simple("strategy[0].title", " \t ", name="strategic title blank"),
    simple(f"{KR0}.title", "  ", name="kr title blank"),
    simple("strategy[0].measures[0].name", " ", name="measure name blank"),
    simple("strategy[0].initiatives[0]", "  ", name="initiative blank"),
    simple(f"{CHECKIN}.author", "   ", name="author blank"),
    simple("cycles[0].id", "  ", name="cycle id blank"),
    simple("strategy[0].code", "", name="code empty"),
    simple(f"{OBJ0}.title", None, name="title null"),
    simple(f"{OBJ0}.title", 42, name="title a number"),
]

CODES: list[Case] = [
    simple("strategy[0].code", "O-3", name="code looks like O-3"),
    simple("strategy[0].code", "kr-12", name="code looks like kr-12"),
    simple("strategy[0].code", "KR-1", name="code looks like KR-1"),
    simple("strategy[0].code", "o-7", name="code looks like o-7"),
    simple("strategy[0].code", "F 1", name="code with a space"),
    simple("strategy[0].code", "F/1", name="code with a slash"),
    simple("strategy[0].code", "F\u00e91", name="code with a non-ASCII letter"),
    simple("strategy[0].code", "../x", name="code like a path"),
]

CONTROL_ONE_LINE: list[Case] = [
    simple(path, f"a{char}b", name=f"{path} {char!r}")
    for char in ["\x1b", "\x85", "\n"]
    for path in TEXT_FIELDS_ONE_LINE
] + [
    simple(f"{OBJ0}.title", f"a{char}b", name=f"title {char!r}")
    for char in ["\x00", "\x07", "\t", "\r", "\x7f", "\x9b", "\x9f"]
]

CONTROL_MULTI_LINE: list[Case] = [
    simple(path, f"line{char}more", name=f"{path} {char!r}")
    for char in ["\x1b", "\x00", "\x85", "\x7f", "\x0b", "\x0c", "\x9b", "\r"]
    for path in TEXT_FIELDS_MULTI_LINE
]

BIDI_CASES: list[Case] = [
    simple(f"{CHECKIN}.note", f"abc{char}def", name=f"note U+{ord(char):04X}") for char in BIDI
] + [
    simple(path, f"abc{char}def", name=f"{path} U+{ord(char):04X}")
    for char in ["\u202e", "\u2067"]
    for path in TEXT_FIELDS_ONE_LINE + ["strategy[0].description"]
]


def _closed_cycle(doc: dict) -> None:
    cycle = doc["cycles"][0]
    cycle.update({"id": "2026-Q2", "start": "2026-04-01", "end": "2026-06-30"})


def _two_cycles(doc: dict) -> dict:
    second = {"id": "T-2027", "start": "2027-01-01", "end": "2027-03-31",
              "objectives": [{"title": "Later", "key_results": []}]}
    doc["cycles"].append(second)
    return second


def _parent_loop(doc: dict) -> None:
    a, b = doc["cycles"][0]["objectives"]
    a.update({"ref": "O-900", "parent": "O-901"})
    b.update({"ref": "O-901", "parent": "O-900"})


def _parent_loop_of_three(doc: dict) -> None:
    a, b = doc["cycles"][0]["objectives"]
    c = {"ref": "O-902", "title": "Objective C", "parent": "O-900", "key_results": []}
    a.update({"ref": "O-900", "parent": "O-901"})
    b.update({"ref": "O-901", "parent": "O-902"})
    doc["cycles"][0]["objectives"].append(c)


def _parent_in_other_cycle(doc: dict) -> None:
    doc["cycles"][0]["objectives"][0]["ref"] = "O-900"
    _two_cycles(doc)["objectives"][0]["parent"] = "O-900"


def _ambiguous_parent(doc: dict) -> None:
    doc["cycles"][0]["objectives"].append({"title": "Objective A", "key_results": []})


def _duplicate_cycle(doc: dict) -> None:
    doc["cycles"].append(copy.deepcopy(doc["cycles"][0]))
    doc["cycles"][1]["objectives"] = []


def _duplicate_kr_ref(doc: dict) -> None:
    krs = doc["cycles"][0]["objectives"][0]["key_results"]
    krs[0]["ref"] = "KR-900"
    krs[1]["ref"] = "KR-900"


def _delete(path: str) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        *parent, last = _tokens(path)
        del get_path(doc, ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in parent).replace(".[", "["))[last]

    return mutate


STRUCTURE: list[Case] = [
    ("future check-in", lambda d: set_path(d, f"{CHECKIN}.at", future_time(10)), f"{CHECKIN}.at"),
    ("future check-in tomorrow", lambda d: set_path(d, f"{CHECKIN}.at", future_time(24 * 60)), f"{CHECKIN}.at"),
    ("objectives into a closed cycle", _closed_cycle, "cycles[0]"),
    ("duplicate code in the file", both(setting("strategy[1].code", "T1"), setting("strategy[1].drives", [])),
     "strategy[1].code"),
    ("duplicate objective ref in the file",
     both(setting(f"{OBJ0}.ref", "O-900"), setting(f"{OBJ1}.ref", "O-900")), f"{OBJ1}.ref"),
    ("objective ref used in the store", setting(f"{OBJ0}.ref", "O-1"), f"{OBJ0}.ref"),
    ("kr ref used in the store", setting(f"{KR0}.ref", "KR-5"), f"{KR0}.ref"),
    ("duplicate kr ref in the file", _duplicate_kr_ref, f"{KR1}.ref"),
    ("objective ref of the wrong kind", setting(f"{OBJ0}.ref", "KR-900"), f"{OBJ0}.ref"),
    ("kr ref malformed", setting(f"{KR0}.ref", "KR-x"), f"{KR0}.ref"),
    ("objective ref zero", setting(f"{OBJ0}.ref", "O-0"), f"{OBJ0}.ref"),
    ("duplicate cycle id in the file", _duplicate_cycle, "cycles[1].id"),
    ("drives an unknown code", setting("strategy[1].drives", ["T1", "ZZ9"]), "strategy[1].drives[1]"),
    ("aligned to an unknown code", setting(f"{OBJ0}.aligned_to", "ZZ9"), f"{OBJ0}.aligned_to"),
    ("aligned to a ref", setting(f"{OBJ0}.aligned_to", "O-9"), f"{OBJ0}.aligned_to"),
    ("self-link", setting("strategy[1].drives", ["T2"]), "strategy[1].drives[0]"),
    ("parent loop of two", _parent_loop, r"re:cycles\[0\]\.objectives\[[01]\]\.parent"),
    ("parent loop of three", _parent_loop_of_three, r"re:cycles\[0\]\.objectives\[[012]\]\.parent"),
    ("own parent", both(setting(f"{OBJ0}.ref", "O-900"), setting(f"{OBJ0}.parent", "O-900")), f"{OBJ0}.parent"),
    ("parent in another cycle of the file", _parent_in_other_cycle, "cycles[1].objectives[0].parent"),
    ("parent in another cycle of the store", setting(f"{OBJ1}.parent", "O-9"), f"{OBJ1}.parent"),
    ("unknown parent ref", setting(f"{OBJ1}.parent", "O-999"), f"{OBJ1}.parent"),
    ("unknown parent title", setting(f"{OBJ1}.parent", "No such objective"), f"{OBJ1}.parent"),
    ("ambiguous parent title", _ambiguous_parent, f"{OBJ1}.parent"),
    ("target equals start", setting(f"{KR0}.target", 0), f"{KR0}.target"),
    ("target equals start as floats", both(setting(f"{KR0}.start", 2.5), setting(f"{KR0}.target", 2.5)),
     f"{KR0}.target"),
    ("metric without target", _delete(f"{KR0}.target"), f"{KR0}.target"),
    ("milestone current 0.5", setting(f"{KR1}.current", 0.5), f"{KR1}.current"),
    ("milestone current 2", setting(f"{KR1}.current", 2), f"{KR1}.current"),
    ("milestone current text", setting(f"{KR1}.current", "done"), f"{KR1}.current"),
    ("milestone check-in value 2", setting(f"{KR1}.checkins[0].value", 2), f"{KR1}.checkins[0].value"),
    ("milestone check-in value 0.5", setting(f"{KR1}.checkins[0].value", 0.5), f"{KR1}.checkins[0].value"),
    ("milestone start 1", setting(f"{KR1}.start", 1), f"{KR1}.start"),
    ("milestone target 5", setting(f"{KR1}.target", 5), f"{KR1}.target"),
    ("end before start", setting("cycles[0].end", "2026-09-30"), "cycles[0].end"),
    ("start not a date", setting("cycles[0].start", "2026-13-01"), "cycles[0].start"),
    ("start in another format", setting("cycles[0].start", "01/10/2026"), "cycles[0].start"),
    ("start a number", setting("cycles[0].start", 20261001), "cycles[0].start"),
    ("end missing", _delete("cycles[0].end"), "cycles[0].end"),
    ("check-in time not a time", setting(f"{CHECKIN}.at", "yesterday"), f"{CHECKIN}.at"),
    ("check-in time out of range", setting(f"{CHECKIN}.at", "2026-11-01T25:00:00Z"), f"{CHECKIN}.at"),
    ("unknown perspective", setting("strategy[0].perspective", "finance"), "strategy[0].perspective"),
    ("empty perspective", setting("strategy[0].perspective", ""), "strategy[0].perspective"),
    ("unknown kr confidence", setting(f"{KR0}.confidence", "green"), f"{KR0}.confidence"),
    ("unknown check-in confidence", setting(f"{CHECKIN}.confidence", "ok"), f"{CHECKIN}.confidence"),
    ("unknown kind", setting(f"{KR0}.kind", "boolean"), f"{KR0}.kind"),
    ("closed not a boolean", setting("cycles[0].closed", "yes"), "cycles[0].closed"),
    ("drives not a list", setting("strategy[1].drives", "T1"), "strategy[1].drives"),
    ("unknown field on an objective", setting(f"{OBJ0}.colour", "red"), f"{OBJ0}.colour"),
    ("unknown field on a check-in", setting(f"{CHECKIN}.mood", "happy"), f"{CHECKIN}.mood"),
    ("unknown field on a measure", setting("strategy[0].measures[0].owner", "x"), "strategy[0].measures[0].owner"),
    ("unknown top-level field", setting("version", 2), "version"),
    ("wrong format", setting("format", "okrtui/2"), "format"),
    ("missing format", _delete("format"), "format"),
    ("existing cycle id with other dates",
     both(setting("cycles[0].id", "2026-Q4"), setting("cycles[0].end", "2026-12-30")), "cycles[0]"),
]

IMPORT_CASES: list[Case] = NUMBERS + LENGTHS + CODES + CONTROL_ONE_LINE + CONTROL_MULTI_LINE + BIDI_CASES + STRUCTURE


def assert_refused(result, where: str, before: dict, store: Path) -> None:
    code, out, err = result
    assert code == 2, (out, err)
    if where.startswith("re:"):
        assert re.search(where[3:], err), err
    else:
        assert where in err, err
    assert snapshot_bytes(store) == before


def test_the_valid_document_imports(run, sample_store, tmp_path):
    """The starting point of every bad case below is itself fine."""
    code, out, err = run("import", write_doc(tmp_path / "valid.json", valid_doc()))
    assert code == 0, err
    doc = export_doc()
    cycle = next(c for c in doc["cycles"] if c["id"] == "T-2026")
    a, b = cycle["objectives"]
    assert (a["ref"], b["ref"]) == ("O-19", "O-20")
    assert b["parent"] == "O-19"
    metric, milestone = a["key_results"]
    assert (metric["ref"], metric["current"], metric["confidence"]) == ("KR-64", 3, "at-risk")
    assert (milestone["ref"], milestone["start"], milestone["target"], milestone["current"]) == ("KR-65", 0, 1, 1)
    assert [s["code"] for s in doc["strategy"]][-2:] == ["T1", "T2"]
    assert doc["strategy"][-2]["description"] == "Why it matters:\n\tmoney"


@pytest.mark.parametrize("name, mutate, where", IMPORT_CASES, ids=[c[0] for c in IMPORT_CASES])
def test_a_bad_import_file_is_refused(run, sample_store, tmp_path, name, mutate, where):
    doc = valid_doc()
    mutate(doc)
    path = write_doc(tmp_path / "bad.json", doc)
    before = snapshot_bytes(sample_store)
    assert_refused(run("import", path), where, before, sample_store)


@pytest.mark.parametrize("token", RAW_TOKENS)
@pytest.mark.parametrize("path", RAW_PATHS)
def test_non_finite_json_tokens_are_refused_at_their_field(run, sample_store, tmp_path, path, token):
    doc = valid_doc()
    set_path(doc, path, RAW)
    file = write_doc(tmp_path / "bad.json", doc, raw=token)
    assert token in file.read_text(encoding="utf-8")
    before = snapshot_bytes(sample_store)
    assert_refused(run("import", file), path, before, sample_store)


@pytest.mark.parametrize("text, line, column", [
    ('{\n  "format": "okrtui/1",\n  "strategy": [\n', 4, 1),
    ('{"format": "okrtui/1",}', 1, 23),
    ('{\n "format": "okrtui/1",\n "cycles": [{"id": \'x\'}]\n}', 3, 20),
    ('{"format": "okrtui/1"} extra', 1, 24),
    ("", 1, 1),
])
def test_malformed_json_names_line_and_column(run, sample_store, tmp_path, text, line, column):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    before = snapshot_bytes(sample_store)
    code, out, err = run("import", path)
    assert code == 2, (out, err)
    assert re.search(rf"line {line}\D.*column {column}\b", err), err
    assert str(path) in err
    assert snapshot_bytes(sample_store) == before


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_a_file_that_is_not_utf8_is_refused(run, sample_store, tmp_path, encoding):
    doc = valid_doc()
    set_path(doc, f"{OBJ0}.title", "Caf\u00e9 expansion")
    path = tmp_path / "bad.json"
    path.write_bytes(json.dumps(doc, ensure_ascii=False).encode(encoding))
    before = snapshot_bytes(sample_store)
    code, out, err = run("import", path)
    assert code == 2, (out, err)
    assert "UTF-8" in err and str(path) in err
    if encoding == "latin-1":
        assert re.search(r"line 1\D.*column \d+", err), err
    assert snapshot_bytes(sample_store) == before


@pytest.mark.parametrize("content", ["[]", '"okrtui/1"', "42", "null"])
def test_a_top_level_that_is_not_an_object_is_refused(run, sample_store, tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    before = snapshot_bytes(sample_store)
    code, out, err = run("import", path)
    assert code == 2, (out, err)
    assert snapshot_bytes(sample_store) == before


def test_a_bad_file_into_a_new_store_creates_no_store(run, store_path, tmp_path):
    doc = valid_doc()
    set_path(doc, "strategy[1].drives", ["ZZ9"])  # found only against the store, inside the write
    code, out, err = run("import", write_doc(tmp_path / "bad.json", doc))
    assert code == 2 and "strategy[1].drives[0]" in err
    assert not store_path.exists()
    assert snapshot_bytes(store_path) == {}
    assert run("report").code == 1  # still no store


def test_init_with_a_bad_organization_creates_no_store(run, store_path):
    code, out, err = run("init", "--org", "Bad\x1bName")
    assert code == 2 and "org" in err
    assert not store_path.exists()
    code, out, err = run("init", "--org", "   ")
    assert code == 2
    assert not store_path.exists()


@pytest.mark.parametrize("args", [
    ("report", "--as-of", "2026-13-01"),
    ("report", "--as-of", "20.11.2026"),
    ("report", "--format", "xml"),
    ("export", "--format", "xml"),
    ("export", "--format", "json", "--cycle", "2026-Q4"),
    ("frobnicate",),
])
def test_usage_errors_are_exit_2(run, sample_store, args):
    before = snapshot_bytes(sample_store)
    code, out, err = run(*args)
    assert code == 2, (out, err)
    assert err.strip()
    assert snapshot_bytes(sample_store) == before


def test_importing_a_missing_file_is_refused(run, sample_store, tmp_path):
    before = snapshot_bytes(sample_store)
    code, out, err = run("import", tmp_path / "nope.json")
    assert code == 2 and "nope.json" in err
    assert snapshot_bytes(sample_store) == before


def test_one_bad_item_refuses_the_whole_file(run, sample_store, tmp_path):
    doc = valid_doc()
    doc["cycles"][0]["objectives"].append({"title": "Fine", "key_results": [{"title": "ok", "start": 0, "target": 1}]})
    set_path(doc, f"{KR1}.current", 7)
    before = snapshot_bytes(sample_store)
    assert_refused(run("import", write_doc(tmp_path / "bad.json", doc)), f"{KR1}.current", before, sample_store)


def test_every_problem_of_the_items_is_reported(run, sample_store, tmp_path):
    doc = valid_doc()
    set_path(doc, "strategy[0].perspective", "finance")
    set_path(doc, f"{KR0}.target", 0)
    set_path(doc, f"{OBJ1}.title", "")
    code, out, err = run("import", write_doc(tmp_path / "bad.json", doc))
    assert code == 2
    for where in ("strategy[0].perspective", f"{KR0}.target", f"{OBJ1}.title"):
        assert where in err, err


def test_error_names_the_offending_value(run, sample_store, tmp_path):
    doc = valid_doc()
    set_path(doc, "strategy[1].drives", ["T1", "X9"])
    code, out, err = run("import", write_doc(tmp_path / "bad.json", doc))
    assert code == 2
    assert "X9" in err and "strategy[1].drives[1]" in err


# ---------------------------------------------------------------- bad check-ins


def checkin_cases() -> list[tuple[str, list[str], str]]:
    """(id, argv, regex that stderr must match)."""
    cases = []
    for value in ["NaN", "nan", "inf", "-inf", "Infinity", "1e999", "-1e999", "1_000", "12abc", "0x10", "1,5",
                  "1.2.3", "1e", "e3", ".", "+", "", "   "]:
        cases.append((f"metric value {value!r}", ["KR-28", value], r"value"))
    for value in ["2", "0.5", "-1", "yes", "half", "donee", "", "   "]:
        cases.append((f"milestone value {value!r}", ["KR-60", value], r"value"))
    cases += [
        ("note 2001", ["KR-28", "700", "--note", "n" * 2001], r"note"),
        ("author 65", ["KR-28", "700", "--as", "a" * 65], r"author"),
        ("author blank", ["KR-28", "700", "--as", "   "], r"author"),
        # The time is taken when the test runs, not when it is collected (a slow suite is minutes long).
        ("future 10 minutes", ["KR-28", "700", "--at", "FUTURE-10-MINUTES"], r"future"),
        ("future tomorrow", ["KR-28", "700", "--at", future_time(24 * 60)], r"future"),
        ("future year", ["KR-28", "700", "--at", "2099-01-01T00:00:00Z"], r"2099"),
        ("time not a time", ["KR-28", "700", "--at", "yesterday"], r"yesterday"),
        ("time out of range", ["KR-28", "700", "--at", "2026-11-31T10:00:00Z"], r"2026-11-31"),
        ("unknown confidence", ["KR-28", "700", "--confidence", "green"], r"green"),
        ("closed cycle", ["KR-1", "100", "--at", "2026-06-20T10:00:00Z"], r"closed"),
        ("closed cycle milestone", ["KR-3", "done", "--at", "2026-06-20T10:00:00Z"], r"closed"),
        ("unknown ref", ["KR-999", "1"], r"KR-999"),
        ("objective ref", ["O-9", "1"], r"O-9"),
        ("a code", ["F1", "1"], r"F1"),
        ("missing value", ["KR-28"], r"VALUE|value"),
    ]
    for char in ["\x1b", "\x00", "\x85", "\x7f", "\x0b", "\r"]:
        cases.append((f"note {char!r}", ["KR-28", "700", "--note", f"a{char}b"], r"note"))
    for char in ["\x1b", "\x85", "\n", "\t", "\x00"]:
        cases.append((f"author {char!r}", ["KR-28", "700", "--as", f"a{char}b"], r"author"))
    for char in BIDI:
        cases.append((f"note U+{ord(char):04X}", ["KR-28", "700", "--note", f"a{char}b"], r"note"))
    for char in ["\u202e", "\u2066"]:
        cases.append((f"author U+{ord(char):04X}", ["KR-28", "700", "--as", f"a{char}b"], r"author"))
    return cases


CHECKIN_CASES = checkin_cases()


@pytest.mark.parametrize("name, argv, pattern", CHECKIN_CASES, ids=[c[0] for c in CHECKIN_CASES])
def test_a_bad_checkin_is_refused(run, sample_store, name, argv, pattern):
    if "--at" not in argv:
        argv = [*argv, "--at", AT]
    argv = [future_time(10) if a == "FUTURE-10-MINUTES" else a for a in argv]
    before = snapshot_bytes(sample_store)
    code, out, err = run("checkin", *argv)
    assert code == 2, (out, err)
    assert re.search(pattern, err, re.IGNORECASE), err
    assert snapshot_bytes(sample_store) == before


@pytest.mark.parametrize("value", ["NaN", "1_000", "12abc", "0x10", "-inf"])
def test_a_bad_value_is_named_in_the_message(run, sample_store, value):
    code, out, err = run("checkin", "KR-28", value, "--at", AT)
    assert code == 2
    assert value in err


# ---------------------------------------------------------------- the positive side: check-ins


@pytest.mark.parametrize("text, expected", [
    ("41", 41), ("-3.5", -3.5), (".5", 0.5), ("1e3", 1000), (" 41 ", 41), ("+7", 7), ("0", 0),
    ("1E+2", 100), ("2.", 2), ("-.5", -0.5), ("-1e3", -1000), ("1e-2", 0.01),
])
def test_metric_values_people_type_are_accepted(run, sample_store, text, expected):
    code, out, err = run("checkin", "KR-28", text, "--at", AT)
    assert code == 0, err
    kr = find_kr(export_doc(), "KR-28")
    assert kr["current"] == pytest.approx(expected)
    assert kr["checkins"][-1]["value"] == pytest.approx(expected)


def test_an_integer_value_stays_an_integer(run, sample_store):
    assert run("checkin", "KR-28", "41", "--at", AT).code == 0
    code, out, err = run("export", "--format", "json")
    assert '"current": 41,' in out
    assert isinstance(find_kr(json.loads(out), "KR-28")["current"], int)


@pytest.mark.parametrize("text, expected", [("done", 1), ("not-done", 0), ("1", 1), ("0", 0), (" done ", 1)])
def test_milestone_values_are_accepted(run, sample_store, text, expected):
    # KR-60 (2026-Q4) is a milestone, not done yet; KR-50 is done.
    for ref in ("KR-60", "KR-50"):
        code, out, err = run("checkin", ref, text, "--at", AT)
        assert code == 0, err
        assert find_kr(export_doc(), ref)["current"] == expected


def test_note_may_hold_tabs_and_newlines(run, sample_store):
    note = "first line\n\tsecond line\nthird"
    assert run("checkin", "KR-28", "700", "--note", note, "--at", AT).code == 0
    assert find_kr(export_doc(), "KR-28")["checkins"][-1]["note"] == note


def test_longest_texts_are_accepted(run, sample_store):
    code, out, err = run("checkin", "KR-28", "700", "--note", "n" * 2000, "--as", "a" * 64, "--at", AT)
    assert code == 0, err
    last = find_kr(export_doc(), "KR-28")["checkins"][-1]
    assert (len(last["note"]), len(last["author"])) == (2000, 64)


def test_author_is_stored_trimmed(run, sample_store):
    assert run("checkin", "KR-28", "700", "--as", "  bob  ", "--at", AT).code == 0
    assert find_kr(export_doc(), "KR-28")["checkins"][-1]["author"] == "bob"


def test_a_checkin_four_minutes_ahead_is_accepted_at_the_time_of_recording(run, sample_store):
    # A clock ahead of this machine's must not put a check-in in the future (decisions.md).
    before = dt.datetime.now(dt.timezone.utc)
    code, out, err = run("checkin", "KR-28", "700", "--at", future_time(4))
    after = dt.datetime.now(dt.timezone.utc)
    assert code == 0, err
    kr = find_kr(export_doc(), "KR-28")
    recorded = dt.datetime.fromisoformat(kr["checkins"][-1]["at"].replace("Z", "+00:00"))
    assert before <= recorded <= after and kr["current"] == 700


@pytest.mark.parametrize("given, stored", [
    ("2026-11-20T12:00:00+02:00", "2026-11-20T10:00:00Z"),
    ("2026-11-20T10:00:00", "2026-11-20T10:00:00Z"),
    ("2026-11-20T05:00:00-05:00", "2026-11-20T10:00:00Z"),
    ("2026-11-20T10:00:00Z", "2026-11-20T10:00:00Z"),
])
def test_checkin_times_are_stored_in_utc(run, sample_store, given, stored):
    assert run("checkin", "KR-28", "700", "--at", given).code == 0
    assert find_kr(export_doc(), "KR-28")["checkins"][-1]["at"] == stored


# ---------------------------------------------------------------- the positive side: imports


def import_doc(run, tmp_path: Path, doc: dict) -> dict:
    code, out, err = run("import", write_doc(tmp_path / "in.json", doc))
    assert code == 0, err
    return export_doc()


def test_one_line_text_is_stored_trimmed(run, sample_store, tmp_path):
    doc = valid_doc()
    set_path(doc, "strategy[0].code", "  T1 ")
    set_path(doc, "strategy[0].title", "  Spaced title ")
    set_path(doc, "strategy[0].owner", " cfo ")
    set_path(doc, "cycles[0].id", " T-2026 ")
    set_path(doc, f"{OBJ0}.title", "  x  ")
    set_path(doc, f"{OBJ0}.owner", "  team-a  ")
    set_path(doc, f"{KR0}.title", " kr ")
    set_path(doc, f"{KR0}.unit", " % ")
    set_path(doc, f"{CHECKIN}.author", "  ana ")
    set_path(doc, f"{OBJ1}.parent", "x")
    exported = import_doc(run, tmp_path, doc)
    strategic = next(s for s in exported["strategy"] if s["code"] == "T1")
    assert (strategic["title"], strategic["owner"]) == ("Spaced title", "cfo")
    cycle = next(c for c in exported["cycles"] if c["id"] == "T-2026")
    objective = cycle["objectives"][0]
    assert (objective["title"], objective["owner"]) == ("x", "team-a")
    kr = objective["key_results"][0]
    assert (kr["title"], kr["unit"], kr["checkins"][0]["author"]) == ("kr", "%", "ana")
    assert cycle["objectives"][1]["parent"] == objective["ref"]


def test_optional_fields_given_as_null_take_their_defaults(run, sample_store, tmp_path):
    doc = {
        "format": "okrtui/1",
        "organization": None,
        "strategy": [{"code": "T1", "title": "t", "perspective": "financial", "description": None, "owner": None,
                      "drives": None, "measures": None, "initiatives": None}],
        "cycles": [{"id": "T-2026", "start": "2026-10-01", "end": "2026-12-31", "closed": None, "objectives": [
            {"ref": None, "title": "o", "owner": None, "aligned_to": None, "parent": None, "key_results": [
                {"ref": None, "title": "k", "kind": None, "start": 0, "target": 10, "current": None, "unit": None,
                 "weight": None, "confidence": None, "checkins": [
                     {"at": "2026-11-01T09:00:00Z", "author": "ana", "value": 4, "confidence": "blocked",
                      "note": None}]},
                {"title": "m", "kind": "milestone", "start": None, "target": None, "current": None,
                 "confidence": None, "checkins": None},
            ]}]}],
    }
    exported = import_doc(run, tmp_path, doc)
    assert exported["organization"] == "Northwind Analytics"  # null organization replaces nothing
    strategic = next(s for s in exported["strategy"] if s["code"] == "T1")
    assert strategic == {"code": "T1", "title": "t", "perspective": "financial", "description": "", "owner": "",
                         "drives": [], "measures": [], "initiatives": []}
    cycle = next(c for c in exported["cycles"] if c["id"] == "T-2026")
    assert cycle["closed"] is False
    objective = cycle["objectives"][0]
    assert objective["ref"] == "O-19" and objective["owner"] == "" and objective["aligned_to"] is None
    metric, milestone = objective["key_results"]
    assert metric["ref"] == "KR-64"
    assert (metric["kind"], metric["current"], metric["unit"], metric["weight"], metric["confidence"]) == (
        "metric", 4, "", 1, "blocked")
    assert metric["checkins"][0]["note"] == ""
    assert (milestone["start"], milestone["target"], milestone["current"], milestone["confidence"],
            milestone["checkins"]) == (0, 1, 0, "on-track", [])


def test_current_defaults_to_the_latest_checkin_ties_to_the_later(run, sample_store, tmp_path):
    doc = valid_doc()
    set_path(doc, f"{KR0}.checkins", [
        {"at": "2026-11-05T09:00:00Z", "author": "ana", "value": 8, "confidence": "on-track"},
        {"at": "2026-11-03T09:00:00Z", "author": "ana", "value": 2, "confidence": "off-track"},
        {"at": "2026-11-05T09:00:00Z", "author": "bob", "value": 6, "confidence": "at-risk"},
    ])
    kr = find_kr(import_doc(run, tmp_path, doc), "KR-64")
    assert (kr["current"], kr["confidence"]) == (6, "at-risk")
    # The history keeps the file's order.
    assert [c["value"] for c in kr["checkins"]] == [8, 2, 6]


def test_current_and_confidence_given_are_kept(run, sample_store, tmp_path):
    doc = valid_doc()
    set_path(doc, f"{KR0}.current", 9)
    set_path(doc, f"{KR0}.confidence", "blocked")
    kr = find_kr(import_doc(run, tmp_path, doc), "KR-64")
    assert (kr["current"], kr["confidence"]) == (9, "blocked")


def test_import_replaces_an_existing_code_in_place(run, sample_store, tmp_path):
    before = export_doc()
    position = [s["code"] for s in before["strategy"]].index("C2")
    doc = {"format": "okrtui/1", "strategy": [
        {"code": "C2", "title": "Win trust", "perspective": "customer", "drives": ["F1"]}]}
    after = import_doc(run, tmp_path, doc)
    assert [s["code"] for s in after["strategy"]] == [s["code"] for s in before["strategy"]]
    replaced = after["strategy"][position]
    assert (replaced["title"], replaced["drives"], replaced["measures"]) == ("Win trust", ["F1"], [])
    assert after["cycles"] == before["cycles"]


def test_import_into_an_existing_cycle_with_the_same_dates(run, sample_store, tmp_path):
    doc = {"format": "okrtui/1", "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31",
                                             "objectives": [{"title": "Extra", "parent": "Grow new mid-market ARR",
                                                             "key_results": [{"title": "k", "start": 0,
                                                                              "target": 2}]}]}]}
    after = import_doc(run, tmp_path, doc)
    q4 = next(c for c in after["cycles"] if c["id"] == "2026-Q4")
    extra = q4["objectives"][-1]
    assert (extra["ref"], extra["title"], extra["parent"]) == ("O-19", "Extra", "O-9")
    assert len(after["cycles"]) == 3


def test_organization_given_replaces_the_stores(run, sample_store, tmp_path):
    after = import_doc(run, tmp_path, {"format": "okrtui/1", "organization": "  Renamed Inc  "})
    assert after["organization"] == "Renamed Inc"


def test_drives_may_form_a_loop(run, sample_store, tmp_path):
    doc = valid_doc()
    set_path(doc, "strategy[0].drives", ["T2"])
    after = import_doc(run, tmp_path, doc)
    assert next(s for s in after["strategy"] if s["code"] == "T1")["drives"] == ["T2"]


def test_measure_with_baseline_equal_to_target_is_fine(run, sample_store, tmp_path):
    doc = valid_doc()
    set_path(doc, "strategy[0].measures[0].baseline", 15)
    set_path(doc, "strategy[0].measures", doc["strategy"][0]["measures"] + [{"name": "No base", "target": 3}])
    after = import_doc(run, tmp_path, doc)
    measures = next(s for s in after["strategy"] if s["code"] == "T1")["measures"]
    assert measures[1] == {"name": "No base", "unit": "", "baseline": None, "target": 3, "actual": None, "readings": []}


def test_a_checkin_four_minutes_ahead_imports(run, sample_store, tmp_path):
    doc = valid_doc()
    set_path(doc, f"{CHECKIN}.at", future_time(4))
    import_doc(run, tmp_path, doc)


def test_a_closed_cycle_imports_with_its_history(run, sample_store, tmp_path):
    doc = valid_doc()
    set_path(doc, "cycles[0].closed", True)
    after = import_doc(run, tmp_path, doc)
    assert next(c for c in after["cycles"] if c["id"] == "T-2026")["closed"] is True


def test_parent_by_unique_title_resolves_to_its_ref(run, sample_store, tmp_path):
    after = import_doc(run, tmp_path, valid_doc())
    cycle = next(c for c in after["cycles"] if c["id"] == "T-2026")
    assert cycle["objectives"][1]["parent"] == cycle["objectives"][0]["ref"] == "O-19"


def test_longest_texts_import(run, sample_store, tmp_path):
    doc = valid_doc()
    set_path(doc, f"{OBJ0}.title", "x" * 200)
    set_path(doc, f"{OBJ1}.parent", "x" * 200)
    set_path(doc, f"{CHECKIN}.note", "n" * 2000)
    set_path(doc, f"{OBJ0}.owner", "o" * 64)
    set_path(doc, f"{KR0}.unit", "u" * 64)
    set_path(doc, f"{CHECKIN}.author", "a" * 64)
    set_path(doc, "cycles[0].id", "c" * 32)
    set_path(doc, "strategy[0].code", "C" * 16)
    set_path(doc, f"{OBJ0}.aligned_to", "C" * 16)
    set_path(doc, "strategy[1].drives", ["C" * 16])
    import_doc(run, tmp_path, doc)
