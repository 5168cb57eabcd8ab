"""What the app remembers between runs (the theme), in the user's config directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir


def settings_path() -> Path:
    return Path(user_config_dir("okrtui", appauthor=False)) / "settings.json"


def load() -> dict[str, Any]:
    """The saved settings; nothing when there are none or they cannot be read (never an error)."""
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remember(key: str, value: Any) -> None:
    """Save one setting; a config directory that cannot be written just forgets it."""
    from okrtui.store.files import replace_atomically

    data = load()
    data[key] = value
    path = settings_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(path, (json.dumps(data, indent=2) + "\n").encode("utf-8"))
    except OSError:
        pass
