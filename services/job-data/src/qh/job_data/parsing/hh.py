"""hh.ru (and its country sites): vacancy URLs, the official API's vacancy mapped to the
normalised shape, and a small client for the API (vacancy, search, areas).

hh.ru pages are never scraped: a vacancy URL is read through ``GET /vacancies/{id}``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import msgspec

from qh.job_data.parsing.html import (
    as_employment,
    as_work_formats,
    complete_from_text,
    required_skill,
)
from qh.job_data.parsing.model import (
    Employment,
    Experience,
    Location,
    ParsedVacancy,
    Period,
    RequiredLanguage,
    Requirements,
    Salary,
    Source,
    WorkFormat,
)
from qh.job_data.parsing.sanitize import html_to_text, sanitize_html
from qh.kit.problems import Problem, ServiceUnavailable

# The hh sites and the country each serves.
HH_DOMAINS: dict[str, str] = {
    "hh.ru": "RU",
    "headhunter.ru": "RU",
    "hh.kz": "KZ",
    "hh.uz": "UZ",
    "rabota.by": "BY",
    "headhunter.ge": "GE",
    "hh.az": "AZ",
    "headhunter.kg": "KG",
    "hh.kg": "KG",
}
CURRENCIES: dict[str, str] = {"RUR": "RUB", "BYR": "BYN"}  # the rest are ISO 4217 already
_CURRENCY_COUNTRY = {"RUR": "RU", "KZT": "KZ", "BYR": "BY", "UZS": "UZ", "GEL": "GE"}
_CURRENCY_COUNTRY |= {"AZN": "AZ", "KGS": "KG"}
# hh's top-level areas by name, for the area dictionary.
COUNTRY_NAMES: dict[str, str] = {
    "россия": "RU",
    "казахстан": "KZ",
    "беларусь": "BY",
    "узбекистан": "UZ",
    "грузия": "GE",
    "азербайджан": "AZ",
    "кыргызстан": "KG",
    "киргизия": "KG",
    "армения": "AM",
    "украина": "UA",
    "таджикистан": "TJ",
    "туркменистан": "TM",
    "молдова": "MD",
}

EXPERIENCE: dict[str, Experience] = {
    "noExperience": Experience(min_years=0.0),
    "between1And3": Experience(min_years=1.0, max_years=3.0),
    "between3And6": Experience(min_years=3.0, max_years=6.0),
    "moreThan6": Experience(min_years=6.0),
}
WORK_FORMAT: dict[str, WorkFormat] = {
    "ON_SITE": "onsite",
    "REMOTE": "remote",
    "HYBRID": "hybrid",
    "FIELD_WORK": "field",
}
SCHEDULE: dict[str, WorkFormat] = {
    "fullDay": "onsite",
    "shift": "onsite",
    "flexible": "onsite",
    "flyInFlyOut": "onsite",
    "remote": "remote",
}
EMPLOYMENT_FORM: dict[str, Employment] = {
    "FULL": "full",
    "PART": "part",
    "PROJECT": "project",
    "FLY_IN_FLY_OUT": "full",
}
EMPLOYMENT: dict[str, Employment] = {
    "full": "full",
    "part": "part",
    "project": "project",
    "volunteer": "volunteer",
    "probation": "internship",
}
SALARY_MODE: dict[str, Period] = {"MONTH": "month", "HOUR": "hour", "SHIFT": "day", "DAY": "day"}
# hh's language ids are ISO 639-2 (and a few of its own); the model wants ISO 639-1.
LANGUAGES: dict[str, str] = {
    "eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es", "ita": "it",
    "por": "pt", "rus": "ru", "ukr": "uk", "bel": "be", "kaz": "kk", "uzb": "uz", "kir": "ky",
    "aze": "az", "geo": "ka", "kat": "ka", "arm": "hy", "hye": "hy", "tur": "tr", "chi": "zh",
    "zho": "zh", "jpn": "ja", "kor": "ko", "ara": "ar", "heb": "he", "hin": "hi", "pol": "pl",
    "cze": "cs", "ces": "cs", "fin": "fi", "swe": "sv", "nor": "no", "dan": "da", "dut": "nl",
    "nld": "nl", "gre": "el", "ell": "el", "hun": "hu", "rum": "ro", "ron": "ro", "bul": "bg",
    "srp": "sr", "hrv": "hr", "slk": "sk", "slo": "sk", "est": "et", "lav": "lv", "lit": "lt",
    "vie": "vi", "tha": "th", "ind": "id", "per": "fa", "fas": "fa", "tat": "tt", "tgk": "tg",
}  # fmt: skip
LANGUAGE_LEVELS = {"a1": "A1", "a2": "A2", "b1": "B1", "b2": "B2", "c1": "C1", "c2": "C2"}
LANGUAGE_LEVELS["l1"] = "native"

_VACANCY_PATH = re.compile(r"^/vacancy/(\d+)(?:/|$)")
_API_PATH = re.compile(r"^/vacancies/(\d+)(?:/|$)")
_HIGHLIGHT = re.compile(r"</?highlighttext>")

REFUSED_DETAIL = "hh.ru refused the request: paste the vacancy text or the page instead."


class HHRefused(Problem):
    """hh.ru answered 403 or asked for a captcha: the user should paste the vacancy."""

    status, kind, title = 422, "hh-refused", "hh.ru refused the request"


class HHVacancyNotFound(Problem):
    status, kind, title = 422, "hh-vacancy-not-found", "No such vacancy on hh.ru"


class HHUnavailable(ServiceUnavailable):
    kind, title = "hh-unavailable", "hh.ru is not answering"


# -- URLs -------------------------------------------------------------------------------


def _hh_site(host: str) -> str | None:
    host = host.lower().rstrip(".")
    for domain in HH_DOMAINS:
        if host == domain or host.endswith("." + domain):
            return domain
    return None


def hh_vacancy_id(url: str) -> str | None:
    """The vacancy id of an hh vacancy page or API URL (any hh site or region), else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https", "") or not parts.hostname:
        return None
    if _hh_site(parts.hostname) is None:
        return None
    pattern = _API_PATH if parts.hostname.lower().startswith("api.") else _VACANCY_PATH
    match = pattern.match(parts.path)
    return match.group(1) if match else None


