"""The live bell in a real Chromium, in English and in Russian: a document shared in another
tab makes a notification, and the bell of the first tab counts it at once, without a
reload, over the notification service's WebSocket. Then the inbox, the preferences, a
document's new version and its link's access log, and the social sign-in buttons: each
checked with axe-core (no serious or critical violation) and, with QH_WEB_SCREENSHOTS,
screenshotted."""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from qh.kit.host import Platform, discover_services

PASSWORD = "Violet-Harbour-Lantern-42"
# The platform of conftest plus the notification service; Google and Yandex configured in
# auth so the sign-in page shows their buttons (nobody presses them: no network).
SERVICES = ("auth", "user-data", "doc-storage", "notification", "web")
WORDS = {
    "en": {
        "signup": "Create an account",
        "upload": "Upload",
        "share": "Create a link",
        "version": "Upload the new version",
        "log": "Access log",
        "all_read": "Mark all as read",
        "save": "Save",
        "new": "New notification",
        "google": "Continue with Google",
        "yandex": "Continue with Yandex",
        "shared": "A share link to your document was created",
    },
    "ru": {
        "signup": "Создать аккаунт",
        "upload": "Загрузить",
        "share": "Создать ссылку",
        "version": "Загрузить новую версию",
        "log": "Журнал открытий",
        "all_read": "Отметить все как прочитанные",
        "save": "Сохранить",
        "new": "Новое уведомление",
        "google": "Продолжить через Google",
        "yandex": "Продолжить через Яндекс",
        "shared": "Создана ссылка на документ",
    },
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This file's platform on a free port of localhost; yields its base URL."""
    port = _free_port()
    base = f"http://localhost:{port}"
    environ = {"QH_AUTH_OAUTH_REDIRECT_BASE_URL": base}
    for name in ("GOOGLE", "YANDEX"):
        environ[f"QH_AUTH_OAUTH_{name}_CLIENT_ID"] = f"{name.lower()}-client"
        environ[f"QH_AUTH_OAUTH_{name}_CLIENT_SECRET"] = f"{name.lower()}-secret"
    found = discover_services()
    platform = Platform(
        [found[slug] for slug in SERVICES],
        environ=environ,
        data_dir=str(tmp_path_factory.mktemp("qh")),
        public_base_url=base,
        event_backoff_seconds=0.01,
        outbox_poll_seconds=0.1,
        log_format="console",
        log_level="WARNING",
    )
    server = uvicorn.Server(
        uvicorn.Config(platform, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive(), "the platform did not start"
        assert time.monotonic() < deadline, "the platform took over 60 s to start"
        time.sleep(0.05)
    yield base
    server.should_exit = True
    thread.join(timeout=30)


def wait_unread(page: Any, count: int) -> None:
    page.wait_for_function(
        "n => document.getElementById('bell').getAttribute('data-unread') === String(n)",
        arg=count,
    )


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_bell_counts_live_and_the_pages_around_it(
    open_page: Any, check: Callable[[Any, str, str, list[str]], None], lang: str, tmp_path: Path
) -> None:
    words = WORDS[lang]
    page = open_page(lang)
    problems: list[str] = []

    page.goto("/signup")
    page.fill("#f-email", f"bell-{lang}-{secrets.token_hex(4)}@example.com")
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name=words["signup"]).click()
    page.wait_for_url("**/profile?welcome=1")
    # The welcome and the sign-in from a new device, counted once the socket is open.
    page.wait_for_selector("#bell[data-live-state=open]")
    wait_unread(page, 2)
    assert page.locator("#bell-count").inner_text() == "2"
    page.evaluate("() => { window.qhNotReloaded = true; }")

    # Another tab of the same session shares a document: a notification for the owner.
    other = page.context.new_page()
    # Messages in the page's language from now on (the preference of the notifications).
    other.goto("/notifications/preferences")
    other.select_option("#f-locale", lang)
    other.get_by_role("button", name=words["save"], exact=True).click()
    other.wait_for_url("**/notifications/preferences?saved=1")
    other.goto("/documents")
    cv = tmp_path / "cv.txt"
    cv.write_text("Ada Lovelace\nPython developer\n", encoding="utf-8")
    other.fill("#f-title", "CV")
    other.set_input_files("#f-file", str(cv))
    other.get_by_role("button", name=words["upload"], exact=True).click()
    other.wait_for_url("**/documents/*")
    other.get_by_role("button", name=words["share"]).click()
    share_url = other.locator("p.notice a").get_attribute("href")

    wait_unread(page, 3)  # live: the first tab was not touched
    assert page.evaluate("() => window.qhNotReloaded === true")
    assert page.locator("#bell-count").inner_text() == "3"
    announced = page.locator("#bell-status").inner_text()
    assert words["new"] in announced
    assert words["shared"] in announced
    check(page, lang, "20-bell", problems)

    # The document: a new version, the link opened, its access log.
    cv2 = tmp_path / "cv-2.md"
    cv2.write_text("# Ada Lovelace\n\nPython developer, version two\n", encoding="utf-8")
    other.set_input_files("#f-version-file", str(cv2))
    other.get_by_role("button", name=words["version"]).click()
    other.wait_for_url("**/documents/*?version=2")
    opened = other.request.get(share_url, headers={"User-Agent": "Recruiter Browser/1.0"})
    assert opened.ok
    other.reload()
    check(other, lang, "21-document-versions", problems)
    other.get_by_role("link", name=words["log"]).first.click()
    other.wait_for_url("**/links/*")
    assert "Recruiter Browser/1.0" in other.content()
    check(other, lang, "22-share-log", problems)
    other.close()

    # The bell by keyboard: it is reached with Tab and opens the inbox.
    page.locator("a.skip").focus()
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == "bell":
            break
    else:
        raise AssertionError("the bell cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/notifications")
    check(page, lang, "23-notifications", problems)
    page.get_by_role("button", name=words["all_read"]).click()
    page.wait_for_url("**/notifications?marked=1")
    page.wait_for_selector("#bell[data-live-state=open]")
    wait_unread(page, 0)
    assert page.locator("#bell-count").is_hidden()

    page.goto("/notifications/preferences")
    check(page, lang, "24-notification-preferences", problems)
    page.check("input[value='document_shared.sms']")
    page.fill("#f-phone", "+79161234567")
    page.get_by_role("button", name=words["save"], exact=True).click()
    page.wait_for_url("**/notifications/preferences?saved=1")
    assert page.locator("input[value='document_shared.sms']").is_checked()

    # Signed out: the sign-in page offers the providers auth has configured.
    page.context.clear_cookies()
    page.goto("/signin")
    assert page.locator("#bell").count() == 0
    assert page.get_by_role("link", name=words["google"]).is_visible()
    assert page.get_by_role("link", name=words["yandex"]).is_visible()
    assert page.get_by_role("link", name="GitHub").count() == 0
    check(page, lang, "25-signin-social", problems)

    # The button reaches the provider (the CSP lets a link go there; a form could not be
    # redirected): Google's page is stood in for here, nothing leaves the machine.
    reached: list[str] = []

    def provider(route: Any) -> None:
        reached.append(route.request.url)
        route.fulfill(body="<!doctype html><title>provider</title>", content_type="text/html")

    page.context.route("https://accounts.google.com/**", provider)
    page.get_by_role("link", name=words["google"]).click()
    page.wait_for_url("https://accounts.google.com/**")
    assert reached, "the browser did not reach the provider"
    assert "redirect_uri=http%3A%2F%2Flocalhost" in reached[0]
    assert "%2Foauth%2Fgoogle%2Fcallback" in reached[0]
    assert problems == []


def test_the_notification_pages_fit_a_phone(open_page: Any) -> None:
    page = open_page("ru", viewport={"width": 360, "height": 740}, is_mobile=True)
    page.goto("/signup")
    page.fill("#f-email", f"phone-{secrets.token_hex(4)}@example.com")
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Создать аккаунт").click()
    page.wait_for_url("**/profile?welcome=1")
    assert page.locator("#bell").is_visible()
    for path in ("/notifications", "/notifications/preferences", "/signin"):
        page.goto(path)
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= 360, f"{path} is {wide}px wide on a 360px screen"
