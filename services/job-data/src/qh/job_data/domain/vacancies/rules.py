"""Value rules of a vacancy that need a library or several fields: text without control
characters, http(s) URLs, ISO country, currency and language codes, ``min ≤ max``. Each
check normalises what it accepts (codes upper or lower case) and names what it refuses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pycountry

from qh.kit.problems import FieldError

# Tab, newline and carriage return are allowed in multi-line text only; every other control
# character, and lone surrogates, are refused everywhere (they are not text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_LINE_BREAK = re.compile(r"[\t\n\r\u2028\u2029]")

LINE_FIELDS = ("title", "company")
TEXT_FIELDS = ("notes", "description_text", "description_html")


def url_problem(value: str) -> str | None:
    if any(ch.isspace() for ch in value) or _CONTROL.search(value):
        return "must be an http or https URL without spaces"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        return "must be an http or https URL"
    if parts.scheme.lower() not in {"http", "https"}:
        return "must be an http or https URL"
    if not parts.hostname:
        return "must be an http or https URL with a host name"
    return None


def country(value: str) -> str | None:
    code = value.upper()
    return code if len(code) == 2 and pycountry.countries.get(alpha_2=code) else None


def currency(value: str) -> str | None:
    code = {"RUR": "RUB"}.get(value.upper(), value.upper())
    return code if len(code) == 3 and pycountry.currencies.get(alpha_3=code) else None


def language(value: str) -> str | None:
    code = value.lower()
    return code if len(code) == 2 and pycountry.languages.get(alpha_2=code) else None


@dataclass
class Checker:
    """Checks one vacancy (as builtins) in place and collects every problem by field."""

    errors: list[FieldError] = field(default_factory=list)

    def fail(self, name: str, message: str) -> None:
        self.errors.append(FieldError(name, message))

    def text(self, values: dict[str, Any], key: str, name: str, *, multiline: bool) -> None:
        value = values.get(key)
        if not isinstance(value, str):
            return
        if _CONTROL.search(value):
            self.fail(name, "must not contain control characters")
        elif not multiline and _LINE_BREAK.search(value):
            self.fail(name, "must be a single line")
        elif not value.strip():
            if key == "title":
                self.fail(name, "must not be blank")
            elif key != "description_text":
                values[key] = None

    def lines(self, values: dict[str, Any], key: str) -> None:
        kept = []
        for index, line in enumerate(values.get(key) or []):
            name = f"{key}[{index}]"
            if _CONTROL.search(line) or _LINE_BREAK.search(line):
                self.fail(name, "must be one line of text")
            elif line.strip():
                kept.append(" ".join(line.split()))
        values[key] = kept

    def code(self, values: dict[str, Any], key: str, name: str, kind: str) -> None:
        value = values.get(key)
        if not isinstance(value, str):
            return
        normalise, example = {
            "country": (country, "an ISO 3166-1 alpha-2 country code, e.g. RU or KZ"),
            "currency": (currency, "an ISO 4217 currency code, e.g. RUB, KZT or USD"),
            "language": (language, "an ISO 639-1 language code, e.g. ru or en"),
        }[kind]
        found = normalise(value)
        if found is None:
            self.fail(name, f"must be {example}")
        else:
            values[key] = found

    def order(self, values: dict[str, Any], low: str, high: str, prefix: str) -> None:
        a, b = values.get(low), values.get(high)
        if a is not None and b is not None and a > b:
            self.fail(f"{prefix}{high}", f"must not be less than {low}")


def check_vacancy(values: dict[str, Any]) -> list[FieldError]:
    """Validate and normalise a vacancy given as builtins (the shape of ``VacancyIn``)."""
    checker = Checker()
    for key in LINE_FIELDS:
        checker.text(values, key, key, multiline=False)
    for key in TEXT_FIELDS:
        checker.text(values, key, key, multiline=True)
    for key in ("responsibilities", "benefits"):
        checker.lines(values, key)
    if len(set(values.get("work_format") or [])) != len(values.get("work_format") or []):
        checker.fail("work_format", "must not repeat a format")

    location = values.get("location")
    if isinstance(location, dict):
        for key in ("city", "address"):
            checker.text(location, key, f"location.{key}", multiline=False)
        checker.code(location, "country_code", "location.country_code", "country")
        if not any(location.get(k) for k in ("city", "country_code", "address")):
            values["location"] = None

    salary = values.get("salary")
    if isinstance(salary, dict):
        if salary.get("min") is None and salary.get("max") is None:
            checker.fail("salary", "must give min, max or both")
        if salary.get("currency") is None:
            checker.fail("salary.currency", "is required with a salary")
        checker.code(salary, "currency", "salary.currency", "currency")
        checker.order(salary, "min", "max", "salary.")

    experience = values.get("experience")
    if isinstance(experience, dict):
        checker.order(experience, "min_years", "max_years", "experience.")
        if experience.get("min_years") is None and experience.get("max_years") is None:
            values["experience"] = None

    requirements = values.get("requirements")
    if isinstance(requirements, dict):
        seen: set[str] = set()
        for index, skill in enumerate(requirements.get("skills") or []):
            for key in ("name", "canonical"):
                checker.text(skill, key, f"requirements.skills[{index}].{key}", multiline=False)
            if isinstance(skill.get("name"), str) and not skill["name"].strip():
                checker.fail(f"requirements.skills[{index}].name", "must not be blank")
            key = str(skill.get("canonical") or skill.get("name") or "").casefold()
            if key in seen:
                checker.fail(f"requirements.skills[{index}]", "repeats a skill")
            seen.add(key)
        codes: set[str] = set()
        for index, lang in enumerate(requirements.get("languages") or []):
            name = f"requirements.languages[{index}].code"
            checker.code(lang, "code", name, "language")
            if lang.get("code") in codes:
                checker.fail(name, "repeats a language")
            codes.add(lang.get("code"))
        checker.text(requirements, "education", "requirements.education", multiline=False)

    source = values.get("source")
    if isinstance(source, dict):
        url = source.get("url")
        if isinstance(url, str):
            problem = url_problem(url)
            if problem:
                checker.fail("source.url", problem)
        checker.text(source, "external_id", "source.external_id", multiline=False)
        if source.get("kind") in ("hh", "linkedin") and not (
            source.get("external_id") or source.get("url")
        ):
            checker.fail("source", "an hh or LinkedIn vacancy needs its url or external_id")
    return checker.errors
