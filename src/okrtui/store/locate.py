"""Where the store lives: --store, else $OKRTUI_STORE, else the user data directory."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # the quick check-in imports this: neither typing nor pathlib at run time
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Optional


def _data_dir() -> str:
    from platformdirs import user_data_dir  # only when no store is named: a check-in's start-up counts

    return user_data_dir("okrtui", appauthor=False)


def default_store_path() -> Path:
    from pathlib import Path

    return Path(_data_dir()) / "okrtui.json"


def demo_store_path() -> Path:
    from pathlib import Path

    return Path(_data_dir()) / "demo.json"


def store_location(option: Optional[str]) -> str:
    """The store's main file as a plain string (what the quick check-in opens)."""
    if option:
        return os.path.expanduser(option)
    env = os.environ.get("OKRTUI_STORE")
    if env:
        return os.path.expanduser(env)
    return os.path.join(_data_dir(), "okrtui.json")


def resolve_store_path(option: Optional[str]) -> Path:
    from pathlib import Path

    return Path(store_location(option))
