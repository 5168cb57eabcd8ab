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

import errno
import io
import json
import os
import shutil
import site
import subprocess
import sys
import tempfile
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any, Iterator, NamedTuple, Optional

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
    """Every file (bytes), directory (None) and link (b"-> target") under the store's directory, but the lock."""
    root = store_dir(store_path)
    found: dict[str, Optional[bytes]] = {}
    if not root.exists():
        return found
    for path in sorted(root.rglob("*")):
        relative = str(path.relative_to(root))
        if path.name.endswith(".lock"):
            continue
        if path.is_symlink():
            found[relative] = f"-> {os.readlink(path)}".encode()
        else:
            found[relative] = None if path.is_dir() else path.read_bytes()
    return found


@pytest.fixture(scope="session")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """okrtui built as a wheel and installed (not editable) into a venv outside the checkout:
    (its python, its okrtui script, its site-packages). Its dependencies come from this environment."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "tests"))
    wheels = base / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            "-w", str(wheels), str(source)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    wheel = next(wheels.glob("okrtui-*.whl"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    # okrtui's dependencies from this environment (not okrtui itself: its editable finder
    # is a .pth file, which a path listed here does not run).
    (purelib / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                                "--no-deps", "--no-index", str(wheel)], capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr
    return python, venv / "bin" / "okrtui", purelib


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


# ---------------------------------------------------------------- other users


# What okrtui's commands (not the app) import beyond the standard library.
_RUNTIME_PACKAGES = ("okrtui", "pydantic", "pydantic_core", "typing_extensions", "annotated_types",
                     "typing_inspection", "tinydb", "filelock", "platformdirs", "orjson")


class OtherUsers:
    """Runs okrtui as any uid and gids, from a copy other users can reach.

    The checkout may sit in a private folder (mode 700, as `mktemp -d` makes) and the
    interpreter under /root: another user can start neither. So okrtui and what its
    commands import are copied into a world-readable folder under /tmp, and started
    by Debian's /usr/bin/python3 when it is the same minor version (else by this one).
    """

    def __init__(self, python: str, site: Path, sample: Path):
        self.python, self.site = python, site
        self.sample = sample  # the sample company, where other users can read it

    def run(self, *args: Any, uid: int = 65534, gid: int = 65534, groups: tuple[int, ...] = (),
            env: Optional[dict[str, str]] = None, timeout: float = 120) -> Result:
        full_env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "PYTHONPATH": str(self.site),
                    "PYTHONDONTWRITEBYTECODE": "1", "OKRTUI_USER": f"user{uid}",
                    "XDG_DATA_HOME": "/tmp/nonexistent-okrtui-data",
                    "XDG_CONFIG_HOME": "/tmp/nonexistent-okrtui-config",
                    "XDG_CACHE_HOME": "/tmp/nonexistent-okrtui-cache", **(env or {})}
        drop = ["setpriv", f"--reuid={uid}", f"--regid={gid}",
                f"--groups={','.join(map(str, groups))}" if groups else "--clear-groups"]
        done = subprocess.run([*drop, self.python, "-s", "-m", "okrtui", *map(str, args)], env=full_env,
                              capture_output=True, text=True, timeout=timeout)
        return Result(done.returncode, done.stdout, done.stderr)

    def shell(self, command: str, uid: int = 65534, gid: int = 65534,
              groups: tuple[int, ...] = ()) -> subprocess.CompletedProcess:
        drop = ["setpriv", f"--reuid={uid}", f"--regid={gid}",
                f"--groups={','.join(map(str, groups))}" if groups else "--clear-groups"]
        return subprocess.run([*drop, "sh", "-c", command], capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="session")
def other_users(tmp_path_factory: pytest.TempPathFactory):
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run okrtui as other users")
    import importlib

    debian = Path("/usr/bin/python3")
    python = sys.executable
    if debian.exists():
        version = subprocess.run([str(debian), "-c", "import sys; print(sys.version_info[:2])"],
                                 capture_output=True, text=True).stdout.strip()
        if version == str(tuple(sys.version_info[:2])):
            python = str(debian)
    base = Path(tempfile.mkdtemp(prefix="okrtui-users-", dir="/tmp"))
    try:
        site = base / "site"
        site.mkdir()
        for name in _RUNTIME_PACKAGES:
            module = importlib.import_module(name)
            origin = Path(module.__file__)
            if hasattr(module, "__path__"):  # a package: its whole folder
                shutil.copytree(origin.parent, site / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(origin, site / origin.name)
        shutil.copy(SAMPLE, base / SAMPLE.name)
        for path in [base, *base.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        users = OtherUsers(python, site, base / SAMPLE.name)
        probe = users.run("--version")
        if probe.code != 0:
            pytest.skip(f"okrtui does not start as an unprivileged user here: {probe.err.strip()[-300:]}")
        yield users
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def shared_folder():
    """A world-readable, world-traversable folder under /tmp for stores other users share."""
    base = Path(tempfile.mkdtemp(prefix="okrtui-shared-", dir="/tmp"))
    os.chmod(base, 0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


# ---------------------------------------------------------------- a full disk


@contextmanager
def small_tmpfs(mount: Path, size: str = "1m") -> Iterator[Path]:
    """A small tmpfs at `mount` for the block; skips the test where none can be mounted."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    mount.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=755", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(disk: Path, leave: int) -> Path:
    """Fill the disk but for about `leave` bytes; the filler file is returned (remove it to free)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for block in (1 << 16, 1 << 12, 1):
            try:
                while True:
                    os.write(fd, b"\0" * block)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    finally:
        os.close(fd)
    os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler
