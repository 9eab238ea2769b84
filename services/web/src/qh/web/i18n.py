"""Russian and English: the catalogues (``locale/<lang>/LC_MESSAGES/messages.mo``, built
from the ``.po`` files with Babel), the visitor's language (their choice, kept in a
cookie, then ``Accept-Language``), and dates, numbers and money per locale."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from babel import Locale
from babel.core import negotiate_locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from babel.support import Translations

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "en"
LANG_COOKIE = "qh_lang"


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


@cache
def translations(lang: str) -> Any:
    directory = resources.files("qh.web") / "locale"
    return Translations.load(str(directory), [lang], domain="messages")


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    """The visitor's own choice, then the first language of the browser's we speak."""
    if cookie in LANGUAGES:
        return str(cookie)
    if accept_language:
        preferred = []
        for part in accept_language.split(","):
            tag, _, params = part.strip().partition(";")
            quality = 1.0
            if params.strip().startswith("q="):
                try:
                    quality = float(params.strip()[2:])
                except ValueError:
                    quality = 0.0
            if tag and quality > 0:
                preferred.append((quality, tag.strip().replace("-", "_")))
        preferred.sort(key=lambda item: -item[0])
        found = negotiate_locale([tag for _, tag in preferred], list(LANGUAGES), sep="_")
        if found:
            return found.split("_")[0]
    return DEFAULT_LANGUAGE


# --- formatting --------------------------------------------------------------------------


def _parse(value: Any) -> datetime | date | None:
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def formatters(lang: str) -> dict[str, Callable[..., str]]:
    locale = Locale.parse(lang)

    def fmt_date(value: Any) -> str:
        parsed = _parse(value)
        if parsed is None:
            return str(value or "")
        return format_date(parsed, format="medium", locale=locale)

    def fmt_datetime(value: Any) -> str:
        parsed = _parse(value)
        if not isinstance(parsed, datetime):
            return fmt_date(value)
        return format_datetime(parsed, format="medium", locale=locale, tzinfo=None)

    def fmt_money(amount: Any, currency: str | None) -> str:
        if amount is None:
            return ""
        if not currency:
            return format_decimal(amount, locale=locale)
        return format_currency(amount, currency, locale=locale, format_type="standard")

    def fmt_number(value: Any, digits: int = 0) -> str:
        if value is None:
            return ""
        return format_decimal(round(float(value), digits), locale=locale)

    def fmt_profile_date(value: Any) -> str:
        """A profile date as written (YYYY, YYYY-MM or YYYY-MM-DD), in the locale."""
        if not isinstance(value, str) or not value:
            return ""
        parts = value.split("-")
        try:
            if len(parts) == 1:
                return parts[0]
            if len(parts) == 2:
                return format_date(date(int(parts[0]), int(parts[1]), 1), "LLLL y", locale=locale)
            return format_date(date.fromisoformat(value), format="medium", locale=locale)
        except ValueError:
            return value

    return {
        "date": fmt_date,
        "datetime": fmt_datetime,
        "money": fmt_money,
        "number": fmt_number,
        "profile_date": fmt_profile_date,
    }


# --- the APIs' own messages, in the visitor's language --------------------------------------

# Field messages the services answer in a 422, in English; shown in the visitor's language.
_API_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^is required$"), N_("is required")),
    (re.compile(r"^must not be blank$"), N_("must not be blank")),
    (re.compile(r"^must have at most (\d+) characters"), N_("must have at most {0} characters")),
    (re.compile(r"^must not be before (\w+)"), N_("must not be before the start date")),
    (re.compile(r"^must not be in the future"), N_("must not be in the future")),
    (
        re.compile(r"^must be a date written as"),
        N_("must be a date written as YYYY, YYYY-MM or YYYY-MM-DD"),
    ),
    (re.compile(r"^must be an http or https URL"), N_("must be a web address (http or https)")),
    (re.compile(r"^must be an e-mail address"), N_("must be an e-mail address")),
    (re.compile(r"^must be in international format"), N_("must be in international format (+…)")),
    (re.compile(r"^is not a valid phone number"), N_("is not a valid phone number")),
    (re.compile(r"^must be an ISO 3166-1"), N_("must be a two-letter country code (RU, US…)")),
    (re.compile(r"^must be an ISO 4217"), N_("must be a three-letter currency code (RUB, USD…)")),
    (re.compile(r"^must be an ISO 639-1"), N_("must be a two-letter language code (ru, en…)")),
    (re.compile(r"^must be one of"), N_("is not one of the allowed values")),
    (re.compile(r"^must be a single line"), N_("must be a single line")),
    (re.compile(r"^is not a known field"), N_("is not a known field")),
]


def api_message(message: str, gettext: Callable[[str], str]) -> str:
    """An API's English field message in the visitor's language (unknown ones as sent)."""
    for pattern, msgid in _API_MESSAGES:
        found = pattern.match(message)
        if found:
            return gettext(msgid).format(*found.groups())
    return message


__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANG_COOKIE",
    "N_",
    "api_message",
    "choose_language",
    "formatters",
    "translations",
]
