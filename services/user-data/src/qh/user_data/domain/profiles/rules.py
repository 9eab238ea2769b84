"""Value rules of a profile: what a phone, a URL, a country, a language or a date must be.

Struct constraints check shape (types, lengths, enums); the rules here need a library or
several fields and name the field in their message. Each rule normalises what it accepts
(a phone becomes E.164, a country code upper case) and reports what it refuses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
import pycountry

from qh.kit.email import InvalidEmail, canonical_email
from qh.kit.problems import FieldError

# Tab, newline and carriage return are allowed in multi-line text only; every other control
# character, and lone surrogates, are refused everywhere (they are not text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_LINE_BREAK = re.compile(r"[\t\n\r\u2028\u2029]")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

DATE_FORMAT_MESSAGE = "must be a date written as YYYY, YYYY-MM or YYYY-MM-DD"


class Kind(Enum):
    LINE = "line"
    TEXT = "text"
    URL = "url"
    EMAIL = "email"
    PHONE = "phone"
    DATE = "date"
    PAST_DATE = "past_date"
    COUNTRY = "country"
    LANGUAGE = "language"
    CURRENCY = "currency"
    LINES = "lines"


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def earliest(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    def key(self, precision: int) -> tuple[int, ...]:
        return (self.year, self.month or 0, self.day or 0)[:precision]

    @property
    def precision(self) -> int:
        return 3 if self.day else 2 if self.month else 1


def parse_date(value: str) -> PartialDate | None:
    match = _DATE.match(value)
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    if month == 0 or day == 0:
        return None
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    if year < 1900:
        return None
    return PartialDate(year, month, day)


def text_problem(value: str, *, multiline: bool) -> str | None:
    if _CONTROL.search(value):
        return "must not contain control characters"
    if not multiline and _LINE_BREAK.search(value):
        return "must be a single line"
    return None


def url_problem(value: str) -> str | None:
    if any(ch.isspace() for ch in value):
        return "must be an http or https URL without spaces"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        return "must be an http or https URL"
    if parts.scheme.lower() not in {"http", "https"}:
        return "must be an http or https URL"
    if not parts.hostname or ("." not in parts.hostname and parts.hostname != "localhost"):
        return "must be an http or https URL with a host name"
    return None


def normalise_email(value: str) -> tuple[str | None, str | None]:
    """An e-mail address (internationalised ones too) in the platform's canonical form
    (``qh.kit.email``), so auth and the profile keep the same address."""
    try:
        return canonical_email(value), None
    except InvalidEmail as exc:
        return None, f"must be an e-mail address ({exc})"


def normalise_phone(value: str, region: str | None) -> tuple[str | None, str | None]:
    """Any way of writing a phone number → E.164 (``+79161234567``)."""
    if len(value) > 40:
        return None, "must be a phone number"
    try:
        number = phonenumbers.parse(value, None if value.lstrip().startswith("+") else region)
    except phonenumbers.NumberParseException:
        if region is None and not value.lstrip().startswith("+"):
            return None, "must be in international format (start with + and the country code)"
        return None, "must be a phone number"
    if not phonenumbers.is_valid_number(number):
        return None, "is not a valid phone number"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


def normalise_country(value: str) -> tuple[str | None, str | None]:
    code = value.upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        return None, "must be an ISO 3166-1 alpha-2 country code, e.g. RU or US"
    return code, None


def normalise_language(value: str) -> tuple[str | None, str | None]:
    code = value.lower()
    if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
        return None, "must be an ISO 639-1 language code, e.g. ru or en"
    return code, None


def normalise_currency(value: str) -> tuple[str | None, str | None]:
    code = value.upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        return None, "must be an ISO 4217 currency code, e.g. RUB or USD"
    return code, None


def language_name(code: str) -> str | None:
    language = pycountry.languages.get(alpha_2=code.lower())
    return str(language.name) if language is not None else None


def language_code(name: str) -> str | None:
    """The ISO 639-1 code of a language written as a code or its English name."""
    if len(name) == 2:
        code, problem = normalise_language(name)
        return code if problem is None else None
    try:
        language = pycountry.languages.lookup(name)
    except LookupError:
        return None
    return getattr(language, "alpha_2", None)


@dataclass(frozen=True)
class DateRange:
    start: str
    end: str
    # Finished items have happened: their end may not lie in the future.
    end_in_past: bool = True


@dataclass
class Checker:
    """Checks one record and collects every problem, named by field."""

    today: date
    phone_region: str | None = None
    prefix: str = ""
    errors: list[FieldError] = field(default_factory=list)

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def fail(self, key: str, message: str) -> None:
        self.errors.append(FieldError(self.name(key), message))

    def value(
        self, values: dict[str, Any], key: str, kind: Kind, *, required: bool = False
    ) -> None:
        raw = values.get(key)
        if raw is None:
            if required:
                self.fail(key, "is required")
            return
        if kind is Kind.LINES:
            if not isinstance(raw, list):
                return
            cleaned = []
            for index, item in enumerate(raw):
                problem = text_problem(item, multiline=False)
                if problem:
                    self.fail(f"{key}[{index}]", problem)
                elif not item.strip():
                    self.fail(f"{key}[{index}]", "must not be blank")
                else:
                    cleaned.append(item)
            values[key] = cleaned
            return
        if not isinstance(raw, str):
            return
        problem = text_problem(raw, multiline=kind is Kind.TEXT)
        if problem:
            self.fail(key, problem)
            return
        if not raw.strip():
            if required:
                self.fail(key, "must not be blank")
            else:
                values[key] = None
            return
        normalised: str | None = raw
        match kind:
            case Kind.URL:
                problem = url_problem(raw)
            case Kind.EMAIL:
                normalised, problem = normalise_email(raw)
            case Kind.PHONE:
                normalised, problem = normalise_phone(raw, self.phone_region)
            case Kind.COUNTRY:
                normalised, problem = normalise_country(raw)
            case Kind.LANGUAGE:
                normalised, problem = normalise_language(raw)
            case Kind.CURRENCY:
                normalised, problem = normalise_currency(raw)
            case Kind.DATE | Kind.PAST_DATE:
                parsed = parse_date(raw)
                if parsed is None:
                    problem = DATE_FORMAT_MESSAGE
                elif kind is Kind.PAST_DATE and parsed.earliest > self.today:
                    problem = "must not be in the future"
        if problem:
            self.fail(key, problem)
        else:
            values[key] = normalised

    def values(
        self, values: dict[str, Any], kinds: Mapping[str, Kind], required: Iterable[str] = ()
    ) -> None:
        must = set(required)
        for key, kind in kinds.items():
            self.value(values, key, kind, required=key in must)

    def date_range(self, values: dict[str, Any], rule: DateRange) -> None:
        if any(
            error.field in {self.name(rule.start), self.name(rule.end)} for error in self.errors
        ):
            return
        start = parse_date(values[rule.start]) if values.get(rule.start) else None
        end = parse_date(values[rule.end]) if values.get(rule.end) else None
        if end is not None and rule.end_in_past and end.earliest > self.today:
            self.fail(rule.end, "must not be in the future (leave it empty for a current item)")
        if start is not None and end is not None:
            precision = min(start.precision, end.precision)
            if end.key(precision) < start.key(precision):
                self.fail(rule.end, f"must not be before {rule.start}")

    def nested(self, prefix: str) -> Checker:
        return Checker(self.today, self.phone_region, prefix=self.name(prefix), errors=self.errors)
