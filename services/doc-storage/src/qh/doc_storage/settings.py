"""Settings of the doc-storage service (env ``QH_DOC_STORAGE_<FIELD>``, then ``QH_<FIELD>``)."""

from __future__ import annotations

from qh.kit.settings import MiB, ServiceSettings


class DocStorageSettings(ServiceSettings, kw_only=True):  # type: ignore[call-arg]
    """Where the bytes live, how large uploads may be, and each user's quota."""

    store_url: str | None = None
    """Where documents' bytes are kept: ``s3://bucket``, ``gs://bucket``, ``az://container``
    (obstore URLs) or ``file:///absolute/folder``; unset means the folder ``documents`` in
    the data folder (``qh dev``)."""

    store_prefix: str = "documents"
    """Every key the service writes starts with this path segment (one bucket may be shared)."""

    store_endpoint: str | None = None
    """An S3-compatible endpoint (MinIO: ``http://minio:9000``); unset means the provider's own."""

    store_region: str = "us-east-1"
    store_allow_http: bool = False
    """Allow a plain-HTTP endpoint (MinIO in compose)."""

    store_credentials_secret: str | None = None
    """The name of a secret (the Secrets port) holding a JSON object of the store's
    credentials in obstore's keys, e.g. ``{"access_key_id": ..., "secret_access_key": ...}``;
    unset means the provider's default chain (instance role, workload identity)."""

    max_upload_bytes: int = 64 * MiB
    """The largest file one upload may carry (413 beyond)."""

    max_documents_per_user: int = 500
    """Documents one user may keep (409 for one more)."""

    max_bytes_per_user: int = 1024 * MiB
    """Bytes one user's documents may take, every version counted (413 beyond)."""

    docx_max_entries: int = 1000
    """Files a DOCX package may hold."""

    docx_max_expanded_bytes: int = 256 * MiB
    """What a DOCX may expand to when unpacked; more is taken for a zip bomb (415)."""

    docx_max_ratio: int = 200
    """The largest compression ratio one DOCX entry may claim (a zip bomb's is far higher)."""

    share_default_seconds: int = 7 * 24 * 3600
    share_max_seconds: int = 30 * 24 * 3600

    sweep_interval_seconds: float = 300.0
    """How often the sweep removes orphaned bytes and bytes of uploads that never committed."""

    pending_upload_seconds: float = 3600.0
    """An upload not committed this long after it began is abandoned: the sweep deletes its
    bytes, and a commit that comes later is refused."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.max_upload_bytes < 1024:
            raise ValueError("max_upload_bytes must be at least 1024")
        if self.max_documents_per_user < 1 or self.max_bytes_per_user < 1024:
            raise ValueError("the per-user quotas must allow at least one small document")
        if not 60 <= self.share_default_seconds <= self.share_max_seconds:
            raise ValueError("share_default_seconds must be between 60 and share_max_seconds")
        if self.pending_upload_seconds <= 0 or self.sweep_interval_seconds <= 0:
            raise ValueError("pending_upload_seconds and sweep_interval_seconds must be positive")
        if ".." in self.store_prefix.split("/"):
            raise ValueError("store_prefix must not contain '..'")
