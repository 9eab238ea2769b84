"""The cover letter pages against the real services in one process (auth, user-data,
job-data, text-analysis, doc-storage, resume-generation, cover-letters, web): a draft for a
saved vacancy in a tone, errors beside their fields, editing, the versions and restoring
one, writing it again in another tone, the exports, and another user's letter."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest

from qh.kit.host import Platform, discover_services

SERVICES = (
    "auth",
    "user-data",
    "job-data",
    "text-analysis",
    "doc-storage",
    "resume-generation",
    "cover-letters",
    "web",
)
VACANCY_TEXT = """Senior Python developer
Company: Example Soft
We are looking for a Python developer with 5+ years of experience.
Requirements: Python, PostgreSQL, Docker, Kubernetes, English B2.
Nice to have: Go.
Salary from 250000 RUB."""
HX = {"HX-Request": "true"}


async def start(slugs: tuple[str, ...], folder: str) -> Platform:
    found = discover_services()
    return Platform(
        [found[slug] for slug in slugs],
        environ={},
        data_dir=folder,
        public_base_url="https://testserver",
        event_backoff_seconds=0.01,
        outbox_poll_seconds=0.1,
        log_format="console",
        log_level="WARNING",
    )


@pytest.fixture(scope="module")
async def platform(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    """The web client with the generators reachable, one for the module (it overrides the
    conftest's; each test signs up its own users)."""
    host = await start(SERVICES, str(tmp_path_factory.mktemp("qh")))
    async with host:
        yield host
        await host.runtime.drain()


async def prepare(browser: Any) -> str:
    """A new user with one job in the profile and one saved vacancy; the vacancy's id."""
    await browser.sign_up(f"ada-{secrets.token_hex(4)}@example.com", "Ada Lovelace")
    await browser.get("/profile/experience")
    added = await browser.post(
        "/profile/experience",
        {
            "position": "Python developer",
            "company": "ACME",
            "start_date": "2018-03",
            "description": "Built services in Python with PostgreSQL and Docker.",
            "skills": "Python\nPostgreSQL\nDocker",
        },
    )
    assert added.status_code == 303, added.text
    await browser.get("/vacancies")
    parsed = await browser.post("/vacancies/parse", {"content": VACANCY_TEXT})
    raw = re.search(r'name="vacancy" value="([^"]*)"', parsed.text).group(1)
    saved = await browser.post("/vacancies/save", {"vacancy": html.unescape(raw)})
    assert saved.status_code == 303, saved.text
    return str(saved.headers["location"].rsplit("/", 1)[1])


async def draft(browser: Any, vacancy_id: str, **fields: str) -> str:
    await browser.get("/cover-letters/")
    made = await browser.post(
        "/cover-letters/", {"vacancy_id": vacancy_id, "tone": "friendly", **fields}
    )
    assert made.status_code == 303, made.text
    return str(made.headers["location"])


def textarea(page: str) -> str:
    found = re.search(r'<textarea id="f-text"[^>]*>([^<]*)</textarea>', page)
    assert found, page
    return html.unescape(found.group(1))


async def test_a_letter_is_drafted_edited_and_restored_from_its_versions(browser: Any) -> None:
    vacancy_id = await prepare(browser)
    page = await browser.get("/cover-letters/")
    assert page.status_code == 200
    assert "No cover letters yet." in page.text
    assert f'<option value="{vacancy_id}">Senior Python developer' in page.text

    missing = await browser.post("/cover-letters/", {"tone": "formal"})
    assert missing.status_code == 422
    assert re.search(r'id="f-vacancy_id"[^>]*aria-invalid="true"', missing.text)
    assert 'id="e-vacancy_id">Choose the vacancy the letter is for.' in missing.text
    short = await browser.post(
        "/cover-letters/", {"vacancy_id": vacancy_id, "tone": "formal", "max_words": "10"}
    )
    assert short.status_code == 422
    assert 'id="e-max_words">Between 40 and 3000 words.' in short.text
    assert f'<option value="{vacancy_id}" selected>' in short.text  # the choice is kept

    path = await draft(browser, vacancy_id, recruiter_name="Olga Smirnova")
    page = await browser.get(path)
    assert page.status_code == 200
    first = textarea(page.text)
    assert first.startswith("Hello Olga Smirnova,")  # friendly, to the recruiter
    assert "Example Soft" in first
    assert "<dt>Mood</dt>" in page.text  # text-analysis's feedback on the tone
    listed = await browser.get("/cover-letters/")
    assert path in listed.text

    empty = await browser.post(path, {"title": "Letter", "text": "  "})
    assert empty.status_code == 422
    assert '<p class="error" id="e-text">The letter cannot be empty.</p>' in empty.text
    edited = first.replace("Hello Olga Smirnova,", "Dear Olga,")
    saved = await browser.post(path, {"title": "To Example Soft", "text": edited})
    assert saved.status_code == 303
    page = await browser.get(saved.headers["location"])
    assert "Saved." in page.text
    assert "<h1>To Example Soft</h1>" in page.text
    assert textarea(page.text).startswith("Dear Olga,")
    assert "Version 2" in page.text
    restore = re.search(rf"{path}/versions/1/restore", page.text)
    assert restore
    restored = await browser.post(restore.group(0), {})
    assert restored.status_code == 303
    page = await browser.get(path)
    assert textarea(page.text) == first
    assert "restored from version 1" in page.text
    assert "Version 3" in page.text

    again = await browser.post(f"{path}/regenerate", {"tone": "formal"}, headers=HX)
    assert again.status_code == 200
    assert again.headers["hx-redirect"].startswith(path)
    page = await browser.get(path)
    assert textarea(page.text).startswith("Dear Olga Smirnova,")  # formal now
    assert "written again (formal)" in page.text
    bad_tone = await browser.post(f"{path}/regenerate", {"tone": "rude"})
    assert bad_tone.status_code == 422
    assert 'id="e-tone"' in bad_tone.text


async def test_exports_are_made_in_the_background_and_downloaded(browser: Any) -> None:
    path = await draft(browser, await prepare(browser))
    page = await browser.get(path)
    assert f'hx-post="{path}/export"' in page.text
    assert 'hx-indicator="#wait-export"' in page.text
    files = {}
    for kind in ("txt", "docx", "pdf"):
        made = await browser.post(f"{path}/export", {"format": kind}, headers=HX)
        assert made.status_code == 200
        link = re.search(r'href="(/documents/[0-9a-f-]{36}/download\?version=\d+)"', made.text)
        assert link, made.text
        files[kind] = await browser.get(link.group(1))
    assert files["txt"].text.startswith("Hello,")
    assert files["docx"].content.startswith(b"PK")
    assert files["pdf"].content.startswith(b"%PDF")
    direct = await browser.get(f"{path}/download?format=txt")
    assert direct.status_code == 200
    assert direct.text == files["txt"].text
    assert (await browser.get(f"{path}/download?format=exe")).status_code == 404


async def test_another_users_letter_is_not_found(browser: Any, other: Any) -> None:
    path = await draft(browser, await prepare(browser))
    await other.sign_up(f"boris-{secrets.token_hex(4)}@example.ru", "Борис")
    for url in (path, f"{path}/download?format=pdf"):
        answer = await other.get(url)
        assert answer.status_code == 404, url
        assert "Не найдено" in answer.text or "не найден" in answer.text.lower()
    for url, form in (
        (path, {"title": "Mine", "text": "Mallory was here"}),
        (f"{path}/versions/1/restore", {}),
        (f"{path}/regenerate", {"tone": "formal"}),
        (f"{path}/export", {"format": "pdf"}),
    ):
        await other.get("/cover-letters/")  # a 404 page is anonymous: its token is not theirs
        answer = await other.post(url, form)
        assert answer.status_code == 404, url
    mine = await browser.get(path)
    assert mine.status_code == 200
    assert "Mallory" not in mine.text
