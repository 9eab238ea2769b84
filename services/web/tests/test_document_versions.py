"""Documents beyond the first upload: a new version uploaded from the document's page, and
each share link's access log for its owner; other users get 404 for both."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from qh.kit.host import Platform, discover_services

BASE = "https://testserver"  # as conftest: the cookies are Secure
SERVICES = ("auth", "user-data", "doc-storage", "web")


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def platform(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    """One platform for this file's tests (each signs up its own users)."""
    found = discover_services()
    host = Platform(
        [found[slug] for slug in SERVICES],
        environ={},
        data_dir=str(tmp_path_factory.mktemp("qh")),
        public_base_url=BASE,
        event_backoff_seconds=0.01,
        outbox_poll_seconds=0.1,
        log_format="console",
        log_level="WARNING",
    )
    async with host:
        yield host
        await host.runtime.drain()


def someone(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


async def upload(browser: Any, content: bytes = b"Ada Lovelace\nversion one\n") -> str:
    await browser.get("/documents")
    uploaded = await browser.client.post(
        "/documents/",
        data={"csrf_token": browser.token, "title": "CV"},
        files={"file": ("cv.txt", content, "text/plain")},
    )
    assert uploaded.status_code == 303, uploaded.text
    path: str = uploaded.headers["location"]
    await browser.get(path)
    return path


async def new_version(
    browser: Any, path: str, content: bytes, *, csrf: str | None = None
) -> httpx.Response:
    response: httpx.Response = await browser.client.post(
        f"{path}/versions",
        data={"csrf_token": browser.token if csrf is None else csrf},
        files={"file": ("cv-2.md", content, "text/markdown")},
    )
    return response


async def test_a_new_version_is_uploaded_and_the_old_one_kept(browser: Any) -> None:
    await browser.sign_up(someone("ada"))
    path = await upload(browser)
    page = await browser.get(path)
    assert 'action="' + path + '/versions"' in page.text
    assert 'for="f-version-file"' in page.text  # the file field has its label

    added = await new_version(browser, path, b"# Ada Lovelace\n\nversion two\n")
    assert added.status_code == 303, added.text
    assert added.headers["location"] == f"{path}?version=2"
    page = await browser.get(added.headers["location"])
    assert "Version 2 is uploaded." in page.text
    assert "cv-2.md" in page.text
    assert "cv.txt" in page.text
    current = await browser.get(f"{path}/download")
    assert current.content == b"# Ada Lovelace\n\nversion two\n"
    first = await browser.get(f"{path}/download?version=1")
    assert first.content == b"Ada Lovelace\nversion one\n"


async def test_a_version_without_a_file_or_token_is_refused(browser: Any) -> None:
    await browser.sign_up(someone("ada"))
    path = await upload(browser)
    empty = await new_version(browser, path, b"")
    assert empty.status_code == 422
    assert 'id="e-version-file"' in empty.text
    assert "Choose a file." in empty.text
    assert 'aria-invalid="true"' in empty.text
    forged = await new_version(browser, path, b"v2", csrf="nope")
    assert forged.status_code == 403
    page = await browser.get(path)
    assert "cv-2.md" not in page.text  # nothing was added


async def test_the_owner_sees_every_opening_of_a_link(browser: Any) -> None:
    await browser.sign_up(someone("ada"))
    path = await upload(browser)
    shared = await browser.post(f"{path}/share", {"expires_in": "86400"})
    url = re.search(r'<a href="[^"]*(/api/v1/documents/shared/[^"]+)">', shared.text).group(1)
    page = await browser.get(path)
    log_path = re.search(r'href="(/documents/[0-9a-f-]{36}/links/[0-9a-f-]{36})"', page.text)
    assert log_path
    empty = await browser.get(log_path.group(1))
    assert empty.status_code == 200
    assert "Nobody has opened this link yet." in empty.text

    opened = await browser.client.get(url, headers={"User-Agent": "Recruiter Browser/1.0"})
    assert opened.status_code == 200
    again = await browser.client.get(url, headers={"User-Agent": "Another Reader/2.0"})
    assert again.status_code == 200
    log = await browser.get(log_path.group(1))
    assert log.status_code == 200
    assert "Access log of a share link" in log.text
    assert "2 times" in log.text
    assert "Recruiter Browser/1.0" in log.text
    assert "Another Reader/2.0" in log.text
    assert log.text.count("<tr><td>") == 2


async def test_another_users_versions_and_logs_are_not_found(browser: Any, other: Any) -> None:
    await browser.sign_up(someone("ada"))
    path = await upload(browser)
    await browser.post(f"{path}/share", {"expires_in": "3600"})
    page = await browser.get(path)
    log_path = re.search(r'href="(/documents/[0-9a-f-]{36}/links/[0-9a-f-]{36})"', page.text)
    assert log_path

    await other.sign_up(someone("grace"))
    await other.get("/documents")
    stranger = await other.get(log_path.group(1))
    assert stranger.status_code == 404
    await other.get("/documents")  # a page of theirs, for its form token
    pushed = await new_version(other, path, b"not yours")
    assert pushed.status_code == 404
    assert "not yours" not in (await browser.get(f"{path}/download")).text
    # A link id that is not this document's is not found either.
    wrong = log_path.group(1).rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
    assert (await browser.get(wrong)).status_code == 404


async def test_the_access_log_in_russian(other: Any) -> None:
    await other.sign_up(someone("grace"))
    path = await upload(other)
    shared = await other.post(f"{path}/share", {"expires_in": "3600"})
    assert shared.status_code == 200
    page = await other.get(path)
    assert "Журнал открытий" in page.text
    log_path = re.search(r'href="(/documents/[0-9a-f-]{36}/links/[0-9a-f-]{36})"', page.text)
    log = await other.get(log_path.group(1))
    assert "Ссылку ещё никто не открывал." in log.text
    assert 'lang="ru"' in log.text
