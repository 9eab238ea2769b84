"""The object store behind a small port: put a stream, read a range, delete, list."""

from qh.doc_storage.storage.store import ObjectStorage, StoredObject, open_storage

__all__ = ["ObjectStorage", "StoredObject", "open_storage"]