def hh_country(url: str | None) -> str | None:
    """The country an hh site serves, from one of its URLs."""
    if not url:
        return None
    host = urlsplit(url).hostname
    site = _hh_site(host) if host else None
    return HH_DOMAINS.get(site) if site else None


# -- the API's vacancy ------------------------------------------------------------------


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _id(value: Any) -> str | None:
    if isinstance(value, Mapping):
        found = value.get("id")
        return str(found) if found is not None else None
    return None


def _ids(values: Any) -> list[str]:
    if not isinstance(values, list):
        return []
    return [i for i in (_id(v) for v in values) if i]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def map_salary(data: Mapping[str, Any]) -> Salary | None:
    """``salary_range`` when present (it has the period), else the older ``salary``."""
    raw = data.get("salary_range") or data.get("salary")
    if not isinstance(raw, Mapping):
        return None
    low, high = _number(raw.get("from")), _number(raw.get("to"))
    if low is None and high is None:
        return None
    currency = raw.get("currency")
    mode = _id(raw.get("mode"))
    period: Period | None = SALARY_MODE.get(mode) if mode else None
    if period is None and "salary_range" not in data:
        period = "month"  # the older field is always per month
    gross = raw.get("gross")
    return Salary(
        min=low,
        max=high,
        currency=CURRENCIES.get(currency, currency) if isinstance(currency, str) else None,
        gross=gross if isinstance(gross, bool) else None,
        period=period,
    )


def map_work_format(data: Mapping[str, Any]) -> list[WorkFormat]:
    formats = [WORK_FORMAT[i] for i in _ids(data.get("work_format")) if i in WORK_FORMAT]
    if not formats:
        schedule = _id(data.get("schedule"))
        if schedule in SCHEDULE:
            formats = [SCHEDULE[schedule]]
    return as_work_formats(list(formats))


def map_employment(data: Mapping[str, Any]) -> Employment | None:
    if data.get("internship") is True:
        return "internship"
    form = _id(data.get("employment_form"))
    if form in EMPLOYMENT_FORM:
        return EMPLOYMENT_FORM[form]
    old = _id(data.get("employment"))
    return as_employment(EMPLOYMENT.get(old)) if old else None


def map_languages(values: Any) -> list[RequiredLanguage]:
    out: list[RequiredLanguage] = []
    for value in values if isinstance(values, list) else []:
        code = LANGUAGES.get(_id(value) or "")
        if code is None or any(lang.code == code for lang in out):
            continue
        level = _id(value.get("level"))
        out.append(RequiredLanguage(code=code, level=LANGUAGE_LEVELS.get(level or "")))
    return out


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _location(
    data: Mapping[str, Any], url: str | None, countries: Mapping[str, str] | None
) -> Location | None:
    area = _mapping(data.get("area"))
    address = _mapping(data.get("address"))
    city = address.get("city") or area.get("name")
    country = None
    if countries and area.get("id") is not None:
        country = countries.get(str(area["id"]))
    if country is None:
        site_country = hh_country(data.get("alternate_url")) or hh_country(url)
        if site_country and site_country != "RU":
            country = site_country
    if country is None:
        currency = _mapping(data.get("salary_range") or data.get("salary")).get("currency")
        country = _CURRENCY_COUNTRY.get(currency or "") or hh_country(url or "https://hh.ru/")
    raw_address = address.get("raw") if isinstance(address.get("raw"), str) else None
    if not (city or country or raw_address):
        return None
    return Location(city=city or None, country_code=country, address=raw_address)


