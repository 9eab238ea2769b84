"""Share links (public, expiring, revocable, pinned, counted), events, interrupted and
abandoned uploads and the sweep, and the erasure of a deleted user's documents."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import msgspec
import pytest
from doc_storage_helpers import (
    PREFIX,
    Recorder,
    User,
    context_of,
    pdf_bytes,
    stored_keys,
)
from litestar import Litestar
from sqlalchemy import func, select, update

from qh.contracts import USER_DELETED, UserDeleted
from qh.doc_storage.db.models import Document, PendingUpload, Share
from qh.doc_storage.storage import ObjectStorage, open_storage
from qh.kit.clock import utc_now
from qh.kit.cloudevents import make_cloudevent
from qh.kit.runtime import LocalRuntime

pytestmark = pytest.mark.anyio


def token_path(url: str) -> str:
    """The shared route's path relative to the prefix, from the link's URL."""
    return url.split(PREFIX, 1)[1]


async def test_a_share_link_serves_the_document_without_an_account(
    client: httpx.AsyncClient, alice: User
) -> None:
    content = pdf_bytes("shared")
    created = (await alice.upload(content, "cv.pdf", title="Резюме")).json()
    response = await alice.post(f"/{created['id']}/share", json={})
    assert response.status_code == 201, response.text
    link = response.json()
    expires_in = msgspec.json.decode(
        msgspec.json.encode(link["expires_at"]), type=Any
    )  # an ISO 8601 string with a zone
    assert expires_in.endswith(("Z", "+00:00"))
    anonymous = await client.get(PREFIX + token_path(link["url"]))
    assert anonymous.status_code == 200
    assert anonymous.content == content
    assert anonymous.headers["etag"] == f'"{created["sha256"]}"'
    assert "filename*=UTF-8''" in anonymous.headers["content-disposition"]
    ranged = await client.get(PREFIX + token_path(link["url"]), headers={"Range": "bytes=0-7"})
    assert ranged.status_code == 206
    assert ranged.content == b"%PDF-1.7"

    shares = (await alice.get(f"/{created['id']}/shares")).json()
    (share,) = shares["items"]
    assert share["access_count"] == 2
    assert share["active"] is True
    assert share["last_access_at"] is not None
    log = (await alice.get(f"/{created['id']}/share/{share['id']}/accesses")).json()
    assert log["total"] == 2
    assert sorted(entry["status"] for entry in log["items"]) == [200, 206]


async def test_a_link_follows_the_current_version_unless_pinned(
    alice: User, client: httpx.AsyncClient
) -> None:
    first, second = pdf_bytes("one"), pdf_bytes("two")
    created = (await alice.upload(first, "cv.pdf")).json()
    pinned = (await alice.post(f"/{created['id']}/share", json={"version": 1})).json()
    following = (await alice.post(f"/{created['id']}/share", json={})).json()
    await alice.upload(second, "cv.pdf", path=f"/{created['id']}/versions")
    assert (await client.get(PREFIX + token_path(pinned["url"]))).content == first
    assert (await client.get(PREFIX + token_path(following["url"]))).content == second
    missing = await alice.post(f"/{created['id']}/share", json={"version": 7})
    assert missing.status_code == 422


async def test_a_revoked_link_is_404(alice: User, bob: User, client: httpx.AsyncClient) -> None:
    created = (await alice.upload(pdf_bytes(), "cv.pdf")).json()
    link = (await alice.post(f"/{created['id']}/share", json={"expires_in": 3600})).json()
    path = PREFIX + token_path(link["url"])
    assert (await client.get(path)).status_code == 200
    # Bob can neither see nor revoke Alice's links.
    assert (await bob.delete(f"/{created['id']}/share/{link['id']}")).status_code == 404
    assert (await client.get(path)).status_code == 200
    assert (await alice.delete(f"/{created['id']}/share/{link['id']}")).status_code == 204
    gone = await client.get(path)
    assert gone.status_code == 404
    assert gone.headers["content-type"].startswith("application/problem+json")
    (share,) = (await alice.get(f"/{created['id']}/shares")).json()["items"]
    assert share["active"] is False
    assert share["revoked_at"] is not None
    assert share["access_count"] == 2


async def test_an_expired_link_is_404(
    app: Litestar, alice: User, client: httpx.AsyncClient
) -> None:
    created = (await alice.upload(pdf_bytes(), "cv.pdf")).json()
    link = (await alice.post(f"/{created['id']}/share", json={"expires_in": 60})).json()
    path = PREFIX + token_path(link["url"])
    assert (await client.get(path)).status_code == 200
    async with context_of(app).transaction() as session:
        await session.execute(
            update(Share)
            .where(Share.id == uuid.UUID(link["id"]))
            .values(expires_at=utc_now() - timedelta(seconds=1))
        )
    assert (await client.get(path)).status_code == 404
    assert (await client.get(PREFIX + "/shared/not-a-token")).status_code == 404


async def test_share_lifetime_is_bounded(alice: User) -> None:
    created = (await alice.upload(pdf_bytes(), "cv.pdf")).json()
    default = (await alice.post(f"/{created['id']}/share", json={})).json()
    from datetime import datetime

    lifetime = datetime.fromisoformat(default["expires_at"]) - utc_now()
    assert timedelta(days=6, hours=23) < lifetime <= timedelta(days=7)
    too_long = await alice.post(f"/{created['id']}/share", json={"expires_in": 31 * 86400})
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "expires_in"


async def test_stored_and_shared_events(
    app: Litestar, alice: User, recorder: Recorder, runtime: LocalRuntime
) -> None:
    created = (await alice.upload(pdf_bytes(), "cv.pdf")).json()
    link = (await alice.post(f"/{created['id']}/share", json={"version": 1})).json()
    await context_of(app).outbox.relay_once()
    await runtime.drain()
    (stored,) = recorder.of("document.stored.v1")
    assert stored["document_id"] == created["id"]
    assert stored["owner_id"] == str(alice.id)
    assert stored["version"] == 1
    assert stored["sha256"] == created["sha256"]
    (shared,) = recorder.of("document.shared.v1")
    assert shared["share_id"] == link["id"]
    assert shared["version"] == 1


async def test_each_use_of_a_live_link_tells_the_owner_and_a_refused_one_does_not(
    app: Litestar, alice: User, client: httpx.AsyncClient, recorder: Recorder, runtime: LocalRuntime
) -> None:
    from datetime import datetime

    created = (await alice.upload(pdf_bytes("one"), "cv.pdf", title="Резюме")).json()
    await alice.upload(pdf_bytes("two"), "cv.pdf", path=f"/{created['id']}/versions")
    following = (await alice.post(f"/{created['id']}/share", json={"expires_in": 3600})).json()
    pinned = (await alice.post(f"/{created['id']}/share", json={"version": 1})).json()
    for link in (following, following, pinned):
        assert (await client.get(PREFIX + token_path(link["url"]))).status_code == 200

    async def accessed() -> list[dict[str, Any]]:
        await context_of(app).outbox.relay_once()
        await runtime.drain()
        return recorder.of("document.accessed.v1")

    events = await accessed()
    assert len(events) == 3  # one per use, none twice
    log = (await alice.get(f"/{created['id']}/share/{following['id']}/accesses")).json()
    opened = sorted(
        (e for e in events if e["share_id"] == following["id"]), key=lambda e: e["accessed_at"]
    )
    assert len(opened) == 2
    entries = sorted(log["items"], key=lambda e: e["accessed_at"])
    for event, entry in zip(opened, entries, strict=True):
        assert event["document_id"] == created["id"]
        assert event["owner_id"] == str(alice.id)
        assert event["version"] == 2  # the current version it served
        assert event["title"] == "Резюме"
        assert datetime.fromisoformat(event["accessed_at"]) == datetime.fromisoformat(
            entry["accessed_at"]
        )
    (from_pinned,) = (e for e in events if e["share_id"] == pinned["id"])
    assert from_pinned["version"] == 1

    # Refused uses (revoked, expired, unknown) are 404, logged nowhere, told to nobody.
    assert (await alice.delete(f"/{created['id']}/share/{following['id']}")).status_code == 204
    async with context_of(app).transaction() as session:
        await session.execute(
            update(Share)
            .where(Share.id == uuid.UUID(pinned["id"]))
            .values(expires_at=utc_now() - timedelta(seconds=1))
        )
    for path in (token_path(following["url"]), token_path(pinned["url"]), "/shared/no-such"):
        assert (await client.get(PREFIX + path)).status_code == 404
    assert len(await accessed()) == 3


# --- interrupted and abandoned uploads, the sweep -------------------------------------------


async def raw_upload(
    app: Litestar, alice: User, chunks: list[bytes], *, disconnect: bool
) -> list[dict[str, Any]]:
    """Send an upload to the app chunk by chunk, then vanish (``http.disconnect``) or
    break the body off; returns the messages the app sent."""
    boundary = "qhboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="cv.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    events: list[dict[str, Any]] = [{"type": "http.request", "body": head, "more_body": True}]
    events += [{"type": "http.request", "body": chunk, "more_body": True} for chunk in chunks]
    if disconnect:
        events.append({"type": "http.disconnect"})
    else:
        events.append({"type": "http.request", "body": b"", "more_body": False})
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return events.pop(0) if events else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": PREFIX + "/",
        "raw_path": (PREFIX + "/").encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
            *[(k.lower().encode(), v.encode()) for k, v in alice.headers.items()],
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    await app(scope, receive, send)  # type: ignore[arg-type]
    return sent


async def nothing_left(app: Litestar, alice: User, storage: ObjectStorage) -> None:
    assert (await alice.get("/")).json()["total"] == 0
    async with context_of(app).session() as session:
        assert await session.scalar(select(func.count()).select_from(PendingUpload)) == 0
        assert await session.scalar(select(func.count()).select_from(Document)) == 0
    report = await context_of(app).sweeper.run_once(now=utc_now() + timedelta(days=1))
    assert report.abandoned == 0
    assert await stored_keys(storage) == []


@pytest.mark.parametrize("disconnect", [True, False], ids=["client-gone", "body-cut-off"])
async def test_an_upload_interrupted_midway_leaves_nothing(
    app: Litestar, client: httpx.AsyncClient, alice: User, storage: ObjectStorage, disconnect: bool
) -> None:
    big = pdf_bytes(pad=6 * 1024 * 1024)  # more than one part of a multipart upload
    chunks = [big[i : i + 256 * 1024] for i in range(0, len(big) // 2, 256 * 1024)]
    sent = await raw_upload(app, alice, chunks, disconnect=disconnect)
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 400
    await nothing_left(app, alice, storage)


async def test_an_exception_in_the_stream_leaves_nothing(
    app: Litestar, client: httpx.AsyncClient, alice: User, storage: ObjectStorage
) -> None:
    big = pdf_bytes(pad=3 * 1024 * 1024)

    async def body() -> Any:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'
        yield big[: len(big) // 2]
        raise ConnectionResetError("the client's disk failed")

    response = await alice.post(
        "/", content=body(), headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert response.status_code == 400
    assert "interrupted" in response.json()["detail"]
    await nothing_left(app, alice, storage)


async def test_the_sweep_removes_abandoned_uploads_and_orphans_only_when_old(
    app: Litestar, client: httpx.AsyncClient, alice: User, storage: ObjectStorage
) -> None:
    """A process that died mid-upload leaves a pending row and its bytes; a crash between
    steps can leave bytes no row names. Both go once older than the pending age; the bytes
    of committed versions stay."""
    kept = (await alice.upload(pdf_bytes(), "cv.pdf")).json()
    context = context_of(app)

    async def chunks() -> Any:
        yield b"half an upload"

    abandoned_key = f"{alice.id}/{kept['id']}/00000000000000000000000000000001"
    async with context.transaction() as session:
        session.add(PendingUpload(key=abandoned_key, owner_id=alice.id, started_at=utc_now()))
    await storage.put(abandoned_key, chunks())
    orphan_key = f"{alice.id}/{kept['id']}/00000000000000000000000000000002"
    await storage.put(orphan_key, chunks())
    assert len(await stored_keys(storage)) == 3

    young = await context.sweeper.run_once()
    assert (young.abandoned, young.orphans) == (0, 0)
    assert len(await stored_keys(storage)) == 3

    later = await context.sweeper.run_once(now=utc_now() + timedelta(hours=2))
    assert (later.abandoned, later.orphans) == (1, 1)
    exposed = (await client.get("/metrics")).text
    assert 'qh_document_objects_swept_total{reason="orphan",service="doc-storage"}' in exposed
    (left,) = await stored_keys(storage)
    assert f"/{kept['id']}/" in left
    assert (await alice.get(f"/{kept['id']}/content")).status_code == 200


async def test_a_commit_after_the_sweep_abandoned_the_upload_is_refused(
    app: Litestar,
    client: httpx.AsyncClient,
    alice: User,
    storage: ObjectStorage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An upload slower than the pending age: the sweep took its bytes, so no version may
    name them."""
    from qh.doc_storage.domain.documents import services

    original = services.DocumentService._record

    async def swept_first(self: Any, *args: Any, **kwargs: Any) -> Any:
        await context_of(app).sweeper.run_once(now=utc_now() + timedelta(hours=2))
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(services.DocumentService, "_record", swept_first)
    response = await alice.upload(pdf_bytes(), "cv.pdf")
    assert response.status_code == 409
    assert "took too long" in response.json()["detail"]
    monkeypatch.undo()
    await nothing_left(app, alice, storage)


