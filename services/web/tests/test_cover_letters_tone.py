"""A cover letter while text-analysis is down: the letter is written all the same, and the
page says in plain words that the tone check is not available."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from qh.kit.host import Platform
from services.web.tests.test_cover_letters import draft, prepare, start, textarea

WITHOUT_ANALYSIS = (
    "auth",
    "user-data",
    "job-data",
    "doc-storage",
    "resume-generation",
    "cover-letters",
    "web",
)


@pytest.fixture
async def platform(tmp_path: Any) -> AsyncIterator[Platform]:
    host = await start(WITHOUT_ANALYSIS, str(tmp_path))
    async with host:
        yield host
        await host.runtime.drain()


async def test_without_the_tone_check_the_letter_is_there_with_a_friendly_word(
    browser: Any,
) -> None:
    path = await draft(browser, await prepare(browser))
    page = await browser.get(path)
    assert page.status_code == 200
    assert textarea(page.text).startswith("Hello,")
    assert "The tone check is not available right now." in page.text
    assert "<dt>Mood</dt>" not in page.text
    assert not re.search(r'class="alert"', page.text)  # not an error: the letter is fine
