"""Browser tests: ``qh dev``'s platform (auth, user-data, job-data, text-analysis,
doc-storage, resume-generation, cover-letters, notification and the web client) served by uvicorn in a thread, driven by Playwright with
Debian's ``chromium`` (``/usr/bin/chromium``; Playwright never downloads a browser here).
Without it the tests fail under ``CI=true`` and are skipped, with the reason, elsewhere."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from qh.kit.host import Platform, discover_services

CHROMIUM = Path("/usr/bin/chromium")
SERVICES = (
    "auth",
    "user-data",
    "job-data",
    "text-analysis",
    "doc-storage",
    "resume-generation",
    "cover-letters",
    "notification",
    "web",
)
ASSETS = Path(__file__).parent / "assets"
TIMEOUT_MS = 20_000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The platform on a free port of localhost; yields its base URL."""
    port = _free_port()
    base = f"http://localhost:{port}"
    found = discover_services()
    platform = Platform(
        [found[slug] for slug in SERVICES],
        environ={},
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


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is not installed: apt-get install -y chromium")
        pytest.skip("chromium is not installed (/usr/bin/chromium): apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-dev-shm-usage"],
            timeout=TIMEOUT_MS,
        )
        yield browser
        browser.close()


@pytest.fixture
def open_page(chromium: Any, site: str) -> Iterator[Any]:
    """``open_page(lang, **context_options)``: a page in a fresh browser context."""
    contexts: list[Any] = []

    def opener(lang: str = "en", **options: Any) -> Any:
        page = _new_page(chromium, site, lang, **options)
        contexts.append(page.context)
        return page

    yield opener
    for context in contexts:
        context.close()


def _new_page(chromium: Any, base: str, lang: str, **options: Any) -> Any:
    context = chromium.new_context(
        base_url=base,
        locale="ru-RU" if lang == "ru" else "en-US",
        extra_http_headers={"Accept-Language": "ru" if lang == "ru" else "en"},
        **options,
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)

    # axe-core is served by the test from the site's own origin, so the page's CSP
    # (script-src 'self') lets it run; the package never ships it.
    def serve_axe(route: Any) -> None:
        route.fulfill(body=(ASSETS / "axe.min.js").read_bytes(), content_type="text/javascript")

    context.route("**/__test__/axe.min.js", serve_axe)
    return context.new_page()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: ``QH_WEB_SCREENSHOTS`` (``docs/web`` to refresh the docs),
    else a temporary folder."""
    target = os.environ.get("QH_WEB_SCREENSHOTS")
    folder = Path(target) if target else tmp_path / "shots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
