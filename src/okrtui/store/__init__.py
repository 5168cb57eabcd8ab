"""The store behind a small interface: the layers above never see its files."""

from okrtui.store.locate import default_store_path, demo_store_path, resolve_store_path
from okrtui.store.tinystore import ReadOnlyStore, Snapshot, Store, StoreError, Transaction

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
