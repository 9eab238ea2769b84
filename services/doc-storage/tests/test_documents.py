"""Upload, versions, download (ETag, 304, Range), quotas, ownership and deletion, on the
local store and on S3 (moto's server), on SQLite and PostgreSQL."""

from __future__ import annotations

import functools
import hashlib
import re
import urllib.parse
import uuid

import httpx
import pytest
from doc_storage_helpers import (
    User,
    context_of,
    docx_bytes,
    make_app,
    pdf_bytes,
    stored_keys,
)
from litestar import Litestar

from qh.doc_storage.domain.documents.upload import BLOCK
from qh.doc_storage.storage import ObjectStorage
from qh.doc_storage.storage.store import READ_CHUNK
from qh.kit.runtime import LocalRuntime
from qh.kit.testing import TokenFactory, running

pytestmark = pytest.mark.anyio


async def test_upload_stores_a_pdf_with_its_checksum(alice: User, storage: ObjectStorage) -> None:
    content = pdf_bytes("Резюме")
    response = await alice.upload(content, "cv.pdf", title="Резюме 2026")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["version"] == 1
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["size"] == len(content)
    assert body["content_type"] == "application/pdf"
    assert body["title"] == "Резюме 2026"

    listed = (await alice.get("/")).json()
    assert [d["id"] for d in listed["items"]] == [body["id"]]
    assert listed["total"] == 1
    download = await alice.get(f"/{body['id']}/content")
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["etag"] == f'"{body["sha256"]}"'
    keys = await stored_keys(storage)
    assert len(keys) == 1
    assert keys[0].startswith(f"{alice.id}/{body['id']}/")


