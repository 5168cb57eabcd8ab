"""A non-editable install works from any folder: the wheel carries the stylesheets and the sample."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import tomllib
from pathlib import Path

from conftest import ROOT


def test_the_package_list_names_every_package_on_disk():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT / "src").parts) for p in (ROOT / "src").rglob("__init__.py")}
    assert on_disk | {"okrtui.styles", "okrtui.sample_data"} == listed


def test_a_wheel_installed_outside_the_checkout_finds_its_styles_and_sample(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "tests"))
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            "-w", str(wheels), str(source)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    wheel = next(wheels.glob("okrtui-*.whl"))

    venv = tmp_path / "venv"
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

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH="")
    okrtui = str(venv / "bin" / "okrtui")
    store = elsewhere / "team.json"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([okrtui, *args], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)

    made = run("init", "--sample", "--store", str(store))  # what `okrtui demo` does before it opens
    assert made.returncode == 0, made.stderr
    report = run("report", "--store", str(store))
    assert report.returncode == 0 and "Northwind Analytics" in report.stdout, report.stderr
    where = subprocess.run([str(python), "-c", "import okrtui, okrtui.app.app as a; "
                            "print(okrtui.__file__); print(*a._stylesheets(), sep='\\n')"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
    assert where.returncode == 0, where.stderr
    module, *sheets = where.stdout.split()
    assert module.startswith(str(purelib)) and not module.startswith(str(ROOT))
    assert sheets and all(s.startswith(str(purelib)) and s.endswith(".tcss") for s in sheets)
