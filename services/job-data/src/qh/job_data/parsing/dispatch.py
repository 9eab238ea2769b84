"""Which parser reads what: content the client already has (``parse_content``) and a URL
to import (``import_url``: hh.ru through its API, anything else fetched safely)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec

from qh.job_data.parsing.hh import HHClient, hh_vacancy_id, is_hh_vacancy, map_hh_vacancy
from qh.job_data.parsing.html import parse_html_page
from qh.job_data.parsing.jsonld import map_job_posting, parse_jsonld
from qh.job_data.parsing.linkedin import (
    guest_url,
    is_linkedin_page,
    linkedin_job_id,
    parse_linkedin,
)
from qh.job_data.parsing.model import ParsedVacancy, Source
from qh.job_data.parsing.text import parse_text
from qh.kit.fetch import Fetched, FetchFailed
from qh.kit.problems import Problem

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
JSON_TYPES = frozenset({"application/json", "application/ld+json"})
TEXT_TYPES = frozenset({"text/plain"})
IMPORT_ACCEPT: tuple[str, ...] = (*sorted(HTML_TYPES), *sorted(JSON_TYPES), *sorted(TEXT_TYPES))

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)

Fetcher = Callable[..., Awaitable[Fetched]]


class UnparseableVacancy(Problem):
    """Nothing usable in the content: no title and no description (422)."""

    status, kind, title = 422, "unparseable-vacancy", "No vacancy found"


def _media_type(content_type: str) -> tuple[str, str | None]:
    media, _, params = (content_type or "").partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip().strip('"')
    return media.strip().lower(), charset


def decode(content: str | bytes, charset: str | None = None) -> str:
    """Text of ``content``: the declared charset, else a ``<meta charset>``, else UTF-8, and
    Windows-1251 when UTF-8 does not fit (older Russian pages)."""
    if isinstance(content, str):
        return content
    candidates = [charset] if charset else []
    meta = _META_CHARSET.search(content[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "ignore"))
    candidates += ["utf-8", "cp1251"]
    for candidate in candidates:
        try:
            return content.decode(candidate)  # type: ignore[arg-type]
        except (LookupError, UnicodeDecodeError):
            continue
    return content.decode("utf-8", errors="replace")  # pragma: no cover - cp1251 decodes all


def _usable(vacancy: ParsedVacancy) -> ParsedVacancy:
    if not vacancy.title.strip() and not vacancy.description_text.strip():
        raise UnparseableVacancy(
            "No vacancy could be read from this content: it has no title and no description."
        )
    if vacancy.salary is not None and vacancy.salary.currency is None:
        # An amount in no known currency ("Зарплата 100 000") is not a salary a vacancy
        # keeps (POST / requires the currency): the parse answer must save as it is.
        vacancy = msgspec.structs.replace(vacancy, salary=None)
    return vacancy


def _parse_json(text: str, url: str | None, fetched_at: datetime | None) -> ParsedVacancy:
    try:
        data: Any = json.loads(text)
    except ValueError as exc:
        raise UnparseableVacancy(f"The JSON could not be read: {exc}.") from exc
    if is_hh_vacancy(data):
        return map_hh_vacancy(data, url=url, fetched_at=fetched_at)
    postings = [data] if isinstance(data, Mapping) else data if isinstance(data, list) else []
    for posting in postings:
        if isinstance(posting, Mapping) and "jobposting" in str(posting.get("@type", "")).lower():
            return map_job_posting(posting, url=url, fetched_at=fetched_at)
    raise UnparseableVacancy(
        "The JSON is neither an hh.ru API vacancy nor a schema.org JobPosting."
    )


def _parse_html(text: str, url: str | None, fetched_at: datetime | None) -> ParsedVacancy:
    if is_linkedin_page(text, url):
        return parse_linkedin(text, url=url, fetched_at=fetched_at)
    posting = parse_jsonld(text, url=url, fetched_at=fetched_at)
    if posting is not None:
        return posting
    return parse_html_page(text, url=url, fetched_at=fetched_at)


def parse_content(
    content: str | bytes,
    content_type: str,
    *,
    url: str | None = None,
    fetched_at: datetime | None = None,
) -> ParsedVacancy:
    """A vacancy from an hh.ru API JSON, a JobPosting JSON-LD, a page or pasted text.

    Raises :class:`UnparseableVacancy` when nothing usable is found or the type is not one of
    ``text/html``, ``application/xhtml+xml``, ``application/json``, ``application/ld+json``
    or ``text/plain``.
    """
    media, charset = _media_type(content_type)
    text = decode(content, charset)
    if media in JSON_TYPES:
        vacancy = _parse_json(text, url, fetched_at)
    elif media in HTML_TYPES:
        vacancy = _parse_html(text, url, fetched_at)
    elif media in TEXT_TYPES:
        vacancy = parse_text(text, source=Source(kind="text", url=url, fetched_at=fetched_at))
    else:
        raise UnparseableVacancy(
            f"Content of type {media or 'unknown'} cannot be read as a vacancy; "
            "send text/html, application/json or text/plain."
        )
    return _usable(vacancy)


async def import_url(
    url: str,
    *,
    fetcher: Fetcher,
    hh: HHClient,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ParsedVacancy:
    """Import the vacancy at ``url``: hh.ru vacancies through the official API (their pages
    are never scraped); anything else fetched with ``fetcher`` (``qh.kit.fetch.fetch`` with
    the service's settings, called as ``fetcher(url, accept=...)``) and parsed.

    Raises ``FetchRefused`` / ``FetchFailed`` (from the fetcher), the hh client's errors,
    or :class:`UnparseableVacancy`.
    """
    vacancy_id = hh_vacancy_id(url)
    if vacancy_id is not None:
        return _usable(await hh.vacancy(vacancy_id, fetched_at=now()))
    fetched = await fetcher(url, accept=IMPORT_ACCEPT)
    job_id = linkedin_job_id(url)
    try:
        vacancy = parse_content(
            fetched.body, _content_type(fetched), url=fetched.url, fetched_at=now()
        )
    except UnparseableVacancy:
        if job_id is None:
            raise
        vacancy = None
    if job_id is None or (vacancy is not None and vacancy.description_text):
        assert vacancy is not None
        return vacancy
    # LinkedIn shows guests a sign-in wall on some job views; its guest fragment is public.
    try:
        fetched = await fetcher(guest_url(job_id), accept=IMPORT_ACCEPT)
    except FetchFailed as exc:
        if vacancy is not None:
            return vacancy
        raise UnparseableVacancy("LinkedIn did not show this job to a guest.") from exc
    return parse_content(fetched.body, _content_type(fetched), url=url, fetched_at=now())


def _content_type(fetched: Fetched) -> str:
    return fetched.content_type + (f"; charset={fetched.charset}" if fetched.charset else "")


__all__ = [
    "IMPORT_ACCEPT",
    "Fetcher",
    "UnparseableVacancy",
    "decode",
    "import_url",
    "parse_content",
]
