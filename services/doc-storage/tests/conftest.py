"""Fixtures for the doc-storage tests: the app on a fresh migrated database, on a local
folder store or on a real S3-compatible server (moto in server mode on 127.0.0.1, started
once per session), and helpers to call it as one user or another."""

from __future__ import annotations

import io
import socket
import sys
import uuid
import zipfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar, post
from litestar.params import JSONBody

from qh.contracts import DOCUMENT_ACCESSED, DOCUMENT_SHARED, DOCUMENT_STORED
from qh.doc_storage.app import service
from qh.doc_storage.context import DocStorageContext
from qh.doc_storage.storage import ObjectStorage, open_storage
from qh.kit.app import ServiceDefinition, service_context
from qh.kit.runtime import LocalRuntime, Subscription
from qh.kit.testing import TokenFactory, jwks_app, running, settings_for_tests

PREFIX = "/api/v1/documents"
BUCKET = "qh-documents-test"


@pytest.fixture
def service_definition() -> ServiceDefinition[Any]:
    return service


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3 API (moto's server) on the loopback, with the test bucket created."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    response = httpx.put(f"{endpoint}/{BUCKET}", timeout=10)
    assert response.status_code == 200, response.text
    yield endpoint
    server.stop()


class S3Secrets:
    """The Secrets port with the store's credentials, as the secret store would give them."""

    async def get(self, key: str) -> str | None:
        if key == "doc-storage-store-credentials":
            return '{"access_key_id": "test", "secret_access_key": "test"}'
        return None


@pytest.fixture(params=["local", "s3"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def storage(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> ObjectStorage:
    """A store of the test's own: a fresh folder, or a fresh prefix in the S3 bucket."""
    prefix = f"t-{uuid.uuid4().hex[:12]}"
    if store_kind == "local":
        return await open_storage(url=None, prefix=prefix, data_dir=str(tmp_path))
    endpoint = request.getfixturevalue("s3_endpoint")
    return await open_storage(
        url=f"s3://{BUCKET}",
        prefix=prefix,
        data_dir=str(tmp_path),
        endpoint=endpoint,
        region="us-east-1",
        allow_http=True,
        credentials_secret="doc-storage-store-credentials",
        secrets=S3Secrets(),  # type: ignore[arg-type]
    )


class Recorder:
    """A stand-in consumer of document.stored, .shared and .accessed: keeps every event."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

        @post("/events/documents", status_code=200, sync_to_thread=False)
        def receive(data: JSONBody[dict[str, Any]]) -> dict[str, str]:
            self.events.append(data)
            return {"status": "SUCCESS"}

        self.app = Litestar([receive], openapi_config=None, logging_config=None)

    def of(self, topic: str) -> list[dict[str, Any]]:
        return [event["data"] for event in self.events if event["type"] == topic]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def runtime(tokens: TokenFactory, recorder: Recorder) -> LocalRuntime:
    runtime = LocalRuntime(max_attempts=2, backoff_seconds=0.01, backoff_max_seconds=0.02)
    runtime.attach("auth", jwks_app(tokens))
    runtime.attach(
        "recorder",
        recorder.app,
        [
            Subscription(topic.name, "/events/documents", topic.dead_letter_for("recorder"))
            for topic in (DOCUMENT_STORED, DOCUMENT_SHARED, DOCUMENT_ACCESSED)
        ],
    )
    return runtime


def make_app(
    database_url: str, runtime: LocalRuntime, storage: ObjectStorage, **overrides: Any
) -> Litestar:
    settings = settings_for_tests(service, database_url, **overrides)
    return service.create_app(settings, runtime=runtime, storage=storage)


@pytest.fixture
def app(database_url: str, runtime: LocalRuntime, storage: ObjectStorage) -> Litestar:
    return make_app(database_url, runtime, storage)


@pytest.fixture
async def client(app: Litestar, runtime: LocalRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app, runtime) as client:
        yield client


def context_of(app: Litestar) -> DocStorageContext:
    context = service_context(app)
    assert isinstance(context, DocStorageContext)
    return context


class User:
    """One caller: ``await alice.get("/")`` sends her token to ``/api/v1/documents/``."""

    def __init__(
        self, client: httpx.AsyncClient, tokens: TokenFactory, roles: tuple[str, ...] = ("user",)
    ) -> None:
        self.id = uuid.uuid4()
        self.client = client
        self.headers = tokens.headers(self.id, roles)

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.client.request(method, PREFIX + path, headers=headers, **kwargs)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kwargs)

    async def upload(
        self, content: bytes, filename: str = "cv.pdf", title: str | None = None, path: str = "/"
    ) -> httpx.Response:
        data = {"title": title} if title is not None else None
        return await self.post(path, files={"file": (filename, content)}, data=data)


@pytest.fixture
def alice(client: httpx.AsyncClient, tokens: TokenFactory) -> User:
    return User(client, tokens)


@pytest.fixture
def bob(client: httpx.AsyncClient, tokens: TokenFactory) -> User:
    return User(client, tokens)


# --- files ---------------------------------------------------------------------------------


def pdf_bytes(text: str = "Hello", pad: int = 0) -> bytes:
    """A small well-formed PDF (header, one page, xref, trailer)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
    ]
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode() + b" " * pad
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
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


def docx_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        package.writestr("_rels/.rels", "<Relationships/>")
        package.writestr(
            "word/document.xml", "<w:document><w:body><w:p>Привет</w:p></w:body></w:document>"
        )
        for name, data in (extra or {}).items():
            package.writestr(name, data)
    return buffer.getvalue()


async def stored_keys(storage: ObjectStorage) -> list[str]:
    return [item.key for batch in [b async for b in storage.list()] for item in batch]


# Tests import these helpers as ``doc_storage_helpers`` (under importlib mode a test module
# cannot import conftest by name).
sys.modules.setdefault("doc_storage_helpers", sys.modules[__name__])
