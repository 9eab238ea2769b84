"""The resume pages against the real services in one process (auth, user-data, job-data,
text-analysis, doc-storage, resume-generation, web): the designs' gallery, a resume made for
a saved vacancy, the live preview, saving with errors beside their fields, proposals, the
exports, and another user's resume."""

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


@pytest.fixture(scope="module")
async def platform(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    """The web client with the generators reachable, one for the module (it overrides the
    conftest's; each test signs up its own users)."""
    found = discover_services()
    host = Platform(
        [found[slug] for slug in SERVICES],
        environ={},
        data_dir=str(tmp_path_factory.mktemp("qh")),
        public_base_url="https://testserver",
        event_backoff_seconds=0.01,
        outbox_poll_seconds=0.1,
        log_format="console",
        log_level="WARNING",
    )
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


async def make_resume(browser: Any, vacancy_id: str, **fields: str) -> str:
    await browser.get("/resumes/")
    made = await browser.post(
        "/resumes/", {"vacancy_id": vacancy_id, "language": "en", "template": "modern", **fields}
    )
    assert made.status_code == 303, made.text
    return str(made.headers["location"])


def resume_id(path: str) -> str:
    return path.rsplit("/", 1)[1]


async def test_the_gallery_shows_each_design_with_its_thumbnail_then_a_resume_is_made(
    browser: Any,
) -> None:
    vacancy_id = await prepare(browser)
    page = await browser.get("/resumes/")
    assert page.status_code == 200
    assert "No resumes yet." in page.text
    thumbnails = re.findall(
        r'<img src="(/resumes/templates/(\w+)/thumbnail\?language=en)"', page.text
    )
    assert {name for _, name in thumbnails} == {"classic", "modern", "compact"}
    for url, _name in thumbnails:
        image = await browser.get(url)
        assert image.status_code == 200
        assert image.headers["content-type"] == "image/png"
        assert image.content.startswith(b"\x89PNG")
    assert (await browser.get("/resumes/templates/nope/thumbnail")).status_code == 404
    assert f'<option value="{vacancy_id}">Senior Python developer' in page.text
    await browser.get("/resumes/")  # the form's token again (the 404 page is anonymous)

    # A vacancy that is not one of the user's: the message sits beside the vacancy field.
    wrong = await browser.post(
        "/resumes/",
        {"vacancy_id": "01a23026-0000-7000-8000-000000000000", "language": "en"},
    )
    assert wrong.status_code == 404
    assert re.search(r'id="f-vacancy_id"[^>]*aria-invalid="true"', wrong.text)
    assert 'id="e-vacancy_id">This vacancy is not among your saved vacancies.' in wrong.text
    unknown = await browser.post("/resumes/", {"template": "nope", "language": "en"})
    assert unknown.status_code == 422
    assert 'id="e-template"' in unknown.text

    path = await make_resume(browser, vacancy_id, title="For Example Soft")
    page = await browser.get(path)
    assert page.status_code == 200
    assert "<h1>For Example Soft</h1>" in page.text
    assert "Senior Python developer" in page.text  # what it was made for
    assert 'value="Python developer"' in page.text  # the profile's job, to edit
    listed = await browser.get("/resumes/")
    assert f'<a href="{path}">For Example Soft</a>' in listed.text
    # htmx swaps only a 2xx: its refusal is the page with the message, answered 200.
    hx = await browser.post("/resumes/", {"template": "nope"}, headers=HX)
    assert hx.status_code == 200
    assert 'id="e-template"' in hx.text


async def test_the_preview_follows_the_form_and_only_save_keeps_it(browser: Any) -> None:
    path = await make_resume(browser, await prepare(browser))
    page = await browser.get(path)
    assert 'hx-trigger="input changed delay:400ms, change"' in page.text
    assert f'hx-post="{path}/preview"' in page.text
    typed = {
        "name": "Ada King",
        "headline": "Analyst of engines",
        "summary": "Writes the first programs.",
        "job0_position": "Python developer",
        "job0_company": "ACME",
        "job0_highlights": "Cut build times in half\nLed four people",
        "skills": "Python\nDocker",
    }
    preview = await browser.post(f"{path}/preview", typed, headers=HX)
    assert preview.status_code == 200
    assert "<html" not in preview.text  # a fragment for htmx
    assert "Ada King" in preview.text
    assert "<li>Cut build times in half</li>" in preview.text
    assert "Analyst of engines" in preview.text
    unchanged = await browser.get(path)
    assert 'value="Ada King"' not in unchanged.text  # a preview saves nothing
    assert "Version 1" in unchanged.text

    too_long = await browser.post(path, {**typed, "headline": "x" * 600})
    assert too_long.status_code == 422
    assert re.search(
        r'id="f-headline"[^>]*aria-invalid="true"[^>]*aria-describedby="e-headline"', too_long.text
    )
    assert '<p class="error" id="e-headline">must have at most 500 characters</p>' in too_long.text
    assert 'value="Ada King"' in too_long.text  # what was typed is kept

    saved = await browser.post(path, typed)
    assert saved.status_code == 303
    page = await browser.get(saved.headers["location"])
    assert "Saved." in page.text
    assert "Version 2" in page.text
    assert 'value="Ada King"' in page.text
    assert "Cut build times in half\nLed four people</textarea>" in page.text
    printed = await browser.get(f"{path}/print")  # the saved version in its design
    assert printed.status_code == 200
    assert "Ada King" in printed.text
    assert "/api/v1/resumes/assets/" in printed.text
    assert "default-src 'none'" in printed.headers["content-security-policy"]

    unknown = await browser.post(f"{path}/settings", {"template": "nope"})
    assert unknown.status_code == 422
    assert re.search(r'id="f-s_template"[^>]*aria-invalid="true"', unknown.text)
    assert 'id="e-s_template"' in unknown.text
    russian = await browser.post(
        f"{path}/settings", {"language": "ru", "template": "compact", "title": "Резюме"}
    )
    assert russian.status_code == 303
    page = await browser.get(path)
    assert "<h1>Резюме</h1>" in page.text
    assert '<option value="compact" selected>' in page.text


async def test_proposals_are_accepted_or_rejected_one_by_one(browser: Any) -> None:
    vacancy_id = await prepare(browser)
    path = await make_resume(browser, vacancy_id)
    page = await browser.get(path)
    proposed = re.search(
        r'<p class="muted">Proposed:</p><div class="text">([^<]+)</div>', page.text
    )
    assert proposed, page.text
    accept = re.search(rf"{path}/proposals/([\w-]+)/accept", page.text).group(0)
    accepted = await browser.post(accept, {})
    assert accepted.status_code == 303
    page = await browser.get(path)
    assert f"{proposed.group(1)}</textarea>" in page.text  # the summary is the proposal now
    assert "New summary: accepted" in page.text
    assert "/accept" not in page.text
    again = await browser.post(accept, {})
    assert again.status_code == 409
    assert "This proposal was already decided." in again.text

    other = await make_resume(browser, vacancy_id)
    page = await browser.get(other)
    reject = re.search(rf"{other}/proposals/([\w-]+)/reject", page.text).group(0)
    assert (await browser.post(reject, {})).status_code == 303
    page = await browser.get(other)
    assert "New summary: rejected" in page.text
    assert '<textarea id="f-summary" name="summary" rows="4"></textarea>' in page.text


async def test_exports_are_made_in_the_background_and_downloaded(browser: Any) -> None:
    path = await make_resume(browser, await prepare(browser))
    page = await browser.get(path)
    assert f'hx-post="{path}/export"' in page.text
    assert 'hx-indicator="#wait-export"' in page.text
    links = []
    for kind in ("pdf", "docx", "md"):
        made = await browser.post(f"{path}/export", {"format": kind}, headers=HX)
        assert made.status_code == 200, made.text
        assert "<html" not in made.text
        link = re.search(r'href="(/documents/[0-9a-f-]{36}/download\?version=\d+)"', made.text)
        assert link, made.text
        links.append(link.group(1))
    pdf, docx, md = [await browser.get(link) for link in links]
    assert pdf.content.startswith(b"%PDF")
    assert docx.content.startswith(b"PK")
    assert "Python developer" in md.text
    assert [link.rsplit("=", 1)[1] for link in links] == ["1", "2", "3"]  # one document
    direct = await browser.get(f"{path}/download?format=pdf")
    assert direct.status_code == 200
    assert direct.content.startswith(b"%PDF")
    assert direct.headers["content-disposition"].startswith("attachment")
    assert (await browser.get(f"{path}/download?format=exe")).status_code == 404


async def test_another_users_resume_is_not_found(browser: Any, other: Any) -> None:
    path = await make_resume(browser, await prepare(browser))
    await other.sign_up(f"boris-{secrets.token_hex(4)}@example.ru", "Борис")
    for url in (path, f"{path}/download?format=pdf"):
        answer = await other.get(url)
        assert answer.status_code == 404, url
        assert "Не найдено" in answer.text or "не найден" in answer.text.lower()
    await other.get("/resumes/")
    for url, form in (
        (path, {"name": "Mallory"}),
        (f"{path}/preview", {"name": "Mallory"}),
        (f"{path}/export", {"format": "pdf"}),
        (f"{path}/settings", {"title": "Mine"}),
    ):
        await other.get("/resumes/")  # a 404 page is anonymous: its token is not theirs
        answer = await other.post(url, form)
        assert answer.status_code == 404, url
    await other.get("/resumes/")
    gone = await other.post(f"{path}/delete", {})  # as if deleted: nothing of theirs
    assert gone.headers["location"] == "/resumes"
    mine = await browser.get(path)
    assert mine.status_code == 200
    assert 'value="Mallory"' not in mine.text
    refused = await browser.post(path, {"name": "Ada"}, csrf=False)
    assert refused.status_code == 403