# --- erasure -------------------------------------------------------------------------------


async def test_user_deleted_erases_documents_and_bytes(
    app: Litestar, client: httpx.AsyncClient, alice: User, bob: User, storage: ObjectStorage
) -> None:
    created = (await alice.upload(pdf_bytes("1"), "cv.pdf")).json()
    await alice.upload(pdf_bytes("2"), "cv.pdf", path=f"/{created['id']}/versions")
    link = (await alice.post(f"/{created['id']}/share", json={})).json()
    bobs = (await bob.upload(b"bob's notes", "notes.txt")).json()

    event = make_cloudevent(USER_DELETED, UserDeleted(user_id=alice.id), source="qh/auth")
    response = await client.post(
        f"/events/{USER_DELETED.name}",
        content=msgspec.json.encode(event),
        headers={"content-type": "application/cloudevents+json"},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "SUCCESS"
    await context_of(app).sweeper.run_once(full=False)

    keys = await stored_keys(storage)
    assert [k for k in keys if k.startswith(f"{alice.id}/")] == []
    assert len(keys) == 1
    assert (await client.get(PREFIX + token_path(link["url"]))).status_code == 404
    async with context_of(app).session() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(Document).where(Document.owner_id == alice.id)
            )
            == 0
        )
    assert (await bob.get(f"/{bobs['id']}/content")).content == b"bob's notes"


@pytest.mark.parametrize("prefix", ["documents", "qh/docs", "my docs #1", "résumés"])
async def test_a_local_folder_reads_back_what_it_stored_under_any_prefix(
    tmp_path: Any, prefix: str
) -> None:
    """Downloads read a folder's files directly where the path allows, through obstore
    otherwise: the same bytes either way, whole or in ranges."""
    storage = await open_storage(url=None, prefix=prefix, data_dir=str(tmp_path))
    content = bytes(range(256)) * (3 * 4096 + 7)  # a few read chunks and a bit

    async def chunks() -> Any:
        yield content

    key = f"{uuid.uuid4()}/{uuid.uuid4()}/{uuid.uuid4().hex}"
    await storage.put(key, chunks())
    assert b"".join([chunk async for chunk in await storage.read(key)]) == content
    part = b"".join([chunk async for chunk in await storage.read(key, 1_048_570, 2_097_160)])
    assert part == content[1_048_570:2_097_160]
    with pytest.raises(FileNotFoundError):
        await storage.read(f"{uuid.uuid4()}/missing")
