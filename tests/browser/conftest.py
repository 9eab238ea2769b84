"""Browser tests: ``qh dev``'s platform (auth, user-data, job-data, text-analysis,
doc-storage, resume-generation, cover-letters, notification and the web client) served by uvicorn in a thread, driven by Playwright with
Debian's ``chromium`` (``/usr/bin/chromium``; Playwright never downloads a browser here).
Without it the tests fail under ``CI=true`` and are skipped, with the reason, elsewhere."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
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
AXE = "/__test__/axe.min.js"
TIMEOUT_MS = 20_000
QUIET_SECONDS = 0.1


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
    """Chromium for the module's tests, each page in a fresh browser context. Not for the
    session: Playwright's sync API keeps an event loop running while it is open, and the
    async tests that run after these in the same process need theirs."""
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
    traffic = _Traffic()
    context.on("request", traffic.started)
    context.on("requestfinished", traffic.ended)
    context.on("requestfailed", traffic.ended)
    _TRAFFIC[id(context)] = traffic
    context.on("close", lambda _: _TRAFFIC.pop(id(context), None))
    return context.new_page()


class _Traffic:
    """The requests of one browser context still in flight, and when the last one
    started or ended."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.last = time.monotonic()

    def started(self, _request: Any) -> None:
        self.in_flight += 1
        self.last = time.monotonic()

    def ended(self, _request: Any) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self.last = time.monotonic()


_TRAFFIC: dict[int, _Traffic] = {}


def settle(page: Any) -> None:
    """Wait until the page has loaded and none of its context's requests (htmx's, the
    bell's) has been in flight for QUIET_SECONDS: Playwright's ``networkidle``, which
    waits out a fixed 500 ms of quiet on every page, with a quiet period that fits a
    server on the loopback."""
    page.wait_for_load_state("load")
    traffic = _TRAFFIC[id(page.context)]
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while traffic.in_flight or time.monotonic() - traffic.last < QUIET_SECONDS:
        assert time.monotonic() < deadline, f"{page.url} kept loading for {TIMEOUT_MS} ms"
        page.wait_for_timeout(20)  # lets Playwright deliver the request events


@pytest.fixture
def check(shots: Path | None) -> Callable[[Any, str, str, list[str]], None]:
    """``check(page, lang, name, problems)``: once the page has settled, axe-core's
    serious and critical findings are added to ``problems`` (and, with
    ``QH_WEB_SCREENSHOTS``, a screenshot of the whole page is saved as
    ``<name>.<lang>.png``)."""

    def _check(page: Any, lang: str, name: str, problems: list[str]) -> None:
        settle(page)
        if shots is not None:
            page.screenshot(path=str(shots / f"{name}.{lang}.png"), full_page=True)
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(url=AXE)
        found = page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ['violations']});
                return result.violations
                  .filter(v => v.impact === 'serious' || v.impact === 'critical')
                  .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
            }"""
        )
        problems.extend(f"{name} ({lang}) {item}" for item in found)

    return _check


@pytest.fixture
def shots() -> Path | None:
    """Where screenshots go: ``QH_WEB_SCREENSHOTS`` (``docs/web`` to refresh the docs);
    without it none are taken (nothing reads them, and they cost seconds a test)."""
    target = os.environ.get("QH_WEB_SCREENSHOTS")
    if not target:
        return None
    folder = Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