def map_hh_vacancy(
    data: Mapping[str, Any],
    *,
    url: str | None = None,
    fetched_at: datetime | None = None,
    countries: Mapping[str, str] | None = None,
    analyse: bool = True,
) -> ParsedVacancy:
    """A vacancy from hh's API (``GET /vacancies/{id}``, or a search item) normalised.

    ``countries`` maps area ids to ISO countries (from the areas dictionary) when known;
    ``analyse`` fills what the fields lack from the description's text.
    """
    employer = _mapping(data.get("employer"))
    description = data.get("description")
    if isinstance(description, str) and description.strip():
        description_html: str | None = sanitize_html(description)
        text = html_to_text(description)
    else:
        description_html = None
        snippet = _mapping(data.get("snippet"))
        parts = [snippet.get("requirement"), snippet.get("responsibility")]
        text = "\n".join(_HIGHLIGHT.sub("", p) for p in parts if isinstance(p, str) and p)
        text = html_to_text(text) if text else ""
    experience = EXPERIENCE.get(_id(data.get("experience")) or "")
    skills = [
        required_skill(s["name"])
        for s in data.get("key_skills") or []
        if isinstance(s, Mapping) and isinstance(s.get("name"), str) and s["name"].strip()
    ]
    vacancy_id = str(data["id"]) if data.get("id") is not None else None
    vacancy = ParsedVacancy(
        title=" ".join(str(data.get("name") or "").split()),
        company=employer.get("name") or None,
        location=_location(data, url, countries),
        work_format=map_work_format(data),
        employment=map_employment(data),
        salary=map_salary(data),
        experience=msgspec.structs.replace(experience) if experience else None,
        description_html=description_html,
        description_text=text,
        requirements=Requirements(
            skills=skills,
            languages=map_languages(data.get("languages")),
            experience_years=experience.min_years if experience else None,
        ),
        published_at=_datetime(data.get("published_at")),
        source=Source(
            kind="hh",
            url=data.get("alternate_url") or url,
            external_id=vacancy_id,
            fetched_at=fetched_at,
        ),
    )
    return complete_from_text(vacancy) if analyse else vacancy


def professional_roles(data: Mapping[str, Any]) -> list[str]:
    """hh's professional role names of a vacancy (kept by the service as tags)."""
    roles = data.get("professional_roles")
    if not isinstance(roles, list):
        return []
    return [r["name"] for r in roles if isinstance(r, Mapping) and isinstance(r.get("name"), str)]


def is_hh_vacancy(data: Any) -> bool:
    """Whether a decoded JSON document is an hh API vacancy."""
    return (
        isinstance(data, Mapping)
        and isinstance(data.get("name"), str)
        and ("id" in data)
        and any(k in data for k in ("employer", "key_skills", "area"))
        and any(k in data for k in ("alternate_url", "salary", "salary_range", "experience"))
    )


# -- the API client ---------------------------------------------------------------------


class HHSettings(msgspec.Struct, kw_only=True, frozen=True):
    base_url: str = "https://api.hh.ru"
    # hh asks every client to name itself and a contact: "QH/0.1 (jobs@qh.dev)".
    user_agent: str = "QH/0.1 (+https://qh.dev/bot)"
    token: str | None = None  # an application token, sent as a bearer token when set
    timeout_seconds: float = 10.0
    areas_ttl_seconds: float = 24 * 3600


class HHSearchPage(msgspec.Struct, kw_only=True):
    items: list[ParsedVacancy]
    found: int
    pages: int
    page: int
    per_page: int


@dataclass
class _Areas:
    loaded_at: float
    tree: list[dict[str, Any]]
    by_name: dict[str, str] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)


def _fold(name: str) -> str:
    return " ".join(name.casefold().replace("ё", "е").split())


def _index_areas(tree: list[dict[str, Any]], loaded_at: float) -> _Areas:
    areas = _Areas(loaded_at=loaded_at, tree=tree)

    def walk(nodes: list[dict[str, Any]], country: str | None) -> None:
        for node in nodes:
            area_id, name = str(node.get("id")), str(node.get("name") or "")
            here = country or COUNTRY_NAMES.get(_fold(name))
            areas.by_name.setdefault(_fold(name), area_id)
            if here:
                areas.countries[area_id] = here
            walk(node.get("areas") or [], here)

    walk(tree, None)
    return areas


