"""LinkedIn job pages: the public job view (``/jobs/view/<id>``, often with JSON-LD) and the
guest fragment (``/jobs-guest/jobs/api/jobPosting/<id>``, HTML only)."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import msgspec
from selectolax.lexbor import LexborHTMLParser, LexborNode

from qh.job_data.parsing.html import as_employment, complete_from_text
from qh.job_data.parsing.jsonld import (
    COUNTRIES,
    EMPLOYMENT_TYPES,
    find_job_postings,
    map_job_posting,
)
from qh.job_data.parsing.model import (
    Employment,
    Experience,
    Location,
    ParsedVacancy,
    Period,
    Salary,
    Source,
    WorkFormat,
)
from qh.job_data.parsing.sanitize import html_to_text, sanitize_html

_VIEW = re.compile(r"^/jobs/view/(?:[^/]*-)?(\d{6,})(?:/|$)")
_GUEST = re.compile(r"^/jobs-guest/jobs/api/jobPosting/(\d{6,})(?:/|$)")
_TITLE = (".top-card-layout__title", ".topcard__title", "h1", "h2.top-card-layout__title")
_COMPANY = (".topcard__org-name-link", ".topcard__flavor a", ".top-card-layout__second-subline a")
_LOCATION = (".topcard__flavor--bullet", ".topcard__flavor.topcard__flavor--bullet")
_DESCRIPTION = (
    ".show-more-less-html__markup",
    ".description__text",
    ".decorated-job-posting__details",
)
_MONEY = re.compile(
    r"(?P<symbol>[$€£₽₹]|\b[A-Z]{3}\b)\s?(?P<amount>\d[\d,]*(?:\.\d+)?)(?P<k>[Kk])?"
    r"\s*(?:/\s*(?P<unit>(?i:yr|year|hr|hour|mo|month)))?",
)
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "₽": "RUB", "₹": "INR"}
_UNITS: dict[str, Period] = {
    "yr": "year",
    "year": "year",
    "hr": "hour",
    "hour": "hour",
    "mo": "month",
    "month": "month",
}
_WORKPLACE: dict[str, WorkFormat] = {"remote": "remote", "hybrid": "hybrid", "on-site": "onsite"}
_US_STATE = re.compile(r"^[A-Z]{2}$")


def linkedin_job_id(url: str | None) -> str | None:
    """The job id of a LinkedIn job view, guest or search-with-``currentJobId`` URL."""
    if not url:
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
        return None
    match = _VIEW.match(parts.path) or _GUEST.match(parts.path)
    if match:
        return match.group(1)
    current = parse_qs(parts.query).get("currentJobId")
    return current[0] if current and current[0].isdigit() else None


def guest_url(job_id: str) -> str:
    return f"https://www.linkedin.com/jobs-guest/jobs/api/jobPosting/{job_id}"


def is_linkedin_page(html: str, url: str | None = None) -> bool:
    if url:
        host = (urlsplit(url).hostname or "").lower()
        if host == "linkedin.com" or host.endswith(".linkedin.com"):
            return True
    head = html[:200_000]
    return (
        "top-card-layout__title" in head
        or "topcard__org-name-link" in head
        or ('content="LinkedIn"' in head and "/jobs/view/" in head)
    )


def _first_text(tree: LexborHTMLParser, selectors: tuple[str, ...]) -> str | None:
    for selector in selectors:
        node = tree.css_first(selector)
        if node is not None:
            text = " ".join((node.text(deep=True, separator=" ") or "").split())
            if text:
                return text
    return None


def _first_node(tree: LexborHTMLParser, selectors: tuple[str, ...]) -> LexborNode | None:
    for selector in selectors:
        node = tree.css_first(selector)
        if node is not None:
            return node
    return None


def _criteria(tree: LexborHTMLParser) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in tree.css(".description__job-criteria-item"):
        label = item.css_first(".description__job-criteria-subheader")
        value = item.css_first(".description__job-criteria-text")
        if label is not None and value is not None:
            found[" ".join(label.text().split()).casefold()] = " ".join(value.text().split())
    return found


def _employment(value: str | None) -> Employment | None:
    if not value:
        return None
    return as_employment(EMPLOYMENT_TYPES.get(re.sub(r"[^A-Z]", "", value.upper())))


def _location(text: str | None) -> Location | None:
    if not text:
        return None
    text = re.sub(r"\((?:remote|hybrid|on-site)\)", "", text, flags=re.IGNORECASE).strip(" ,")
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return None
    country = COUNTRIES.get(parts[-1].casefold())
    if country is None and len(parts) == 2 and _US_STATE.match(parts[-1]):
        country = "US"
    city = parts[0] if (len(parts) > 1 or country is None) else None
    if city and "area" in city.casefold() and len(parts) == 1:
        city = None
    return Location(city=city, country_code=country)


def _salary(tree: LexborHTMLParser) -> Salary | None:
    node = tree.css_first(".salary.compensation__salary") or tree.css_first(".compensation__salary")
    if node is None:
        return None
    amounts = []
    currency = None
    period = None
    for match in _MONEY.finditer(node.text()):
        try:
            value = float(match.group("amount").replace(",", ""))
        except ValueError:
            continue
        if match.group("k"):
            value *= 1000
        amounts.append(value)
        symbol = match.group("symbol")
        currency = currency or _SYMBOLS.get(symbol, symbol.upper())
        if match.group("unit"):
            period = _UNITS.get(match.group("unit").lower())
    if not amounts:
        return None
    return Salary(min=min(amounts), max=max(amounts), currency=currency, period=period)


def _work_format(tree: LexborHTMLParser, location: str | None) -> list[WorkFormat]:
    texts = [location or ""]
    for node in tree.css(".topcard__flavor--metadata, .top-card-layout__workplace-type"):
        texts.append(node.text())
    joined = " ".join(texts).casefold()
    return [fmt for key, fmt in _WORKPLACE.items() if key in joined][:1]


def parse_linkedin(
    html: str, *, url: str | None = None, fetched_at: datetime | None = None
) -> ParsedVacancy:
    """A LinkedIn job page: its JSON-LD when present, completed from the page; else the page."""
    tree = LexborHTMLParser(html)
    job_id = linkedin_job_id(url)
    criteria = _criteria(tree)
    location_text = _first_text(tree, _LOCATION)
    postings = [p for p in find_job_postings(html) if p.get("title")]
    if postings:
        vacancy = map_job_posting(postings[0], url=url, fetched_at=fetched_at, analyse=False)
        vacancy = msgspec.structs.replace(
            vacancy,
            source=Source(
                kind="linkedin",
                url=url or vacancy.source.url,
                external_id=job_id or vacancy.source.external_id,
                fetched_at=fetched_at,
            ),
        )
    else:
        node = _first_node(tree, _DESCRIPTION)
        body = node.inner_html if node is not None else ""
        vacancy = ParsedVacancy(
            title=_first_text(tree, _TITLE) or "",
            company=_first_text(tree, _COMPANY),
            location=_location(location_text),
            salary=_salary(tree),
            description_html=sanitize_html(body) if body else None,
            description_text=html_to_text(body) if body else "",
            source=Source(kind="linkedin", url=url, external_id=job_id, fetched_at=fetched_at),
        )
    updates: dict[str, object] = {}
    if vacancy.employment is None:
        employment = _employment(criteria.get("employment type"))
        if employment is not None:
            updates["employment"] = employment
    seniority = (criteria.get("seniority level") or "").casefold()
    if seniority == "internship" and vacancy.employment is None:
        updates["employment"] = "internship"
    if vacancy.experience is None and seniority in ("internship", "entry level"):
        updates["experience"] = Experience(min_years=0)
    if not vacancy.work_format:
        work_format = _work_format(tree, location_text)
        if work_format:
            updates["work_format"] = work_format
    if vacancy.location is None and location_text:
        updates["location"] = _location(location_text)
    if updates:
        vacancy = msgspec.structs.replace(vacancy, **updates)
    return complete_from_text(vacancy)


__all__ = ["guest_url", "is_linkedin_page", "linkedin_job_id", "parse_linkedin"]
