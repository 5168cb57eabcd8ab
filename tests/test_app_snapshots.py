"""SVG snapshots of every screen (pytest-textual-snapshot), with the sample store and a
frozen as-of date. Plain `def` tests: `snap_compare` fails inside `async def` under
pytest-asyncio's auto mode. Regenerate with `pytest tests/test_app_snapshots.py --snapshot-update`
after a deliberate change, and look at the SVGs before committing them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import textual.constants

from okrtui.app.app import OkrApp
from okrtui.store import Store

AS_OF_DATE = dt.date(2026, 11, 20)
SIZE = (100, 34)
SMALL = (80, 24)


@pytest.fixture(autouse=True)
def truecolor(monkeypatch):
    # The colour system otherwise follows $TERM (16 colours for TERM=xterm or none at all),
    # and the app picks band colours by it: the same shots on every machine.
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "truecolor")


@pytest.fixture
def sixteen_colours(monkeypatch):
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "standard")


def light(then=None):
    async def run(pilot):
        pilot.app.theme = "textual-light"
        if then is not None:
            await then(pilot)
        await settle(pilot)
    return run


# F1's drill-down lists its two measures (KPIs) first, then O-9 and its key results.
PAST_F1_MEASURES = ("down", "down")


async def to_kr28(pilot):
    await pilot.press("enter", *PAST_F1_MEASURES, "down", "down")  # F1 > O-9 > KR-28
    await settle(pilot)


async def checkin_on_kr28(pilot):
    await pilot.press("enter", *PAST_F1_MEASURES, "down", "down", "c")
    await settle(pilot)


async def help_screen(pilot):
    await pilot.press("question_mark")
    await settle(pilot)


async def hints(pilot):
    await pilot.press("h")
    await settle(pilot)


async def thread(pilot):
    await pilot.press("t")
    await settle(pilot)


def make_app(path: Path) -> OkrApp:
    return OkrApp(Store(path), as_of=AS_OF_DATE, user="tester")


async def settle(pilot) -> None:
    """Let workers, animations and the screen (and the one under a modal) finish before the shot."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    await pilot.pause()


def test_scorecard(snap_compare, sample_store):
    assert snap_compare(make_app(sample_store), run_before=settle, terminal_size=SIZE)


def test_drill_down_on_kr28(snap_compare, sample_store):
    assert snap_compare(make_app(sample_store), run_before=to_kr28, terminal_size=SIZE)


def test_checkin_dialog_on_kr28(snap_compare, sample_store):
    assert snap_compare(make_app(sample_store), run_before=checkin_on_kr28, terminal_size=SIZE)


def test_help(snap_compare, sample_store):
    assert snap_compare(make_app(sample_store), run_before=help_screen, terminal_size=SIZE)


def test_hints(snap_compare, sample_store):
    assert snap_compare(make_app(sample_store), run_before=hints, terminal_size=SIZE)


def test_strategic_thread(snap_compare, sample_store):
    assert snap_compare(make_app(sample_store), run_before=thread, terminal_size=SIZE)


# Each main screen at 80×24, in the light theme, and with 16 colours.
MAIN_SCREENS = {"scorecard": settle, "drill_down": to_kr28, "checkin": checkin_on_kr28, "help": help_screen,
                "hints": hints, "thread": thread}


@pytest.mark.parametrize("screen", MAIN_SCREENS)
def test_80x24(snap_compare, sample_store, screen):
    assert snap_compare(make_app(sample_store), run_before=MAIN_SCREENS[screen], terminal_size=SMALL)


@pytest.mark.parametrize("screen", MAIN_SCREENS)
def test_light_theme(snap_compare, sample_store, screen):
    assert snap_compare(make_app(sample_store), run_before=light(MAIN_SCREENS[screen]), terminal_size=SIZE)


@pytest.mark.parametrize("screen", MAIN_SCREENS)
def test_16_colours_80x24(snap_compare, sample_store, sixteen_colours, screen):
    assert snap_compare(make_app(sample_store), run_before=MAIN_SCREENS[screen], terminal_size=SMALL)


def test_first_run(snap_compare, tmp_path, monkeypatch):
    # A relative path, so the screen (which names the store) is the same on every machine.
    monkeypatch.chdir(tmp_path)
    store = Path("store") / "okrtui.json"

    async def shown(pilot):
        await settle(pilot)
        # Not a snapshot of an empty box: the welcome text must be on screen.
        screen = "\n".join(strip.text for strip in pilot.app.screen._compositor.render_strips())
        assert "okrtui import FILE" in screen and "okrtui demo" in screen

    assert snap_compare(make_app(store), run_before=shown, terminal_size=SIZE)
    assert not (tmp_path / "store").exists()


