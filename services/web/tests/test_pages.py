"""The web client against the platform's real services in one process: each page as a
person uses it, and the rules that keep them safe (CSRF, sessions, other users' pages)."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pyotp

VACANCY_TEXT = """Senior Python developer
Company: Example Soft
We are looking for a Python developer with 5+ years of experience.
Requirements: Python, PostgreSQL, Docker, Kubernetes, English B2.
Nice to have: Go.
Salary from 250000 RUB."""


def unique(name: str, domain: str = "example.com") -> str:
    """``name-<random>@domain``: the tests share the module's platform (conftest), so each
    signs up with addresses no other test uses."""
    return f"{name}-{secrets.token_hex(4)}@{domain}"


async def add_experience(browser: Any) -> None:
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


async def test_sign_up_lands_in_the_profile_and_sign_out_ends_the_session(browser: Any) -> None:
    home = await browser.get("/")
    assert home.status_code == 200
    assert "Create an account" in home.text
    assert home.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in home.headers["content-security-policy"]
    assert "<script>" not in home.text  # no inline script anywhere
    cookie = next(c for c in browser.client.cookies.jar if c.name == "qh_csrf")
    assert cookie.secure
    assert cookie.has_nonstandard_attr("HttpOnly")

    signed_up = await browser.sign_up(unique("ada"))
    assert signed_up.headers["location"] == "/profile?welcome=1"
    session = next(c for c in browser.client.cookies.jar if c.name == "qh_session")
    assert session.secure
    assert session.has_nonstandard_attr("HttpOnly")
    profile = await browser.get("/profile?welcome=1")
    assert profile.status_code == 200
    assert 'value="Анна Иванова"' in profile.text  # the profile made from the sign-up

    out = await browser.post("/signout", {})
    assert out.status_code == 303
    after = await browser.get("/profile")
    assert after.status_code == 303
    assert after.headers["location"].startswith("/signin?next=")


async def test_sign_in_with_a_wrong_password_says_so_and_keeps_the_address(
    browser: Any, other: Any, password: str
) -> None:
    grace = unique("grace")
    await other.sign_up(grace)
    await browser.get("/signin")
    wrong = await browser.post("/signin", {"email": grace, "password": "nope-nope"})
    assert wrong.status_code == 401
    assert "The e-mail or the password is wrong." in wrong.text
    assert f'value="{grace}"' in wrong.text
    right = await browser.post(
        "/signin", {"email": grace, "password": password, "next": "/vacancies"}
    )
    assert right.status_code == 303
    assert right.headers["location"] == "/vacancies"
    # Signing in changed the session, so the form token of the page before is void.
    stale = await browser.post("/signout", {})
    assert stale.status_code == 403
    await browser.get("/account")
    assert (await browser.post("/signout", {})).status_code == 303
    await browser.get("/signin")
    offsite = await browser.post(
        "/signin", {"email": grace, "password": password, "next": "//evil.example"}
    )
    assert offsite.headers["location"] == "/profile"


async def test_every_unsafe_request_without_the_form_token_is_refused(browser: Any) -> None:
    await browser.sign_up(unique("ada"))
    await browser.get("/profile")
    for path in ("/profile/experience", "/signout", "/account/delete", "/vacancies/parse"):
        refused = await browser.post(path, {"position": "x"}, csrf=False)
        assert refused.status_code == 403, path
        assert "This form has expired" in refused.text
        forged = await browser.post(path, {"csrf_token": "0" * 64})
        assert forged.status_code == 403, path
    # Nothing happened: still signed in, nothing added.
    page = await browser.get("/profile/experience")
    assert page.status_code == 200
    assert "Nothing here yet." in page.text


async def test_every_unsafe_route_has_the_csrf_guard(platform: Any) -> None:
    app = platform.service("web").app
    unguarded = [
        (sorted(handler.http_methods), handler.paths)
        for route in app.routes
        for handler in getattr(route, "route_handlers", ())
        if set(getattr(handler, "http_methods", ())) - {"GET", "HEAD", "OPTIONS"}
        and not any(g.__name__ == "csrf_guard" for g in handler.resolve_guards())
        and not str(next(iter(handler.paths))).startswith(("/events/", "/dapr/"))
    ]
    assert unguarded == []


async def test_a_section_error_is_shown_beside_its_field_then_items_are_edited_reordered_deleted(
    browser: Any,
) -> None:
    await browser.sign_up(unique("ada"))
    await browser.get("/profile/experience")
    bad = await browser.post(
        "/profile/experience",
        {"position": "Dev", "company": "ACME", "start_date": "2020-01", "end_date": "2019"},
    )
    assert bad.status_code == 422
    assert re.search(
        r'id="f-end_date"[^>]*aria-invalid="true"[^>]*aria-describedby="e-end_date"', bad.text
    )
    assert '<p class="error" id="e-end_date">must not be before the start date</p>' in bad.text
    assert 'value="ACME"' in bad.text  # what was typed is kept

    await add_experience(browser)
    second = await browser.post(
        "/profile/experience", {"position": "Team lead", "company": "Beta", "start_date": "2022"}
    )
    assert second.status_code == 303
    page = await browser.get("/profile/experience")
    assert page.text.index("Team lead · Beta") < page.text.index("Python developer · ACME")
    first_id = re.search(r"/profile/experience/([0-9a-f-]{36})/move", page.text).group(1)
    moved = await browser.post(f"/profile/experience/{first_id}/move", {"order": "1"})
    assert moved.status_code == 303
    page = await browser.get("/profile/experience")
    assert page.text.index("Python developer · ACME") < page.text.index("Team lead · Beta")

    edit = await browser.get(f"/profile/experience/{first_id}")
    assert 'value="Team lead"' in edit.text
    saved = await browser.post(
        f"/profile/experience/{first_id}",
        {"position": "Head of engineering", "company": "Beta", "start_date": "2022"},
    )
    assert saved.status_code == 303
    page = await browser.get("/profile/experience")
    assert "Head of engineering · Beta" in page.text
    deleted = await browser.post(f"/profile/experience/{first_id}/delete", {})
    assert deleted.status_code == 303
    page = await browser.get("/profile/experience")
    assert "Head of engineering" not in page.text


async def test_personal_data_errors_sit_beside_their_fields_in_russian(other: Any) -> None:
    await other.sign_up(unique("boris", "example.ru"), "Борис")
    await other.get("/profile")
    bad = await other.post("/profile/", {"full_name": "Борис", "country_code": "RUS"})
    assert bad.status_code == 422
    assert 'id="e-country_code"' in bad.text
    assert 'lang="ru"' in bad.text
    good = await other.post(
        "/profile/",
        {"full_name": "Борис", "salary_amount": "250000", "salary_currency": "RUB"},
    )
    assert good.status_code == 200
    assert "250\xa0000,00\xa0₽" in good.text  # money in the Russian way


async def test_the_journey_profile_vacancy_match_review(browser: Any) -> None:
    await browser.sign_up(unique("ada"))
    await add_experience(browser)
    await browser.get("/vacancies")
    parsed = await browser.post("/vacancies/parse", {"content": VACANCY_TEXT})
    assert parsed.status_code == 200, parsed.text
    assert "Check the vacancy" in parsed.text
    assert "Python" in parsed.text
    saved = await browser.post(
        "/vacancies/save",
        {
            "vacancy": re.search(r'name="vacancy" value="([^"]*)"', parsed.text)
            .group(1)
            .replace("&#34;", '"')
            .replace("&quot;", '"')
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#39;", "'")
        },
    )
    assert saved.status_code == 303, saved.text
    vacancy_path = saved.headers["location"]
    vacancy = await browser.get(vacancy_path)
    assert "Requirements" in vacancy.text
    board = await browser.get("/vacancies")
    assert vacancy_path in board.text

    moved = await browser.post(vacancy_path, {"status": "applied", "notes": "Sent on Monday"})
    assert moved.status_code == 303
    vacancy = await browser.get(vacancy_path)
    assert '<option value="applied" selected>' in vacancy.text

    page = await browser.get(f"{vacancy_path}/match")
    assert 'hx-trigger="load, submit"' in page.text
    result = await browser.post(f"{vacancy_path}/match", {}, headers={"HX-Request": "true"})
    assert result.status_code == 200, result.text
    assert "<html" not in result.text  # a fragment for htmx
    assert '<p class="score">' in result.text
    assert '<mark class="match">' in result.text
    assert "Missing" in result.text

    review = await browser.post("/review", {})
    assert review.status_code == 200, review.text
    tone = await browser.post("/review/tone", {"text": "I am a very hard-working team player."})
    assert tone.status_code == 200, tone.text
    assert "Formality" in tone.text


async def test_another_users_pages_are_not_found(browser: Any, other: Any) -> None:
    await browser.sign_up(unique("ada"))
    await browser.get("/vacancies")
    parsed = await browser.post("/vacancies/parse", {"content": VACANCY_TEXT})
    raw = re.search(r'name="vacancy" value="([^"]*)"', parsed.text).group(1)
    import html

    saved = await browser.post("/vacancies/save", {"vacancy": html.unescape(raw)})
    vacancy_path = saved.headers["location"]
    await add_experience(browser)
    page = await browser.get("/profile/experience")
    item = re.search(r"/profile/experience/([0-9a-f-]{36})", page.text).group(0)

    await other.sign_up(unique("boris", "example.ru"), "Борис")
    for path in (vacancy_path, f"{vacancy_path}/match", item):
        answer = await other.get(path)
        assert answer.status_code == 404, path
        assert "Не найдено" in answer.text or "не найден" in answer.text.lower()
    await other.get("/vacancies")
    changed = await other.post(vacancy_path, {"status": "offer"})
    assert changed.status_code == 404
    still = await browser.get(vacancy_path)
    assert '<option value="saved" selected>' in still.text


async def test_two_factor_enrolment_then_sign_in_with_a_code(browser: Any, password: str) -> None:
    ada = unique("ada")
    await browser.sign_up(ada)
    await browser.get("/account")
    started = await browser.post("/account/mfa", {})
    assert started.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in started.text
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', started.text).group(1)
    wrong = await browser.post(
        "/account/mfa/confirm",
        {
            "code": "000000",
            "secret": secret,
            "qr": re.search(r'name="qr" value="([^"]+)"', started.text).group(1),
            "recovery_codes": "",
        },
    )
    assert wrong.status_code == 422
    assert 'id="e-code"' in wrong.text
    assert secret in wrong.text  # the same enrolment, to try again
    confirmed = await browser.post("/account/mfa/confirm", {"code": pyotp.TOTP(secret).now()})
    assert confirmed.status_code == 200
    assert "Two-factor sign-in is on." in confirmed.text

    await browser.post("/signout", {})
    await browser.get("/signin")
    first = await browser.post("/signin", {"email": ada, "password": password})
    assert first.status_code == 200
    assert "Two-factor sign-in" in first.text
    assert "mfa_token" not in first.text  # kept server-side, sealed in an HttpOnly cookie
    bad = await browser.post("/signin/code", {"code": "123456"})
    assert bad.status_code == 401
    assert 'id="e-code"' in bad.text
    totp = pyotp.TOTP(secret)
    code = totp.at(totp.timecode(__import__("datetime").datetime.now()) * 30 + 30)
    done = await browser.post("/signin/code", {"code": code})
    assert done.status_code == 303, done.text
    assert (await browser.get("/account")).status_code == 200


async def test_documents_upload_share_count_and_revoke(browser: Any) -> None:
    await browser.sign_up(unique("ada"))
    await browser.get("/documents")
    uploaded = await browser.client.post(
        "/documents/",
        data={"csrf_token": browser.token, "title": "CV"},
        files={"file": ("cv.txt", b"Ada Lovelace\nPython developer\n", "text/plain")},
    )
    assert uploaded.status_code == 303, uploaded.text
    document_path = uploaded.headers["location"]
    page = await browser.get(document_path)
    assert "CV" in page.text
    shared = await browser.post(f"{document_path}/share", {"expires_in": "86400"})
    assert shared.status_code == 200
    url = re.search(r'<a href="([^"]+/shared/[^"]+)">', shared.text).group(1)
    opened = await browser.client.get(url.replace("https://testserver", ""))
    assert opened.status_code == 200
    assert opened.content.startswith(b"Ada Lovelace")
    page = await browser.get(document_path)
    assert re.search(r"<td>1</td>|<td>1 ·", page.text)  # the link was opened once
    share_id = re.search(r"/share/([0-9a-f-]{36})/revoke", page.text).group(1)
    revoked = await browser.post(f"{document_path}/share/{share_id}/revoke", {})
    assert revoked.status_code == 303
    assert (await browser.client.get(url.replace("https://testserver", ""))).status_code == 404
    download = await browser.get(f"{document_path}/download")
    assert download.content.startswith(b"Ada Lovelace")


async def test_the_language_is_the_users_choice_then_the_browsers(browser: Any) -> None:
    english = await browser.get("/signin")
    assert "Sign in" in english.text
    assert 'lang="en"' in english.text
    switched = await browser.post("/language", {"lang": "ru", "next": "/signin"})
    assert switched.status_code == 303
    assert switched.headers["location"] == "/signin"
    russian = await browser.get("/signin", headers={"Accept-Language": "en"})
    assert 'lang="ru"' in russian.text
    assert "Войти" in russian.text


async def test_unknown_pages_are_pages_and_unknown_apis_are_problems(browser: Any) -> None:
    page = await browser.get("/no-such-page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    api = await browser.get("/api/v1/nothing")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")
    asset = await browser.get("/static/htmx.min.js")
    assert asset.status_code == 200
    assert "immutable" in asset.headers["cache-control"]
    assert (await browser.get("/static/../app.py")).status_code == 404
