"""Unsafe URLs given to POST /import are refused with 400 (a page that cannot be read,
422) and nothing is fetched from the forbidden address. This app allows no private
network at all, as in every deployment."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest


async def resolve_privately(host: str, port: int) -> list[str]:
    """A resolver without DNS: every name resolves to a private address."""
    return {"intranet.example": ["10.1.2.3"], "rebind.example": ["93.184.216.34", "127.0.0.1"]}.get(
        host, ["192.168.1.10"]
    )


@pytest.fixture
async def guarded(database_url, runtime, hh, tokens, jd) -> AsyncIterator[Any]:
    app = jd.make_app(database_url, runtime, hh, resolver=resolve_privately)
    async with jd.running(app, runtime) as client:
        yield jd.User(client, tokens)


def unsafe_urls(port: int) -> list[str]:
    return [
        f"http://127.0.0.1:{port}/jobs/workable",
        f"http://localhost:{port}/jobs/workable",
        f"http://[::1]:{port}/jobs/workable",
        f"http://0x7f.1:{port}/jobs/workable",
        f"http://2130706433:{port}/jobs/workable",
        f"http://[::ffff:127.0.0.1]:{port}/jobs/workable",
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://10.0.0.1/",
        "http://intranet.example/jobs/1",
        "http://rebind.example/jobs/1",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
        "ftp://jobs.example/1",
        "http://user:secret@jobs.example/1",
        "not a url",
    ]


async def test_unsafe_urls_are_refused_and_nothing_is_fetched(guarded, pages) -> None:
    before = len(pages.hits)
    for url in unsafe_urls(pages.port):
        response = await guarded.post("/import", json={"url": url})
        assert response.status_code == 400, (url, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert len(pages.hits) == before
    assert (await guarded.get("/")).json()["total"] == 0


async def test_a_redirect_to_a_private_address_is_refused(alice, pages) -> None:
    """The shared app may reach the loopback page server, never where it redirects."""
    for path in ("/to-metadata", "/to-private"):
        response = await alice.post("/import", json={"url": pages.url(path)})
        assert response.status_code == 400, response.text
    assert (await alice.get("/")).json()["total"] == 0


async def test_loopback_is_allowed_only_by_the_test_setting(jd) -> None:
    from qh.job_data.app import service

    with pytest.raises(Exception, match="tests only"):
        service.load_settings(environ={}, fetch_allow_private_networks=("127.0.0.1/32",))
    assert service.load_settings(environ={}).fetch_allow_private_networks == ()
