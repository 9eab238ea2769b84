"""A job seeker's journey in a real Chromium, in English and in Russian: sign up, fill
the profile, add a vacancy from pasted text, see the match, upload and share a document,
make a resume for the vacancy (a design from the gallery, the live preview, a proposal
accepted) and download it as a PDF, draft a cover letter and download it;
every page checked with axe-core (no serious or critical violation) and, with
QH_WEB_SCREENSHOTS, screenshotted;
a form error beside its field; sign-in with the keyboard alone."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

Check = Callable[[Any, str, str, list[str]], None]
PASSWORD = "Violet-Harbour-Lantern-42"
VACANCY = """Senior Python developer
Company: Example Soft
We are looking for a Python developer with 5+ years of experience.
Requirements: Python, PostgreSQL, Docker, Kubernetes, English B2.
Nice to have: Go.
Salary from 250000 RUB."""
WORDS = {
    "en": {
        "signup": "Create an account",
        "add": "Add",
        "save": "Save",
        "read": "Read it",
        "save_vacancy": "Save the vacancy",
        "match": "How well do I match?",
        "upload": "Upload",
        "share": "Create a link",
        "mfa": "Turn on two-factor sign-in",
        "review": "Review my resume",
        "signin": "Sign in",
        "make_resume": "Make the resume",
        "write_letter": "Write the letter",
        "mood": "Mood",
    },
    "ru": {
        "signup": "Создать аккаунт",
        "add": "Добавить",
        "save": "Сохранить",
        "read": "Разобрать",
        "save_vacancy": "Сохранить вакансию",
        "match": "Насколько я подхожу?",
        "upload": "Загрузить",
        "share": "Создать ссылку",
        "mfa": "Включить двухфакторный вход",
        "review": "Проверить резюме",
        "signin": "Войти",
        "make_resume": "Составить резюме",
        "write_letter": "Написать письмо",
        "mood": "Настрой",
    },
}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_journey_in_each_language(
    open_page: Any, check: Check, lang: str, tmp_path: Path
) -> None:
    words = WORDS[lang]
    page = open_page(lang)
    problems: list[str] = []
    page.goto("/")
    check(page, lang, "01-home", problems)
    page.goto("/signin")
    check(page, lang, "02-signin", problems)
    page.goto("/forgot-password")
    check(page, lang, "03-forgot-password", problems)

    page.goto("/signup")
    check(page, lang, "04-signup", problems)
    email = f"{lang}-{secrets.token_hex(4)}@example.com"
    page.fill("#f-full_name", "Анна Иванова" if lang == "ru" else "Ada Lovelace")
    page.fill("#f-email", email)
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name=words["signup"]).click()
    page.wait_for_url("**/profile?welcome=1")

    page.fill("#f-headline", "Python-разработчик" if lang == "ru" else "Python developer")
    page.fill("#f-salary_amount", "250000")
    page.fill("#f-salary_currency", "RUB")
    page.locator("form[action='/profile/'] button[type=submit]").click()
    page.wait_for_load_state()
    check(page, lang, "05-profile", problems)

    page.goto("/profile/experience")
    page.fill("#f-position", "Python developer")
    page.fill("#f-company", "ACME")
    page.fill("#f-start_date", "2018-03")
    page.fill("#f-description", "Built services in Python with PostgreSQL and Docker.")
    page.fill("#f-skills", "Python\nPostgreSQL\nDocker")
    page.get_by_role("button", name=words["add"], exact=True).click()
    page.wait_for_url("**/profile/experience")
    page.fill("#f-position", "Team lead")
    page.fill("#f-company", "Beta")
    page.fill("#f-start_date", "2022")
    page.get_by_role("button", name=words["add"], exact=True).click()
    page.wait_for_url("**/profile/experience")
    check(page, lang, "06-section", problems)
    page.locator("ol.items a.button").first.click()
    page.wait_for_url("**/profile/experience/*")
    check(page, lang, "07-section-item", problems)
    page.goto("/profile/import")
    check(page, lang, "08-import", problems)

    page.goto("/vacancies")
    page.fill("#f-content", VACANCY)
    page.get_by_role("button", name=words["read"]).click()
    page.get_by_role("button", name=words["save_vacancy"]).wait_for()
    check(page, lang, "09-vacancy-review", problems)
    page.get_by_role("button", name=words["save_vacancy"]).click()
    page.wait_for_url("**/vacancies/*")
    check(page, lang, "10-vacancy", problems)
    vacancy_url = page.url
    page.goto("/vacancies")
    check(page, lang, "11-board", problems)
    assert (
        page.locator(f"a[href='{vacancy_url.split(page.url.split('/vacancies')[0])[1]}']").count()
        == 1
    )

    page.goto(vacancy_url)
    page.get_by_role("link", name=words["match"]).click()
    page.locator("p.score").wait_for()  # loaded by htmx in the background
    assert page.locator("mark.match").count() > 0
    check(page, lang, "12-match", problems)

    page.goto("/review")
    page.get_by_role("button", name=words["review"]).click()
    page.wait_for_load_state("networkidle")
    check(page, lang, "13-review", problems)

    page.goto("/documents")
    cv = tmp_path / "cv.txt"
    cv.write_text("Ada Lovelace\nPython developer\n", encoding="utf-8")
    page.fill("#f-title", "CV")
    page.set_input_files("#f-file", str(cv))
    page.get_by_role("button", name=words["upload"], exact=True).click()
    page.wait_for_url("**/documents/*")
    page.get_by_role("button", name=words["share"]).click()
    page.locator("p.notice a").wait_for()
    check(page, lang, "15-document", problems)
    page.goto("/documents")
    check(page, lang, "14-documents", problems)

    resume_and_letter(page, check, lang, tmp_path, problems)

    page.goto("/account")
    check(page, lang, "16-account", problems)
    page.get_by_role("button", name=words["mfa"]).click()
    page.locator("img.qr").wait_for()
    assert page.evaluate("() => document.querySelector('img.qr').naturalWidth") > 0
    check(page, lang, "17-mfa", problems)
    page.goto("/no-such-page")
    check(page, lang, "18-not-found", problems)
    assert problems == []


RESUME_URL = re.compile(r".*/resumes/[0-9a-f-]{36}$")
LETTER_URL = re.compile(r".*/cover-letters/[0-9a-f-]{36}$")


def download_from_export(page: Any, kind: str, tmp_path: Path) -> bytes:
    """Ask for an export (made in the background, with a progress note), then download
    the file from the link it answers."""
    page.locator(f"form[hx-post$='/export'] button[value={kind}]").click()
    link = page.locator("#export-result a")
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    target = tmp_path / f"export.{kind}"
    info.value.save_as(str(target))
    return target.read_bytes()


def resume_and_letter(
    page: Any, check: Check, lang: str, tmp_path: Path, problems: list[str]
) -> None:
    """A resume for the saved vacancy, edited with its live preview, a proposal accepted,
    the PDF downloaded; then a cover letter for the same vacancy, downloaded too."""
    words = WORDS[lang]
    page.goto("/resumes")
    assert page.locator("label.design img").count() == 3
    # Lazy images do not hold up the load event: wait until each has loaded or failed.
    page.wait_for_function(
        "() => [...document.querySelectorAll('label.design img')].every(i => i.complete)"
    )
    assert page.evaluate(
        "() => [...document.querySelectorAll('label.design img')].every(i => i.naturalWidth > 0)"
    )  # the designs' thumbnails, drawn by the server
    check(page, lang, "30-resumes", problems)
    page.select_option("#f-vacancy_id", index=1)
    page.select_option("#f-language", lang)
    page.locator("label.design input[value=modern]").check()
    page.get_by_role("button", name=words["make_resume"]).click()
    page.wait_for_url(RESUME_URL)
    resume_url = page.url

    headline = "Ведущий Python-разработчик" if lang == "ru" else "Lead Python developer"
    page.fill("#f-headline", headline)
    page.locator("#preview .paper-headline", has_text=headline).wait_for()  # live preview
    page.locator("form[action$='/accept'] button").first.click()
    page.wait_for_url(resume_url)
    assert page.locator("#f-summary").input_value() != ""  # the proposal is the summary
    assert page.locator("#f-headline").input_value() != headline  # the preview saved nothing
    page.fill("#f-headline", headline)
    page.locator("#editor button[type=submit]").click()
    page.wait_for_url("**?saved=1")
    assert page.locator("#f-headline").input_value() == headline
    check(page, lang, "31-resume", problems)
    pdf = download_from_export(page, "pdf", tmp_path)
    assert pdf.startswith(b"%PDF")

    page.goto("/cover-letters")
    check(page, lang, "32-cover-letters", problems)
    page.select_option("#f-vacancy_id", index=1)
    page.select_option("#f-tone", "friendly")
    page.get_by_role("button", name=words["write_letter"]).click()
    page.wait_for_url(LETTER_URL)
    assert "Example Soft" in page.locator("#f-text").input_value()
    page.get_by_text(words["mood"], exact=True).wait_for()  # the tone feedback
    check(page, lang, "33-cover-letter", problems)
    letter = download_from_export(page, "pdf", tmp_path)
    assert letter.startswith(b"%PDF")


def test_a_form_error_is_shown_beside_its_field(open_page: Any, site: str) -> None:
    page = open_page("en")
    page.goto("/signup")
    page.fill("#f-email", f"err-{secrets.token_hex(4)}@example.com")
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Create an account").click()
    page.wait_for_url("**/profile?welcome=1")
    page.goto("/profile/experience")
    page.fill("#f-position", "Dev")
    page.fill("#f-company", "ACME")
    page.fill("#f-start_date", "2020-05")
    page.fill("#f-end_date", "2019")
    page.get_by_role("button", name="Add", exact=True).click()
    error = page.locator("#e-end_date")
    error.wait_for()
    assert error.inner_text() == "must not be before the start date"
    field = page.locator("#f-end_date")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.get_attribute("aria-describedby") == "e-end_date"
    # Beside it: the message sits right under the field, in the same column.
    box, message = field.bounding_box(), error.bounding_box()
    assert 0 <= message["y"] - (box["y"] + box["height"]) < 40
    assert abs(message["x"] - box["x"]) < 5
    assert page.locator("#f-company").input_value() == "ACME"


def test_sign_in_with_the_keyboard_alone(open_page: Any, site: str) -> None:
    email = f"keys-{secrets.token_hex(4)}@example.com"
    created = httpx.post(
        f"{site}/api/v1/auth/register", json={"email": email, "password": PASSWORD}, timeout=20
    )
    assert created.status_code == 201, created.text
    page = open_page("en")
    page.goto("/")
    # Tab from the top of the page to the sign-in link, then through the form.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('href')") == "/signin":
            break
    else:
        pytest.fail("the sign-in link cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/signin")
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "f-email":
            break
    else:
        pytest.fail("the e-mail field cannot be reached with Tab")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "f-password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/profile")
    assert page.locator("h1").inner_text() == "Profile"


def test_a_phone_screen_has_no_sideways_scroll(open_page: Any) -> None:
    page = open_page("ru", viewport={"width": 360, "height": 740}, is_mobile=True)
    page.goto("/signup")
    page.fill("#f-email", f"phone-{secrets.token_hex(4)}@example.com")
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Создать аккаунт").click()
    page.wait_for_url("**/profile?welcome=1")
    page.goto("/resumes")
    page.get_by_role("button", name="Составить резюме").click()
    page.wait_for_url(RESUME_URL)
    resume = page.url
    paths = ("/profile", "/profile/experience", "/vacancies", "/documents", "/account")
    for path in (*paths, "/resumes", resume, "/cover-letters"):
        page.goto(path)
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= 360, f"{path} is {wide}px wide on a 360px screen"
