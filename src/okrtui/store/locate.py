"""Where the store lives: --store, else $OKRTUI_STORE, else the user data directory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional


def default_store_path() -> Path:
    from platformdirs import user_data_dir  # only when no store is named: a check-in's start-up counts

    return Path(user_data_dir("okrtui", appauthor=False)) / "okrtui.json"


def demo_store_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("okrtui", appauthor=False)) / "demo.json"


def resolve_store_path(option: Optional[str]) -> Path:
    if option:
        return Path(option).expanduser()
    env = os.environ.get("OKRTUI_STORE")
    if env:
        return Path(env).expanduser()
    return default_store_path()
