"""The object store behind a small port: put a stream, read a range, delete, list."""

from qh.doc_storage.storage.store import (
    ObjectStorage,
    StoredObject,
    StoreUnavailable,
    open_storage,
)

__all__ = ["ObjectStorage", "StoreUnavailable", "StoredObject", "open_storage"]
