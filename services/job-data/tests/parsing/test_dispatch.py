"""Choosing the parser for given content, and importing a URL (hh.ru through its API, other
pages through the SSRF-guarded fetcher)."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import respx

from qh.job_data.parsing.dispatch import UnparseableVacancy, decode, import_url, parse_content
from qh.job_data.parsing.hh import HHClient, HHSettings
from qh.kit.fetch import Fetched, FetchRefused, FetchSettings, fetch

FIXTURES = Path(__file__).parent.parent / "fixtures"
NOW = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)


def fixture(path: str) -> bytes:
    return (FIXTURES / path).read_bytes()


# -- parse_content ------------------------------------------------------------------------


def test_hh_api_json() -> None:
    vacancy = parse_content(fixture("hh/accountant_1c.json"), "application/json; charset=utf-8")
    assert vacancy.source.kind == "hh"
    assert vacancy.title == "Бухгалтер на участок первичной документации"


def test_job_posting_json() -> None:
    posting = {"@context": "https://schema.org", "@type": "JobPosting", "title": "Baker"}
    vacancy = parse_content(json.dumps(posting), "application/ld+json")
    assert (vacancy.source.kind, vacancy.title) == ("jsonld", "Baker")


@pytest.mark.parametrize(
    "content",
    [
        fixture("hh/search_python.json"),
        b'{"hello": "world"}',
        b"[1, 2, 3]",
        b"{not json",
    ],
)
def test_other_json_is_unparseable(content: bytes) -> None:
    with pytest.raises(UnparseableVacancy) as unparseable:
        parse_content(content, "application/json")
    assert unparseable.value.status == 422


@pytest.mark.parametrize(
    ("path", "url", "kind", "title"),
    [
        (
            "linkedin/job_view_jsonld.html",
            "https://www.linkedin.com/jobs/view/4012345678",
            "linkedin",
            "Senior Android Engineer",
        ),
        ("linkedin/guest_job_posting.html", None, "linkedin", "Machine Learning Engineer"),
        ("jsonld/lever_data_engineer.html", None, "jsonld", "Data Engineer"),
        ("jsonld/microdata_accountant.html", None, "jsonld", "Главный бухгалтер"),
        ("html/careers_page_ru.html", "https://technoplast.example/42", "html", "Инженер-технолог"),
    ],
)
def test_html_goes_to_the_right_parser(path: str, url: str | None, kind: str, title: str) -> None:
    vacancy = parse_content(fixture(path), "text/html", url=url, fetched_at=NOW)
    assert vacancy.source.kind == kind
    assert vacancy.title == title
    assert vacancy.source.fetched_at == NOW


def test_plain_text_goes_to_the_text_parser() -> None:
    text = "Повар горячего цеха\n\nТребования:\n• опыт работы поваром от 1 года\n"
    vacancy = parse_content(text.encode(), "text/plain; charset=utf-8", url="https://x.example/1")
    assert vacancy.source.kind == "text"
    assert vacancy.source.url == "https://x.example/1"
    assert "Повар" in vacancy.title


def test_nothing_usable_is_unparseable() -> None:
    with pytest.raises(UnparseableVacancy):
        parse_content(b"<html><head></head><body></body></html>", "text/html")
    with pytest.raises(UnparseableVacancy):
        parse_content(b"   ", "text/plain")


def test_unknown_content_type() -> None:
    with pytest.raises(UnparseableVacancy) as unparseable:
        parse_content(b"%PDF-1.7", "application/pdf")
    assert "application/pdf" in str(unparseable.value.detail)


@pytest.mark.parametrize(
    ("content", "charset", "text"),
    [
        ("Бухгалтер".encode("cp1251"), "windows-1251", "Бухгалтер"),
        ('<meta charset="windows-1251"><p>Бухгалтер</p>'.encode("cp1251"), None, "Бухгалтер"),
        ("Бухгалтер".encode("cp1251"), None, "Бухгалтер"),  # undeclared, not UTF-8
        ("Бухгалтер".encode(), None, "Бухгалтер"),
        ("Бухгалтер".encode(), "no-such-charset", "Бухгалтер"),
    ],
)
def test_decoding(content: bytes, charset: str | None, text: str) -> None:
    assert text in decode(content, charset)


# -- import_url ---------------------------------------------------------------------------


async def refuse_to_fetch(url: str, **kwargs: Any) -> Fetched:
    pytest.fail(f"nothing should be fetched, but {url} was")


def fetched(url: str, path: str, content_type: str = "text/html") -> Fetched:
    return Fetched(
        url=url,
        status=200,
        content_type=content_type,
        charset="utf-8",
        body=fixture(path),
        headers={},
    )


async def test_hh_urls_go_to_the_api_never_to_the_page() -> None:
    with respx.mock(base_url="https://api.hh.ru", assert_all_called=True) as hh:
        hh.get("/vacancies/112233445").respond(
            200, json=json.loads(fixture("hh/sales_manager.json"))
        )
        async with HHClient(HHSettings()) as client:
            vacancy = await import_url(
                "https://almaty.hh.kz/vacancy/112233445?from=share",
                fetcher=refuse_to_fetch,
                hh=client,
                now=lambda: NOW,
            )
    assert vacancy.source.kind == "hh"
    assert vacancy.source.fetched_at == NOW
    assert vacancy.title == "Менеджер по продажам B2B"


async def test_other_urls_are_fetched_and_parsed() -> None:
    calls: list[tuple[str, Any]] = []

    async def fetcher(url: str, **kwargs: Any) -> Fetched:
        calls.append((url, kwargs.get("accept")))
        return fetched(url, "jsonld/greenhouse_backend.html")

    async with HHClient(HHSettings()) as client:
        vacancy = await import_url(
            "https://boards.greenhouse.example/acme/jobs/4567890", fetcher=fetcher, hh=client
        )
    assert vacancy.title == "Senior Backend Engineer (Python)"
    assert vacancy.source.url == "https://boards.greenhouse.example/acme/jobs/4567890"
    assert calls[0][0] == "https://boards.greenhouse.example/acme/jobs/4567890"
    assert "text/html" in calls[0][1]


async def test_a_linkedin_sign_in_wall_falls_back_to_the_guest_page() -> None:
    wall = b"<html><head><title>Sign Up | LinkedIn</title></head><body><h1>Join LinkedIn</h1></body></html>"
    seen: list[str] = []

    async def fetcher(url: str, **kwargs: Any) -> Fetched:
        seen.append(url)
        if "jobs-guest" in url:
            return fetched(url, "linkedin/guest_job_posting.html")
        return Fetched(
            url=url, status=200, content_type="text/html", charset=None, body=wall, headers={}
        )

    async with HHClient(HHSettings()) as client:
        vacancy = await import_url(
            "https://www.linkedin.com/jobs/view/4098765432/", fetcher=fetcher, hh=client
        )
    assert seen == [
        "https://www.linkedin.com/jobs/view/4098765432/",
        "https://www.linkedin.com/jobs-guest/jobs/api/jobPosting/4098765432",
    ]
    assert vacancy.title == "Machine Learning Engineer"
    assert vacancy.source.url == "https://www.linkedin.com/jobs/view/4098765432/"


@pytest.fixture(scope="module")
def job_page_server() -> Iterator[str]:
    body = fixture("jsonld/workable_marketing.html")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jobs/A1B2C3D4E5"
    server.shutdown()
    server.server_close()


async def test_import_through_the_guarded_fetcher(job_page_server: str) -> None:
    settings = FetchSettings(allow_private_networks=("127.0.0.1/32",))
    async with HHClient(HHSettings()) as client:
        vacancy = await import_url(
            job_page_server, fetcher=functools.partial(fetch, settings=settings), hh=client
        )
    assert vacancy.title == "Менеджер по performance-маркетингу"
    assert vacancy.source.url == job_page_server


async def test_unsafe_urls_are_refused(job_page_server: str) -> None:
    async with HHClient(HHSettings()) as client:
        with pytest.raises(FetchRefused) as refused:
            await import_url(job_page_server, fetcher=fetch, hh=client)
    assert refused.value.status == 400
