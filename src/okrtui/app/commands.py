"""The command palette: every action by name, generated from the bindings of the app and
of the screen in view (so a key and its palette entry never drift apart), plus the
actions that have no key of their own (PALETTE on the app or a screen)."""

from __future__ import annotations

from typing import Iterable

from textual.actions import parse
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen


def offered(node, action: str) -> bool:
    """Whether `node` offers `action` (a binding's action string, parameters and all) now."""
    _, name, parameters = parse(action)
    return node.check_action(name, parameters) is not False


def palette_commands(app: App, screen: Screen) -> Iterable[SystemCommand]:
    seen: set[str] = set()
    for node in (screen, app):
        for binding in node.BINDINGS:
            if not isinstance(binding, Binding) or not binding.description or binding.description in seen:
                continue
            if not offered(node, binding.action):
                continue  # a key that does nothing here has no entry either
            seen.add(binding.description)
            yield SystemCommand(binding.description, f"Key {app.get_key_display(binding)}",
                                lambda action=binding.action, node=node: node.run_action(action))
        for title, help_text, action in getattr(node, "PALETTE", ()):
            if title not in seen and offered(node, action):
                seen.add(title)
                yield SystemCommand(title, help_text, lambda action=action, node=node: node.run_action(action))