async def test_each_kind_is_decided_by_content(alice: User) -> None:
    docx = await alice.upload(docx_bytes(), "letter.docx")
    assert docx.status_code == 201, docx.text
    assert docx.json()["content_type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    markdown = await alice.upload("# Опыт\n\n- Python\n".encode(), "notes.md")
    assert markdown.json()["content_type"] == "text/markdown; charset=utf-8"
    text = await alice.upload("Сопроводительное письмо".encode(), "letter.txt")
    assert text.json()["content_type"] == "text/plain; charset=utf-8"
    # A PDF named .txt is still a PDF: the name decides nothing.
    renamed = await alice.upload(pdf_bytes(), "notes.txt")
    assert renamed.json()["content_type"] == "application/pdf"


async def test_text_downloads_name_their_charset_once(alice: User) -> None:
    """The stored type carries the charset; the download's header names it once."""
    markdown = (await alice.upload("# Опыт\n\n- Python\n".encode(), "notes.md")).json()
    text = (await alice.upload("Сопроводительное письмо".encode(), "letter.txt")).json()
    for stored, expected in ((markdown, "text/markdown"), (text, "text/plain")):
        download = await alice.get(f"/{stored['id']}/content")
        assert download.status_code == 200
        assert download.headers["content-type"] == f"{expected}; charset=utf-8"


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200, "ELF"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "Windows"),
        (b"%PDF-1.7\n" + b"x" * 500, "truncated PDF, no trailer"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "an image"),
        ("текст".encode("cp1251") + b"\xff\xfe", "not UTF-8"),
        (b"PK\x03\x04" + b"\x00" * 100, "a broken zip"),
    ],
)
async def test_anything_else_is_refused_whatever_its_name(
    alice: User, storage: ObjectStorage, content: bytes, why: str
) -> None:
    response = await alice.upload(content, "cv.pdf")
    assert response.status_code == 415, (why, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert (await alice.get("/")).json()["total"] == 0
    assert await stored_keys(storage) == []


async def test_a_zip_that_is_not_a_word_document_is_refused(alice: User) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("readme.txt", "hello")
    response = await alice.upload(buffer.getvalue(), "cv.docx")
    assert response.status_code == 415
    assert "DOCX" in response.json()["detail"]


@functools.cache
def docx_bomb() -> bytes:
    """A valid Word package under a megabyte that expands to 512 MiB."""
    zeros = b"\x00" * (64 * 1024 * 1024)
    return docx_bytes({f"word/media/blob{i}.bin": zeros for i in range(8)})


async def test_a_docx_bomb_is_refused(alice: User, storage: ObjectStorage) -> None:
    """A few hundred kilobytes that would expand to half a gigabyte."""
    bomb = docx_bomb()
    assert len(bomb) < 1024 * 1024
    response = await alice.upload(bomb, "cv.docx")
    assert response.status_code == 415, response.text
    assert "zip bomb" in response.json()["detail"]
    assert await stored_keys(storage) == []


async def test_a_hostile_title_is_stored_as_text_and_never_reaches_a_key(
    alice: User, storage: ObjectStorage
) -> None:
    response = await alice.upload(pdf_bytes(), "../../etc/passwd", title="../../etc/passwd")
    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "../../etc/passwd"
    (key,) = await stored_keys(storage)
    assert "etc" not in key
    assert "passwd" not in key
    assert ".." not in key
    assert re.fullmatch(r"[0-9a-f-]{36}/[0-9a-f-]{36}/[0-9a-f]{32}", key)
    download = await alice.get(f"/{body['id']}/content")
    disposition = download.headers["content-disposition"]
    assert "/" not in disposition.split("filename*=")[0]
    assert disposition.startswith('attachment; filename=".._.._etc_passwd.pdf"') or (
        "passwd.pdf" in disposition and "/" not in disposition
    )


async def test_content_disposition_keeps_a_russian_title(alice: User) -> None:
    created = (await alice.upload(pdf_bytes(), "x.pdf", title="Резюме Иванова")).json()
    response = await alice.get(f"/{created['id']}/content")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert urllib.parse.unquote(encoded) == "Резюме Иванова.pdf"
    fallback = disposition.split('filename="')[1].split('"')[0]
    assert fallback.isascii()
    assert fallback.endswith(".pdf")


async def test_versions_never_overwrite_each_other(alice: User, storage: ObjectStorage) -> None:
    first, second = pdf_bytes("one"), pdf_bytes("two")
    created = (await alice.upload(first, "cv.pdf")).json()
    response = await alice.upload(second, "cv.pdf", path=f"/{created['id']}/versions")
    assert response.status_code == 201, response.text
    assert response.json()["version"] == 2
    history = (await alice.get(f"/{created['id']}/versions")).json()
    assert [v["version"] for v in history["items"]] == [2, 1]
    assert history["items"][1]["sha256"] == hashlib.sha256(first).hexdigest()
    assert (await alice.get(f"/{created['id']}/content?version=1")).content == first
    assert (await alice.get(f"/{created['id']}/content")).content == second
    assert (await alice.get(f"/{created['id']}/content?version=3")).status_code == 404
    assert len(await stored_keys(storage)) == 2


async def test_etag_and_if_none_match(alice: User) -> None:
    created = (await alice.upload(pdf_bytes(), "cv.pdf")).json()
    first = await alice.get(f"/{created['id']}/content")
    etag = first.headers["etag"]
    again = await alice.get(f"/{created['id']}/content", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = await alice.get(f"/{created['id']}/content", headers={"If-None-Match": '"abc"'})
    assert other.status_code == 200


async def test_range_requests(alice: User) -> None:
    content = pdf_bytes(pad=5000)
    created = (await alice.upload(content, "cv.pdf")).json()
    path = f"/{created['id']}/content"
    size = len(content)

    part = await alice.get(path, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.content == content[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{size}"
    assert part.headers["content-length"] == "10"

    tail = await alice.get(path, headers={"Range": "bytes=-16"})
    assert tail.status_code == 206
    assert tail.content == content[-16:]
    rest = await alice.get(path, headers={"Range": f"bytes={size - 5}-"})
    assert rest.content == content[-5:]
    beyond_end = await alice.get(path, headers={"Range": f"bytes={size - 3}-{size + 100}"})
    assert beyond_end.status_code == 206
    assert beyond_end.content == content[-3:]

    unsatisfiable = await alice.get(path, headers={"Range": f"bytes={size}-"})
    assert unsatisfiable.status_code == 416
    assert unsatisfiable.headers["content-range"] == f"bytes */{size}"
    stale = await alice.get(path, headers={"Range": "bytes=0-9", "If-Range": '"other"'})
    assert stale.status_code == 200
    assert stale.content == content


async def test_a_text_of_several_blocks_keeps_every_byte(
    alice: User, storage: ObjectStorage
) -> None:
    """A text larger than the blocks it is checked and stored in, and than the chunks a
    download reads: ASCII, then two-byte characters that straddle block boundaries, then
    ASCII again. The checksum, the whole download and ranges across chunk boundaries are
    exact."""
    content = b"a" * (BLOCK + 1) + "ж".encode() * 700_000 + b"z\n" * (BLOCK // 2 + 3)
    response = await alice.upload(content, "long.txt")
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["content_type"] == "text/plain; charset=utf-8"
    assert created["sha256"] == hashlib.sha256(content).hexdigest()
    assert created["size"] == len(content)
    path = f"/{created['id']}/content"
    whole = await alice.get(path)
    assert whole.status_code == 200
    assert whole.content == content
    for start, end in ((READ_CHUNK - 3, READ_CHUNK + 2), (5, 2 * READ_CHUNK + 7)):
        part = await alice.get(path, headers={"Range": f"bytes={start}-{end}"})
        assert part.status_code == 206
        assert part.content == content[start : end + 1]
    assert (await alice.get(path, params={"version": 1})).content == content
    missing = await alice.get(path, params={"version": 2})
    assert missing.status_code == 404
    assert len(await stored_keys(storage)) == 1


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (
            b"a" * (2 * BLOCK + 10) + b"\xff" + b"a" * 100,
            "a byte no UTF-8 has, after blocks of ASCII",
        ),
        (b"a" * (BLOCK + 5) + "ж".encode()[:1], "ends inside a character"),
        (b"a" * (BLOCK + 5) + b"\x00" + b"a" * 10, "a NUL byte after blocks of ASCII"),
    ],
)
async def test_a_long_text_broken_after_its_first_blocks_is_refused(
    alice: User, storage: ObjectStorage, content: bytes, why: str
) -> None:
    response = await alice.upload(content, "notes.txt")
    assert response.status_code == 415, (why, response.text)
    assert (await alice.get("/")).json()["total"] == 0
    assert await stored_keys(storage) == []


async def test_another_users_document_is_not_found(alice: User, bob: User) -> None:
    created = (await alice.upload(pdf_bytes(), "cv.pdf")).json()
    for method, path in [
        ("GET", f"/{created['id']}"),
        ("GET", f"/{created['id']}/content"),
        ("GET", f"/{created['id']}/versions"),
        ("GET", f"/{created['id']}/shares"),
        ("DELETE", f"/{created['id']}"),
    ]:
        assert (await bob.request(method, path)).status_code == 404, path
    assert (await bob.upload(pdf_bytes(), path=f"/{created['id']}/versions")).status_code == 404
    share = await bob.post(f"/{created['id']}/share", json={})
    assert share.status_code == 404
    assert (await bob.get("/")).json()["total"] == 0
    assert (await alice.get(f"/{created['id']}")).status_code == 200


async def test_a_file_over_the_limit_is_413_and_leaves_nothing(
    database_url: str, runtime: LocalRuntime, storage: ObjectStorage, tokens: TokenFactory
) -> None:
    app = make_app(database_url, runtime, storage, max_upload_bytes=4096)
    async with running(app, runtime) as client:
        user = User(client, tokens)
        response = await user.upload(pdf_bytes(pad=10_000), "big.pdf")
        assert response.status_code == 413
        assert "4096" in response.json()["detail"]
        # A raw body announced too large is refused before a byte is read.
        raw = await user.put(
            "/internal/origin/resume/r1/content",
            content=b"x" * 5000,
            headers={"Content-Type": "text/plain"},
        )
        assert raw.status_code == 413
    assert await stored_keys(storage) == []


async def test_quotas(
    database_url: str, runtime: LocalRuntime, storage: ObjectStorage, tokens: TokenFactory
) -> None:
    app = make_app(
        database_url, runtime, storage, max_documents_per_user=2, max_bytes_per_user=4000
    )
    async with running(app, runtime) as client:
        user = User(client, tokens)
        first = await user.upload(b"a" * 1000, "a.txt")
        assert first.status_code == 201
        assert (await user.upload(b"b" * 1000, "b.txt")).status_code == 201
        third = await user.upload(b"c" * 10, "c.txt")
        assert third.status_code == 409
        assert "2 documents" in third.json()["detail"]
        assert third.json()["quota"] == "documents"
        # Versions count against the bytes.
        doc = first.json()["id"]
        over = await user.upload(b"d" * 2500, "d.txt", path=f"/{doc}/versions")
        assert over.status_code == 413
        assert "quota" in over.json()["detail"]
        assert over.json()["quota"] == "bytes"
        # Deleting frees both.
        assert (await user.delete(f"/{doc}")).status_code == 204
        assert (await user.upload(b"e" * 2000, "e.txt")).status_code == 201
        # Another user has quotas of their own.
        assert (await User(client, tokens).upload(b"f" * 1000, "f.txt")).status_code == 201
        # The deleted document's bytes go after its metadata; a sweep finishes what the
        # background removal has not reached yet.
        await context_of(app).sweeper.run_once(full=False)
    assert len(await stored_keys(storage)) == 3


async def test_delete_removes_the_bytes_of_every_version(
    app: Litestar, client: httpx.AsyncClient, alice: User, storage: ObjectStorage
) -> None:
    created = (await alice.upload(pdf_bytes("1"), "cv.pdf")).json()
    await alice.upload(pdf_bytes("2"), "cv.pdf", path=f"/{created['id']}/versions")
    kept = (await alice.upload(b"keep me", "k.txt")).json()
    assert len(await stored_keys(storage)) == 3
    assert (await alice.delete(f"/{created['id']}")).status_code == 204
    assert (await alice.get(f"/{created['id']}")).status_code == 404
    await context_of(app).sweeper.run_once(full=False)
    keys = await stored_keys(storage)
    assert len(keys) == 1
    assert f"/{kept['id']}/" in keys[0]


async def test_internal_exports_are_versions_of_one_document_per_origin(
    client: httpx.AsyncClient, tokens: TokenFactory, alice: User
) -> None:
    generator = User(client, tokens, roles=("service",))
    resume_id = str(uuid.uuid4())
    path = f"/internal/origin/resume/{resume_id}/content"
    first = await generator.put(
        path,
        params={"user_id": str(alice.id), "title": "Резюме — Python"},
        content=pdf_bytes("v1"),
        headers={"Content-Type": "application/pdf"},
    )
    assert first.status_code == 201, first.text
    second = await generator.put(
        path,
        params={"user_id": str(alice.id)},
        content=pdf_bytes("v2"),
        headers={"Content-Type": "application/pdf"},
    )
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["version"] == 2
    assert second.json()["origin"] == {"kind": "resume", "id": resume_id}
    letter = await generator.put(
        f"/internal/origin/cover_letter/{resume_id}/content",
        params={"user_id": str(alice.id)},
        content="Уважаемые коллеги".encode(),
        headers={"Content-Type": "text/plain"},
    )
    assert letter.json()["id"] != first.json()["id"]
    listed = (await alice.get("/")).json()
    assert listed["total"] == 2
    assert {d["title"] for d in listed["items"]} >= {"Резюме — Python"}
    # The user's own (forwarded) token stores for that user only.
    own = await alice.put(
        path, content=pdf_bytes("v3"), headers={"Content-Type": "application/pdf"}
    )
    assert own.status_code == 201
    assert own.json()["version"] == 3
    other = await alice.put(
        path,
        params={"user_id": str(uuid.uuid4())},
        content=pdf_bytes(),
        headers={"Content-Type": "application/pdf"},
    )
    assert other.status_code == 403
    missing_owner = await generator.put(
        path, content=pdf_bytes(), headers={"Content-Type": "application/pdf"}
    )
    assert missing_owner.status_code == 422
    unknown_kind = await generator.put(
        f"/internal/origin/invoice/{resume_id}/content",
        params={"user_id": str(alice.id)},
        content=pdf_bytes(),
    )
    assert unknown_kind.status_code == 422


async def test_concurrent_uploads_keep_quotas_and_version_numbers(
    database_url: str, runtime: LocalRuntime, storage: ObjectStorage, tokens: TokenFactory
) -> None:
    import asyncio

    app = make_app(database_url, runtime, storage, max_documents_per_user=2)
    async with running(app, runtime) as client:
        user = User(client, tokens)
        first = (await user.upload(pdf_bytes("1"), "cv.pdf")).json()
        # Four new documents at once, one place left: exactly one gets it.
        answers = await asyncio.gather(
            *(user.upload(f"note {i}".encode(), "n.txt") for i in range(4))
        )
        assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
        # Four new versions at once: numbered 2 to 5, none lost.
        versions = await asyncio.gather(
            *(user.upload(pdf_bytes(f"v{i}"), path=f"/{first['id']}/versions") for i in range(4))
        )
        assert sorted(v.json()["version"] for v in versions) == [2, 3, 4, 5]
        history = (await user.get(f"/{first['id']}/versions")).json()
        assert len({v["sha256"] for v in history["items"]}) == 5
    # Two documents: five versions and one note; the refused uploads left no bytes.
    assert len(await stored_keys(storage)) == 6


async def test_a_title_too_long_is_422_and_leaves_no_bytes(
    alice: User, storage: ObjectStorage
) -> None:
    response = await alice.upload(pdf_bytes(), "cv.pdf", title="Я" * 201)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "title"
    assert (await alice.get("/")).json()["total"] == 0
    assert await stored_keys(storage) == []


async def test_a_title_is_measured_as_sent_before_invisible_characters_go(
    alice: User, storage: ObjectStorage
) -> None:
    """The document's maxLength (200) counts the title as sent: 201 characters of which
    two are private-use ones the service would drop are still too long."""
    invisible = "\U000f0035\U0001ed78"
    response = await alice.upload(pdf_bytes(), "cv.pdf", title=invisible + "*" * 199)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "title"
    assert await stored_keys(storage) == []
    fits = await alice.upload(pdf_bytes(), "cv.pdf", title=invisible + "*" * 198)
    assert fits.status_code == 201, fits.text
    assert fits.json()["title"] == "*" * 198