class HHClient:
    """The official hh.ru API. ``transport`` is for tests (respx or a stub)."""

    def __init__(
        self,
        settings: HHSettings | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Any = time.monotonic,
    ) -> None:
        self.settings = settings or HHSettings()
        headers = {
            "HH-User-Agent": self.settings.user_agent,
            "User-Agent": self.settings.user_agent,
            "Accept": "application/json",
        }
        if self.settings.token:
            headers["Authorization"] = f"Bearer {self.settings.token}"
        self._http = httpx.AsyncClient(
            base_url=self.settings.base_url,
            headers=headers,
            timeout=self.settings.timeout_seconds,
            transport=transport,
            follow_redirects=False,
        )
        self._clock = clock
        self._areas: _Areas | None = None

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> HHClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        try:
            response = await self._http.get(path, params=params)
        except httpx.HTTPError as exc:
            raise HHUnavailable(f"hh.ru did not answer: {type(exc).__name__}.") from exc
        body: Any
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code == 403 or _asks_for_captcha(body):
            raise HHRefused(REFUSED_DETAIL)
        if response.status_code == 404:
            raise HHVacancyNotFound("hh.ru has no such vacancy (removed or archived).")
        if response.status_code >= 500:
            raise HHUnavailable(f"hh.ru answered {response.status_code}.")
        if response.status_code >= 400 or body is None:
            raise HHRefused(f"{REFUSED_DETAIL} (hh.ru answered {response.status_code})")
        return body

    async def vacancy_json(self, vacancy_id: str) -> dict[str, Any]:
        body = await self._get(f"/vacancies/{int(vacancy_id)}")
        if not isinstance(body, dict):
            raise HHRefused(REFUSED_DETAIL)
        return body

    async def vacancy(
        self, vacancy_id: str, *, fetched_at: datetime | None = None
    ) -> ParsedVacancy:
        data = await self.vacancy_json(vacancy_id)
        return map_hh_vacancy(data, fetched_at=fetched_at, countries=self.known_countries())

    async def search(
        self,
        text: str,
        *,
        area: str | None = None,
        salary: int | None = None,
        page: int = 0,
        per_page: int = 20,
    ) -> HHSearchPage:
        """One page of hh's vacancy search; items are summaries (hh gives a snippet, not
        the description), ready to save or to open in full through :meth:`vacancy`."""
        params: dict[str, Any] = {"text": text, "page": page, "per_page": per_page}
        if area:
            params["area"] = area if area.isdigit() else await self.area_id(area) or area
        if salary is not None:
            params["salary"] = salary
            params["only_with_salary"] = "true"
        body = await self._get("/vacancies", params)
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise HHRefused(REFUSED_DETAIL)
        countries = self.known_countries()
        return HHSearchPage(
            items=[
                map_hh_vacancy(item, countries=countries, analyse=False)
                for item in items
                if isinstance(item, dict)
            ],
            found=int(body.get("found") or 0),
            pages=int(body.get("pages") or 0),
            page=int(body.get("page") or page),
            per_page=int(body.get("per_page") or per_page),
        )

    def known_countries(self) -> dict[str, str] | None:
        """Countries by area id when the area dictionary is loaded (never loaded for this)."""
        return self._areas.countries if self._areas is not None and self._areas_fresh() else None

    def _areas_fresh(self) -> bool:
        return (
            self._areas is not None
            and self._clock() - self._areas.loaded_at < self.settings.areas_ttl_seconds
        )

    async def _load_areas(self) -> _Areas:
        if not self._areas_fresh():
            tree = await self._get("/areas")
            if not isinstance(tree, list):
                raise HHRefused(REFUSED_DETAIL)
            self._areas = _index_areas(tree, self._clock())
        assert self._areas is not None
        return self._areas

    async def areas(self) -> list[dict[str, Any]]:
        """hh's area tree (countries, regions, cities), cached for ``areas_ttl_seconds``."""
        return (await self._load_areas()).tree

    async def area_id(self, name: str) -> str | None:
        """The id of an area by its name (case and ``ё`` blind): "Москва" → "1"."""
        return (await self._load_areas()).by_name.get(_fold(name))

    async def area_countries(self) -> dict[str, str]:
        return (await self._load_areas()).countries


def _asks_for_captcha(body: Any) -> bool:
    if not isinstance(body, dict):
        return False
    errors = body.get("errors")
    if not isinstance(errors, list):
        return False
    return any(
        isinstance(e, dict)
        and ("captcha" in str(e.get("type", "")) or "captcha" in str(e.get("value", "")))
        for e in errors
    )


__all__ = [
    "HHClient",
    "HHRefused",
    "HHSearchPage",
    "HHSettings",
    "HHUnavailable",
    "HHVacancyNotFound",
    "hh_country",
    "hh_vacancy_id",
    "is_hh_vacancy",
    "map_hh_vacancy",
    "map_salary",
    "professional_roles",
]