# -- planning: every form, the confirmation, the pickers and the strategy map ------------


def keys(*pressed: str):
    async def run(pilot):
        await settle(pilot)
        await pilot.press(*pressed)
        await settle(pilot)
    return run


PLANNING_SCREENS = {
    "strategic_form": keys("n"),
    "strategic_form_with_problems": keys("n", *"F1", "tab", "tab", "tab", "tab", *"X9"),
    "cycle_form": keys("shift+tab", "n"),
    "objective_form": keys("enter", "n"),
    "key_result_form": keys("enter", *PAST_F1_MEASURES, "down", "n"),
    "delete_confirmation": keys("d"),
    "align_picker": keys("enter", *PAST_F1_MEASURES, "down", "a"),
    "links_picker": keys("l"),
    "strategy_map": keys("m"),
    "strategy_map_links": keys("m", "down", "right"),
    "review": keys("r"),
    "my_work": keys("w"),
}


@pytest.mark.parametrize("screen", PLANNING_SCREENS)
@pytest.mark.parametrize("size", [SMALL, (120, 40)], ids=["80x24", "120x40"])
def test_planning(snap_compare, sample_store, screen, size):
    assert snap_compare(make_app(sample_store), run_before=PLANNING_SCREENS[screen], terminal_size=size)


def crowded_store(tmp_path: Path) -> Path:
    """60 strategic objectives, 15 a perspective, each driving one in the band above."""
    import json
    import subprocess
    import sys

    perspectives = ("financial", "customer", "internal_process", "learning_growth")
    words = ("Grow", "recurring", "revenue", "margin", "customers", "trust", "platform", "fast", "onboarding",
             "skills", "retention", "quality", "cost", "data", "security")
    strategy = []
    for p, perspective in enumerate(perspectives):
        for n in range(15):
            code = f"{'FCPL'[p]}{n + 1}"
            title = " ".join(words[(n + k) % len(words)] for k in range(2 + n % 4)).capitalize()
            drives = [f"{'FCPL'[p - 1]}{n + 1}"] if p else []
            strategy.append({"code": code, "title": title, "perspective": perspective, "drives": drives})
    doc = {"format": "okrtui/1", "organization": "Crowded Co", "strategy": strategy,
           "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31", "objectives": [
               {"title": f"Objective for {s['code']}", "aligned_to": s["code"], "key_results": [
                   {"title": "Move it", "start": 0, "target": 10, "current": (i * 7) % 11}]}
               for i, s in enumerate(strategy[::3])]}]}
    source = tmp_path / "crowded.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    store = tmp_path / "crowded" / "okrtui.json"
    subprocess.run([sys.executable, "-m", "okrtui", "import", str(source), "--store", str(store)], check=True,
                   capture_output=True)
    return store


@pytest.mark.parametrize("walk", [("m",), ("m", "down", "down", "down", "down", "down", "down", "right")],
                         ids=["top", "customer"])
def test_strategy_map_of_15_a_perspective_at_80x24(snap_compare, tmp_path, walk):
    assert snap_compare(make_app(crowded_store(tmp_path)), run_before=keys(*walk), terminal_size=SMALL)


@pytest.mark.parametrize("size", [SMALL, (120, 40)], ids=["80x24", "120x40"])
def test_my_work_of_a_team_lead(snap_compare, sample_store, size):
    app = OkrApp(Store(sample_store), as_of=AS_OF_DATE, user="platform")
    assert snap_compare(app, run_before=keys("w"), terminal_size=size)


# -- measures (KPIs) and their readings -------------------------------------------------

READING_SCREENS = {
    "drill_down_on_a_measure": keys("enter", "down", "down"),  # F1 > Net revenue retention, its readings below
    "reading_dialog": keys("enter", "down", "down", "c"),
    "reading_dialog_with_a_problem": keys("enter", "down", "down", "c", "enter"),
    "thread_with_three_measures": keys("tab", "down", "t"),  # C2: one measure has no readings
}


@pytest.mark.parametrize("screen", READING_SCREENS)
@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["100x34", "80x24"])
def test_readings(snap_compare, sample_store, screen, size):
    assert snap_compare(make_app(sample_store), run_before=READING_SCREENS[screen], terminal_size=size)
