"""doc-storage with its object store gone, then back.

doc-storage runs in-process on S3 (moto's server on the loopback, no network). The server
is stopped and its port closed, so the store refuses every connection: uploads, new
versions and downloads are a 503 problem with ``Retry-After`` within a bounded time (no
request waits out the store client's retries for minutes), and nothing is half-stored: no
document or version row whose bytes are missing. When the server is back on the same
port, the same app serves the earlier documents and stores new ones, without a restart.
"""

from __future__ import annotations

import io
import socket
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from qh.doc_storage.app import service
from qh.doc_storage.db.models import Document, DocumentVersion
from qh.doc_storage.storage import ObjectStorage, open_storage
from qh.kit.app import ServiceDefinition, service_context
from qh.kit.runtime import LocalRuntime
from qh.kit.testing import TokenFactory, jwks_app, running, settings_for_tests

PREFIX = "/api/v1/documents"
BUCKET = "qh-faults"
ANSWER_WITHIN = 20.0  # seconds a request may take while the store is down


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pdf(text: str) -> bytes:
    """A small well-formed PDF (header, one page, xref, trailer)."""
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


class S3Server:
    """moto's S3 on a fixed loopback port, stopped (port closed: connections refused)
    and started again; the buckets and objects live in this process, so they outlive a
    stop."""

    def __init__(self) -> None:
        self.port = free_port()
        self.server: Any = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        from moto.server import ThreadedMotoServer

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()

    def stop(self) -> None:
        self.server.stop()
        self.server._server.server_close()  # stop() leaves the socket listening

    def refuses(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return True
        return False


class Credentials:
    async def get(self, key: str) -> str | None:
        return '{"access_key_id": "test", "secret_access_key": "test"}'


@pytest.fixture
def service_definition() -> ServiceDefinition[Any]:
    return service


@pytest.fixture
def s3() -> Iterator[S3Server]:
    try:
        import moto.server  # noqa: F401
    except ImportError:
        pytest.fail("moto[server] is a dev dependency and must be installed")
    server = S3Server()
    server.start()
    assert httpx.put(f"{server.endpoint}/{BUCKET}", timeout=10).status_code == 200
    yield server
    if not server.refuses():
        server.stop()


@pytest.fixture
async def store(s3: S3Server, tmp_path: Any) -> ObjectStorage:
    return await open_storage(
        url=f"s3://{BUCKET}",
        prefix=f"t-{uuid.uuid4().hex[:8]}",
        data_dir=str(tmp_path),
        endpoint=s3.endpoint,
        region="us-east-1",
        allow_http=True,
        credentials_secret="doc-storage-store-credentials",
        secrets=Credentials(),  # type: ignore[arg-type]
    )


@pytest.fixture
async def app_and_client(
    database_url: str, tokens: TokenFactory, store: ObjectStorage
) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    runtime = LocalRuntime(max_attempts=2, backoff_seconds=0.01, backoff_max_seconds=0.02)
    runtime.attach("auth", jwks_app(tokens))
    app = service.create_app(
        settings_for_tests(service, database_url), runtime=runtime, storage=store
    )
    async with running(app, runtime) as client:
        yield app, client


async def stored_rows(app: Any) -> list[tuple[Any, ...]]:
    """(document id, current version, version number, key) of every version row."""
    context = service_context(app)
    async with context.session() as session:
        rows = await session.execute(
            select(
                Document.id, Document.current_version, DocumentVersion.number, DocumentVersion.key
            )
            .join(DocumentVersion, DocumentVersion.document_id == Document.id, isouter=True)
            .order_by(Document.id, DocumentVersion.number)
        )
        return [tuple(row) for row in rows]


def assert_unavailable(response: httpx.Response, waited: float) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers.get("retry-after", "").isdigit(), response.headers
    assert waited < ANSWER_WITHIN, f"answered after {waited:.1f}s"


async def test_an_unreachable_store_is_a_503_stores_nothing_and_recovers(
    app_and_client: tuple[Any, httpx.AsyncClient],
    tokens: TokenFactory,
    s3: S3Server,
    store: ObjectStorage,
) -> None:
    app, client = app_and_client
    headers = tokens.headers(uuid.uuid4())

    async def upload(content: bytes, path: str = "/") -> tuple[httpx.Response, float]:
        started = time.monotonic()
        files = {"file": ("cv.pdf", io.BytesIO(content), "application/pdf")}
        response = await client.post(PREFIX + path, files=files, headers=headers)
        return response, time.monotonic() - started

    first, _ = await upload(pdf("first"))
    assert first.status_code == 201, first.text
    document_id = first.json()["id"]
    before = await stored_rows(app)

    s3.stop()
    assert s3.refuses()
    # A new document, a new version of the first, and a download: each a clear 503.
    refused, waited = await upload(pdf("second"))
    assert_unavailable(refused, waited)
    refused, waited = await upload(pdf("first, v2"), f"/{document_id}/versions")
    assert_unavailable(refused, waited)
    started = time.monotonic()
    download = await client.get(f"{PREFIX}/{document_id}/content", headers=headers)
    assert_unavailable(download, time.monotonic() - started)
    # Nothing half-stored: the metadata is exactly what it was.
    assert await stored_rows(app) == before
    listed = (await client.get(PREFIX + "/", headers=headers)).json()
    assert listed["total"] == 1

    # The store is back: the same app serves and stores again.
    s3.start()
    download = await client.get(f"{PREFIX}/{document_id}/content", headers=headers)
    assert download.status_code == 200, download.text
    assert download.content == pdf("first")
    again, _ = await upload(pdf("second"))
    assert again.status_code == 201, again.text
    version, _ = await upload(pdf("first, v2"), f"/{document_id}/versions")
    assert version.status_code == 201, version.text
    rows = await stored_rows(app)
    assert len(rows) == 3
    for _document, current, number, key in rows:
        assert number <= current
        assert await store.exists(key), f"version {number} points at missing bytes"
