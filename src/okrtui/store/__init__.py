"""The store behind a small interface: the layers above never see its files.

The names are loaded on first use: the quick check-in reads the store's files
through its light modules and must not pay for importing the models.
"""

from okrtui.store.errors import ReadOnlyStore, StoreError
from okrtui.store.locate import default_store_path, demo_store_path, resolve_store_path

__all__ = [
    "ReadOnlyStore",
    "Snapshot",
    "Store",
    "StoreError",
    "Transaction",
    "default_store_path",
    "demo_store_path",
    "resolve_store_path",
]


def __getattr__(name: str):
    if name in ("Snapshot", "Store", "Transaction"):
        from okrtui.store import tinystore

        return getattr(tinystore, name)
    raise AttributeError(f"module 'okrtui.store' has no attribute {name!r}")
