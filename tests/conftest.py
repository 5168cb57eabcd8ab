"""Shared fixtures: every test runs in its own environment and its own store.

- An autouse fixture points HOME, the XDG directories and $OKRTUI_STORE into
  the test's tmp_path and sets $OKRTUI_USER, so no test can touch a real
  user's data or depend on the machine's login name.
- `run(*args, stdin=None)` runs `okrtui.cli.main` in-process and returns
  `Result(code, out, err)` (a tuple: `code, out, err = run(...)` works).
- `run_process(*args, env=None)` runs `python -m okrtui` as a real process
  with the test's environment, for the few tests that need one.
- `snapshot_bytes(store_path)` maps every file under the store's directory
  (but the lock file) to its bytes, for "left byte-identical" asserts.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any, NamedTuple, Optional

import pytest

import okrtui.cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "acme.json"
OKRTUI_ARGV = [sys.executable, "-m", "okrtui"]

# Fixed moments in the past (today is after 2026-11-20 for every run of this suite).
AS_OF = "2026-11-20"
AT = "2026-11-20T10:00:00Z"


class Result(NamedTuple):
    code: int
    out: str
    err: str


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes several seconds on purpose (e.g. waits out the 10 s store lock)")


# ---------------------------------------------------------------- environment


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    for name, path in {
        "HOME": home,
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_CACHE_HOME": home / ".cache",
    }.items():
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(path))
    monkeypatch.setenv("OKRTUI_STORE", str(tmp_path / "store" / "okrtui.json"))
    monkeypatch.setenv("OKRTUI_USER", "tester")
    monkeypatch.delenv("XDG_DATA_DIRS", raising=False)
    return tmp_path


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """The store named by $OKRTUI_STORE (it does not exist yet)."""
    return tmp_path / "store" / "okrtui.json"


# ---------------------------------------------------------------- running okrtui


def run_in_process(*args: Any, stdin: Optional[str] = None) -> Result:
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = okrtui.cli.main([str(a) for a in args])
            except SystemExit as exc:  # argparse: --version, usage errors
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdin = saved_stdin
    return Result(code, out.getvalue(), err.getvalue())


def run_okrtui_process(*args: Any, env: Optional[dict[str, str]] = None, stdin: Optional[str] = None,
                       timeout: float = 120) -> Result:
    full_env = dict(os.environ)
    full_env.update(env or {})
    done = subprocess.run([*OKRTUI_ARGV, *(str(a) for a in args)], env=full_env, input=stdin,
                          capture_output=True, text=True, timeout=timeout)
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def run():
    return run_in_process


@pytest.fixture
def run_process():
    return run_okrtui_process


# ---------------------------------------------------------------- stores


def store_dir(store_path: Path) -> Path:
    return Path(os.path.realpath(store_path)).parent


def snapshot_bytes(store_path: Path) -> dict[str, Optional[bytes]]:
    """Every file (bytes) and directory (None) under the store's directory, but the lock."""
    root = store_dir(store_path)
    found: dict[str, Optional[bytes]] = {}
    if not root.exists():
        return found
    for path in sorted(root.rglob("*")):
        relative = str(path.relative_to(root))
        if path.name.endswith(".lock"):
            continue
        found[relative] = None if path.is_dir() and not path.is_symlink() else path.read_bytes()
    return found


@pytest.fixture(scope="session")
def _sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample imported once per session; each test gets a copy."""
    target = tmp_path_factory.mktemp("sample-template") / "okrtui.json"
    result = run_in_process("import", SAMPLE, "--store", target)
    assert result.code == 0, result
    return target.parent


@pytest.fixture
def sample_store(store_path: Path, _sample_template: Path) -> Path:
    """The sample company imported (via `okrtui import`) into a fresh store at $OKRTUI_STORE."""
    shutil.copytree(_sample_template, store_path.parent)
    return store_path


@pytest.fixture
def sample_doc() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def export_doc(store: Optional[Path] = None) -> dict:
    args = ["export", "--format", "json"] + (["--store", store] if store else [])
    result = run_in_process(*args)
    assert result.code == 0, result
    return json.loads(result.out)


def report_doc(*extra: Any, store: Optional[Path] = None) -> dict:
    args = ["report", "--format", "json", *extra] + (["--store", store] if store else [])
    result = run_in_process(*args)
    assert result.code == 0, result
    return json.loads(result.out)


def find_kr(doc: dict, ref: str) -> dict:
    """A key result of an interchange document by ref."""
    for cycle in doc["cycles"]:
        for objective in cycle["objectives"]:
            for kr in objective["key_results"]:
                if kr["ref"] == ref:
                    return kr
    raise KeyError(ref)


def report_kr(report: dict, ref: str) -> dict:
    """A key result of a report (aligned or unaligned) by ref."""
    okrs = [o for p in report["perspectives"] for s in p["objectives"] for o in s["okrs"]] + report["unaligned"]
    for objective in okrs:
        for kr in objective["key_results"]:
            if kr["ref"] == ref:
                return kr
    raise KeyError(ref)


def main_tables(store_path: Path) -> dict:
    return json.loads(Path(os.path.realpath(store_path)).read_bytes())


def cycle_entry(store_path: Path, cycle_id: str) -> dict:
    """A cycle's row in the main file (names its part file and log)."""
    for doc in main_tables(store_path)["cycles"].values():
        if doc["id"] == cycle_id:
            return doc
    raise KeyError(cycle_id)


def parts_dir(store_path: Path) -> Path:
    target = Path(os.path.realpath(store_path))
    return target.with_name(target.name + ".d")
