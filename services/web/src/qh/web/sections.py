"""The profile's sections as the editor shows them: each field with its label and kind.
Field names and rules are user-data's (services/user-data/README.md); lists are edited
one item per line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qh.web.i18n import N_


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, textarea, date, list, url, number, select, email, tel
    required: bool = False
    options: tuple[tuple[str, str], ...] = ()
    hint: str | None = None


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[Field, ...]
    headline: tuple[str, ...]  # fields joined for the item's title in the list
    detail: tuple[str, ...] = ()


DATE_HINT = N_("YYYY, YYYY-MM or YYYY-MM-DD")
LIST_HINT = N_("One per line")
SKILL_LEVELS = (
    ("", N_("not given")),
    ("beginner", N_("beginner")),
    ("intermediate", N_("intermediate")),
    ("advanced", N_("advanced")),
    ("expert", N_("expert")),
)
CEFR = (
    ("", N_("not given")),
    *((level, level) for level in ("A1", "A2", "B1", "B2", "C1", "C2")),
    ("native", N_("native")),
)


def _date(name: str, label: str, required: bool = False) -> Field:
    return Field(name, label, "date", required, hint=DATE_HINT)


def _list(name: str, label: str) -> Field:
    return Field(name, label, "list", hint=LIST_HINT)


SECTIONS: dict[str, Section] = {
    s.key: s
    for s in (
        Section(
            "experience",
            N_("Experience"),
            (
                Field("position", N_("Job title"), required=True),
                Field("company", N_("Company"), required=True),
                Field("location", N_("Location")),
                Field("url", N_("Company website"), "url"),
                _date("start_date", N_("Start date"), required=True),
                _date("end_date", N_("End date (empty if you work there now)")),
                Field("description", N_("Description"), "textarea"),
                _list("highlights", N_("Achievements")),
                _list("skills", N_("Skills used")),
            ),
            ("position", "company"),
            ("start_date", "end_date"),
        ),
        Section(
            "education",
            N_("Education"),
            (
                Field("institution", N_("Institution"), required=True),
                Field("degree", N_("Degree")),
                Field("field", N_("Field of study")),
                _date("start_date", N_("Start date")),
                _date("end_date", N_("End date")),
                Field("grade", N_("Grade")),
                Field("url", N_("Website"), "url"),
                _list("courses", N_("Courses")),
            ),
            ("institution", "degree"),
            ("start_date", "end_date"),
        ),
        Section(
            "skills",
            N_("Skills"),
            (
                Field("name", N_("Skill"), required=True),
                Field("level", N_("Level"), "select", options=SKILL_LEVELS),
                Field("years", N_("Years of practice"), "number"),
                _list("keywords", N_("Keywords")),
            ),
            ("name",),
            ("level", "years"),
        ),
        Section(
            "languages",
            N_("Languages"),
            (
                Field("name", N_("Language")),
                Field("code", N_("ISO code (ru, en…)")),
                Field("level", N_("Level"), "select", options=CEFR),
            ),
            ("name", "code"),
            ("level",),
        ),
        Section(
            "achievements",
            N_("Achievements"),
            (
                Field("title", N_("Title"), required=True),
                _date("date", N_("Date")),
                Field("awarder", N_("Awarded by")),
                Field("description", N_("Description"), "textarea"),
            ),
            ("title",),
            ("date",),
        ),
        Section(
            "certificates",
            N_("Certificates"),
            (
                Field("name", N_("Name"), required=True),
                Field("issuer", N_("Issuer")),
                _date("date", N_("Date")),
                Field("url", N_("Link"), "url"),
            ),
            ("name", "issuer"),
            ("date",),
        ),
        Section(
            "projects",
            N_("Projects"),
            (
                Field("name", N_("Name"), required=True),
                Field("description", N_("Description"), "textarea"),
                Field("url", N_("Link"), "url"),
                _date("start_date", N_("Start date")),
                _date("end_date", N_("End date")),
                _list("roles", N_("Roles")),
                _list("highlights", N_("Achievements")),
                _list("keywords", N_("Keywords")),
            ),
            ("name",),
            ("start_date", "end_date"),
        ),
        Section(
            "volunteer",
            N_("Volunteering"),
            (
                Field("organization", N_("Organisation"), required=True),
                Field("position", N_("Role")),
                Field("url", N_("Website"), "url"),
                _date("start_date", N_("Start date")),
                _date("end_date", N_("End date")),
                Field("description", N_("Description"), "textarea"),
                _list("highlights", N_("Achievements")),
            ),
            ("organization", "position"),
            ("start_date", "end_date"),
        ),
        Section(
            "publications",
            N_("Publications"),
            (
                Field("name", N_("Title"), required=True),
                Field("publisher", N_("Publisher")),
                _date("release_date", N_("Date")),
                Field("url", N_("Link"), "url"),
                Field("description", N_("Description"), "textarea"),
            ),
            ("name", "publisher"),
            ("release_date",),
        ),
        Section(
            "interests",
            N_("Interests"),
            (Field("name", N_("Interest"), required=True), _list("keywords", N_("Keywords"))),
            ("name",),
        ),
        Section(
            "references",
            N_("References"),
            (Field("name", N_("Name")), Field("reference", N_("Reference"), "textarea")),
            ("name",),
            (),
        ),
    )
}


def to_payload(section: Section, form: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """A section item's JSON from the editor's form: blank fields are ``null`` (cleared)."""
    payload: dict[str, Any] = {}
    for field in section.fields:
        raw = form.get(field.name)
        if isinstance(raw, list):
            raw = "\n".join(str(r) for r in raw)
        value = raw.strip() if isinstance(raw, str) else ""
        if field.kind == "list":
            payload[field.name] = [line.strip() for line in value.splitlines() if line.strip()]
        elif field.kind == "number":
            if value:
                try:
                    payload[field.name] = int(value)
                except ValueError:
                    payload[field.name] = value  # the API names the field's problem
            else:
                payload[field.name] = None
        else:
            payload[field.name] = value or None
    if not partial:
        payload = {k: v for k, v in payload.items() if v not in (None, [])}
    return payload


def to_form(section: Section, item: dict[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for field in section.fields:
        value = item.get(field.name)
        if isinstance(value, list):
            values[field.name] = "\n".join(str(v) for v in value)
        elif value is None:
            values[field.name] = ""
        else:
            values[field.name] = str(value)
    return values


__all__ = ["SECTIONS", "Field", "Section", "to_form", "to_payload"]
