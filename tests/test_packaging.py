"""A non-editable install works from any folder: the wheel carries the stylesheets and the sample."""

from __future__ import annotations

import os
import subprocess
import tomllib

from conftest import ROOT


def test_the_package_list_names_every_package_on_disk():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT / "src").parts) for p in (ROOT / "src").rglob("__init__.py")}
    assert on_disk | {"okrtui.styles", "okrtui.sample_data"} == listed


def test_a_wheel_installed_outside_the_checkout_finds_its_styles_and_sample(installed_wheel, tmp_path):
    python, okrtui, purelib = installed_wheel
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH="")
    store = elsewhere / "team.json"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(okrtui), *args], cwd=elsewhere, env=env, capture_output=True, text=True,
                              timeout=120)

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
