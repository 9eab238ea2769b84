"""schema.org ``JobPosting`` from a page: JSON-LD blocks (with ``@graph``, arrays, several
blocks, and the broken JSON real pages carry) and microdata (``itemtype=".../JobPosting"``).

Both are read into plain dicts in JSON-LD's shape, then mapped by one function.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from qh.job_data.parsing.html import (
    as_employment,
    complete_from_text,
    merge_skills,
    required_skill,
)
from qh.job_data.parsing.model import (
    Employment,
    Experience,
    Location,
    ParsedVacancy,
    Period,
    Requirements,
    Salary,
    Source,
    WorkFormat,
)
from qh.job_data.parsing.sanitize import (
    looks_like_html,
    plain_text,
    sanitize_html,
    unescape_markup,
)

EMPLOYMENT_TYPES: dict[str, Employment] = {
    "FULLTIME": "full",
    "PARTTIME": "part",
    "CONTRACTOR": "project",
    "CONTRACT": "project",
    "TEMPORARY": "temporary",
    "PERDIEM": "temporary",
    "SEASONAL": "temporary",
    "INTERN": "internship",
    "INTERNSHIP": "internship",
    "VOLUNTEER": "volunteer",
}
UNITS: dict[str, Period] = {
    "HOUR": "hour",
    "HOURLY": "hour",
    "DAY": "day",
    "DAILY": "day",
    "WEEK": "week",
    "WEEKLY": "week",
    "MONTH": "month",
    "MONTHLY": "month",
    "YEAR": "year",
    "YEARLY": "year",
    "ANNUAL": "year",
    "ANNUALLY": "year",
}
# Countries as pages name them, to ISO 3166-1 alpha-2 (two-letter codes pass through).
COUNTRIES: dict[str, str] = {
    "usa": "US", "united states": "US", "united states of america": "US", "us": "US",
    "gbr": "GB", "uk": "GB", "united kingdom": "GB", "great britain": "GB", "england": "GB",
    "deu": "DE", "germany": "DE", "deutschland": "DE", "fra": "FR", "france": "FR",
    "nld": "NL", "netherlands": "NL", "esp": "ES", "spain": "ES", "pol": "PL", "poland": "PL",
    "can": "CA", "canada": "CA", "irl": "IE", "ireland": "IE", "ita": "IT", "italy": "IT",
    "prt": "PT", "portugal": "PT", "swe": "SE", "sweden": "SE", "che": "CH", "switzerland": "CH",
    "aut": "AT", "austria": "AT", "cyp": "CY", "cyprus": "CY", "srb": "RS", "serbia": "RS",
    "tur": "TR", "turkey": "TR", "türkiye": "TR", "are": "AE", "united arab emirates": "AE",
    "isr": "IL", "israel": "IL", "ind": "IN", "india": "IN", "aus": "AU", "australia": "AU",
    "rus": "RU", "russia": "RU", "россия": "RU", "российская федерация": "RU",
    "kaz": "KZ", "kazakhstan": "KZ", "казахстан": "KZ", "blr": "BY", "belarus": "BY",
    "беларусь": "BY", "uzb": "UZ", "uzbekistan": "UZ", "узбекистан": "UZ", "geo": "GE",
    "georgia": "GE", "грузия": "GE", "arm": "AM", "armenia": "AM", "армения": "AM",
    "aze": "AZ", "azerbaijan": "AZ", "kgz": "KG", "kyrgyzstan": "KG", "ukr": "UA",
    "ukraine": "UA", "украина": "UA", "lva": "LV", "latvia": "LV", "ltu": "LT",
    "lithuania": "LT", "est": "EE", "estonia": "EE", "fin": "FI", "finland": "FI",
}  # fmt: skip

_JOB_POSTING = "jobposting"
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")
_COMMENT = re.compile(r"^\s*<!--|-->\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_YEARS = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(?:\+|plus)?\s*(?:(?:-|–|—|to|до)\s*(\d+(?:[.,]\d+)?))?\s*\+?\s*"
    r"(?:years?|yrs?|лет|года?\b)",
    re.IGNORECASE,
)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_SKILL_SPLIT = re.compile(r"\s*(?:[,;•\n|]|\s-\s)\s*")


# -- finding postings ---------------------------------------------------------------------


def _loads_tolerant(text: str) -> Any:
    """JSON as pages write it: CDATA or comment wrappers, raw control characters in strings,
    trailing commas, stray HTML entities."""
    text = _COMMENT.sub("", _CDATA.sub("", text.strip())).strip().rstrip(";")
    if not text:
        return None
    attempts = (
        text,
        _TRAILING_COMMA.sub(r"\1", text),
        _CONTROL.sub(" ", _TRAILING_COMMA.sub(r"\1", text)),
        html_lib.unescape(_TRAILING_COMMA.sub(r"\1", text)),
    )
    for attempt in attempts:
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            continue
    return None


def _types(node: Mapping[str, Any]) -> set[str]:
    raw = node.get("@type", ())
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for v in values}


def _walk(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, list):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, Mapping):
        if _JOB_POSTING in _types(value):
            yield value
            return
        for key in ("@graph", "mainEntity", "itemListElement", "item", "mainEntityOfPage"):
            if key in value:
                yield from _walk(value[key])


def jsonld_postings(tree: LexborHTMLParser) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for script in tree.css("script"):
        kind = (script.attributes.get("type") or "").lower()
        if "ld+json" not in kind:
            continue
        data = _loads_tolerant(script.text(deep=True) or "")
        found.extend(_walk(data))
    return found


def _scope_of(node: LexborNode) -> LexborNode | None:
    parent = node.parent
    while parent is not None:
        if "itemscope" in parent.attributes:
            return parent
        parent = parent.parent
    return None


def _property_value(node: LexborNode, name: str) -> Any:
    attrs = node.attributes
    tag = node.tag
    if "content" in attrs and attrs["content"] is not None:
        return attrs["content"]
    if tag in ("a", "link", "area") and attrs.get("href"):
        return attrs["href"]
    if tag in ("img", "audio", "video", "source", "embed", "iframe") and attrs.get("src"):
        return attrs["src"]
    if tag == "time" and attrs.get("datetime"):
        return attrs["datetime"]
    if tag in ("data", "meter") and attrs.get("value"):
        return attrs["value"]
    if name == "description" or node.css_first("p, li, br, ul") is not None:
        return node.inner_html or ""
    return " ".join((node.text(deep=True) or "").split())


def _microdata_item(scope: LexborNode) -> dict[str, Any]:
    item: dict[str, Any] = {}
    itemtype = scope.attributes.get("itemtype") or ""
    if itemtype:
        item["@type"] = itemtype.split()[0].rstrip("/").rsplit("/", 1)[-1]
    for node in scope.css("[itemprop]"):
        owner = _scope_of(node)
        if owner is None or owner.mem_id != scope.mem_id:
            continue
        names = (node.attributes.get("itemprop") or "").split()
        for name in names:
            value = (
                _microdata_item(node)
                if "itemscope" in node.attributes
                else _property_value(node, name)
            )
            if name in item:
                existing = item[name]
                item[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
            else:
                item[name] = value
    return item


def microdata_postings(tree: LexborHTMLParser) -> list[Mapping[str, Any]]:
    postings: list[Mapping[str, Any]] = []
    for scope in tree.css("[itemscope][itemtype]"):
        itemtype = (scope.attributes.get("itemtype") or "").lower()
        if itemtype.rstrip("/").endswith(_JOB_POSTING) and "itemprop" not in scope.attributes:
            postings.append(_microdata_item(scope))
    return postings


def find_job_postings(html: str) -> list[Mapping[str, Any]]:
    """Every JobPosting on the page: JSON-LD ones first, then microdata."""
    tree = LexborHTMLParser(html)
    return [*jsonld_postings(tree), *microdata_postings(tree)]


# -- mapping ------------------------------------------------------------------------------


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, Mapping):
        value = value.get("name") or value.get("@value") or value.get("value")
    if value is None or isinstance(value, Mapping | list):
        return None
    text = " ".join(html_lib.unescape(str(value)).split())
    return text or None


def _number(value: Any) -> float | None:
    value = _first(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        cleaned = re.sub(r"[^\d.,]", "", value)
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", cleaned):
            cleaned = cleaned.replace(",", "")
        cleaned = cleaned.replace(",", ".")
        try:
            return float(cleaned)
        except ValueError:
            return None
    return None


def country_code(value: Any) -> str | None:
    name = _text(value)
    if not name:
        return None
    if len(name) == 2 and name.isalpha():
        return name.upper()
    return COUNTRIES.get(name.casefold())


def _location(posting: Mapping[str, Any]) -> Location | None:
    for place in _list(posting.get("jobLocation")):
        address = place.get("address") if isinstance(place, Mapping) else place
        if isinstance(address, str):
            return Location(address=" ".join(address.split()))
        if isinstance(address, list):
            address = _first(address)
        if not isinstance(address, Mapping):
            continue
        city = _text(address.get("addressLocality"))
        country = country_code(address.get("addressCountry"))
        street = _text(address.get("streetAddress"))
        parts = [
            p
            for p in (
                street,
                city,
                _text(address.get("addressRegion")),
                _text(address.get("postalCode")),
            )
            if p
        ]
        if city or country or parts:
            return Location(
                city=city, country_code=country, address=", ".join(parts) if street else None
            )
    for requirement in _list(posting.get("applicantLocationRequirements")):
        country = country_code(requirement)
        if country:
            return Location(country_code=country)
    return None


def _salary(posting: Mapping[str, Any]) -> Salary | None:
    raw = _first(posting.get("baseSalary")) or _first(posting.get("estimatedSalary"))
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        amount = _number(raw)
        return Salary(min=amount, max=amount) if amount is not None else None
    currency = _text(raw.get("currency") or raw.get("salaryCurrency"))
    value = _first(raw.get("value"))
    unit = raw.get("unitText")
    low = high = None
    if isinstance(value, Mapping):
        low = _number(value.get("minValue"))
        high = _number(value.get("maxValue"))
        exact = _number(value.get("value"))
        if low is None and high is None and exact is not None:
            low = high = exact
        unit = value.get("unitText") or unit
    else:
        low = _number(raw.get("minValue"))
        high = _number(raw.get("maxValue"))
        if low is None and high is None:
            low = high = _number(value)
    if low is None and high is None:
        return None
    unit_key = re.sub(r"[^A-Z]", "", str(_text(unit) or "").upper())
    return Salary(
        min=low,
        max=high,
        currency=currency.upper() if currency and len(currency) == 3 else None,
        period=UNITS.get(unit_key),
    )


def _employment(posting: Mapping[str, Any]) -> Employment | None:
    for value in _list(posting.get("employmentType")):
        for part in re.split(r"[,/]", str(value)):
            key = re.sub(r"[^A-Z]", "", part.upper())
            if key in EMPLOYMENT_TYPES:
                return as_employment(EMPLOYMENT_TYPES[key])
    return None


def _work_format(posting: Mapping[str, Any]) -> list[WorkFormat]:
    types = {str(_text(v) or "").upper() for v in _list(posting.get("jobLocationType"))}
    if "TELECOMMUTE" in types:
        return ["hybrid"] if posting.get("jobLocation") and _hybrid_hint(posting) else ["remote"]
    if posting.get("jobLocation"):
        return []  # an office address alone does not say the work is on site only
    return []


def _hybrid_hint(posting: Mapping[str, Any]) -> bool:
    description = str(posting.get("description") or "").casefold()
    return "hybrid" in description or "гибрид" in description


def years_of_experience(value: Any) -> Experience | None:
    """From ``experienceRequirements``: months of experience, or a phrase with years."""
    for item in _list(value):
        if isinstance(item, Mapping):
            months = _number(item.get("monthsOfExperience"))
            if months is not None:
                return Experience(min_years=round(months / 12, 1))
            item = item.get("description") or item.get("name")
        text = _text(item)
        if not text:
            continue
        match = _YEARS.search(text)
        if match:
            low = float(match.group(1).replace(",", "."))
            high = float(match.group(2).replace(",", ".")) if match.group(2) else None
            return Experience(min_years=low, max_years=high)
        if re.search(r"\bno (?:prior )?experience\b|без опыта", text, re.IGNORECASE):
            return Experience(min_years=0.0)
    return None


def _education(value: Any) -> str | None:
    for item in _list(value):
        if isinstance(item, Mapping):
            found = _text(item.get("credentialCategory")) or _text(item.get("name"))
            found = found or _text(item.get("description"))
        else:
            found = _text(item)
        if found:
            return found
    return None


def _skill_names(value: Any) -> list[str]:
    names: list[str] = []
    for item in _list(value):
        if isinstance(item, Mapping):
            name = _text(item.get("name") or item.get("termCode"))
            if name:
                names.append(name)
            continue
        text = _text(item) if not isinstance(item, str) else plain_text(item)
        for part in _SKILL_SPLIT.split(text or ""):
            part = part.strip(" .•-–*")
            if part and len(part) <= 60:
                names.append(part)
    return names


def _lines(value: Any) -> list[str]:
    out: list[str] = []
    for item in _list(value):
        text = plain_text(str(item)) if isinstance(item, str) else _text(item)
        for line in (text or "").splitlines():
            line = line.strip().lstrip("•-–* ").strip()
            if line:
                out.append(line)
    return out


def _published(value: Any) -> datetime | None:
    text = _text(value)
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    else:  # a bare date or a local time: taken as UTC
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        return datetime.combine(date.fromisoformat(text[:10]), time(), tzinfo=UTC)
    except ValueError:
        return None


def _identifier(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, Mapping):
        return _text(value.get("value") or value.get("@id") or value.get("name"))
    return _text(value)


def _company(posting: Mapping[str, Any]) -> str | None:
    organisation = _first(posting.get("hiringOrganization"))
    if isinstance(organisation, Mapping):
        return _text(organisation.get("name") or organisation.get("legalName"))
    return _text(organisation)


def _extra_sections(
    posting: Mapping[str, Any], description_text: str, *, with_experience: bool
) -> str:
    """Requirements given outside the description, as a text section for the text analysis
    to see (only what the description does not already say)."""
    keys = ["qualifications", "educationRequirements"]
    if with_experience:
        keys.append("experienceRequirements")
    cyrillic = len(_CYRILLIC.findall(description_text)) > len(description_text) // 4
    heading = "Требования" if cyrillic else "Qualifications"
    lines = [
        line for key in keys for line in _lines(posting.get(key)) if line not in description_text
    ]
    return heading + ":\n" + "\n".join(f"• {line}" for line in lines) if lines else ""


def map_job_posting(
    posting: Mapping[str, Any],
    *,
    url: str | None = None,
    fetched_at: datetime | None = None,
    analyse: bool = True,
) -> ParsedVacancy:
    """A schema.org JobPosting (JSON-LD shaped dict) normalised."""
    raw_description = unescape_markup(str(_first(posting.get("description")) or ""))
    description_html = sanitize_html(raw_description) if looks_like_html(raw_description) else None
    text = plain_text(raw_description) if raw_description else ""
    experience = years_of_experience(posting.get("experienceRequirements"))
    extra = _extra_sections(posting, text, with_experience=experience is None)
    if extra:
        text = f"{text}\n\n{extra}" if text else extra
    skills = [required_skill(name) for name in _skill_names(posting.get("skills"))]
    vacancy = ParsedVacancy(
        title=_text(posting.get("title")) or _text(posting.get("name")) or "",
        company=_company(posting),
        location=_location(posting),
        work_format=_work_format(posting),
        employment=_employment(posting),
        salary=_salary(posting),
        experience=experience,
        description_html=description_html or None,
        description_text=text,
        requirements=Requirements(
            skills=merge_skills(skills, []),
            education=_education(posting.get("educationRequirements")),
            experience_years=experience.min_years if experience else None,
        ),
        responsibilities=_lines(posting.get("responsibilities")),
        benefits=_lines(posting.get("jobBenefits") or posting.get("benefits")),
        published_at=_published(posting.get("datePosted")),
        source=Source(
            kind="jsonld",
            url=url or _text(posting.get("url")),
            external_id=_identifier(posting.get("identifier")),
            fetched_at=fetched_at,
        ),
    )
    return complete_from_text(vacancy) if analyse else vacancy


def parse_jsonld(
    html: str, *, url: str | None = None, fetched_at: datetime | None = None
) -> ParsedVacancy | None:
    """The page's JobPosting (the first with a title), or None when it has none."""
    for posting in find_job_postings(html):
        if _text(posting.get("title")) or _text(posting.get("name")):
            return map_job_posting(posting, url=url, fetched_at=fetched_at)
    return None


__all__ = [
    "country_code",
    "find_job_postings",
    "map_job_posting",
    "parse_jsonld",
    "years_of_experience",
]
