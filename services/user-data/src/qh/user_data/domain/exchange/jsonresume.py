"""JSON Resume ↔ QH profile: which field maps where, and what cannot be mapped.

Pure functions: no database, no HTTP. The service validates what these produce with the
same rules as the API.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from qh.user_data.domain.profiles.rules import language_code, language_name

SCHEMA_URL = "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json"

BASICS = {
    "name": "full_name",
    "label": "headline",
    "email": "email",
    "phone": "phone",
    "url": "website",
    "summary": "summary",
}
LOCATION = {
    "address": "address",
    "postalCode": "postal_code",
    "city": "city",
    "countryCode": "country_code",
    "region": "region",
}
PROFILE_LINK = {"network": "network", "username": "username", "url": "url"}

# section → (JSON Resume key, {JSON Resume field: QH field})
SECTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "experience": (
        "work",
        {
            "name": "company",
            "position": "position",
            "location": "location",
            "url": "url",
            "description": "company_description",
            "startDate": "start_date",
            "endDate": "end_date",
            "summary": "description",
            "highlights": "highlights",
        },
    ),
    "education": (
        "education",
        {
            "institution": "institution",
            "url": "url",
            "area": "field",
            "studyType": "degree",
            "startDate": "start_date",
            "endDate": "end_date",
            "score": "grade",
            "courses": "courses",
        },
    ),
    "achievements": (
        "awards",
        {"title": "title", "date": "date", "awarder": "awarder", "summary": "description"},
    ),
    "certificates": (
        "certificates",
        {"name": "name", "date": "date", "url": "url", "issuer": "issuer"},
    ),
    "skills": ("skills", {"name": "name", "level": "level", "keywords": "keywords"}),
    "languages": ("languages", {"language": "name", "fluency": "level"}),
    "projects": (
        "projects",
        {
            "name": "name",
            "description": "description",
            "highlights": "highlights",
            "keywords": "keywords",
            "startDate": "start_date",
            "endDate": "end_date",
            "url": "url",
            "roles": "roles",
            "entity": "entity",
            "type": "type",
        },
    ),
}

UNMAPPED_SECTIONS = {
    "volunteer": "QH profiles have no volunteer section",
    "publications": "QH profiles have no publications section",
    "interests": "QH profiles have no interests section",
    "references": "QH profiles have no references section",
    "meta": "document metadata is written anew on export",
}

SKILL_LEVELS = {
    "beginner": "beginner",
    "novice": "beginner",
    "basic": "beginner",
    "elementary": "beginner",
    "intermediate": "intermediate",
    "advanced": "advanced",
    "expert": "expert",
    "master": "expert",
}
NATIVE = {"native", "native speaker", "mother tongue", "first language", "родной", "носитель"}
_CEFR = re.compile(r"^\s*([ABC][12])\b", re.IGNORECASE)


@dataclass
class Unmapped:
    path: str
    reason: str


@dataclass
class Normalised:
    path: str
    original: str
    stored: str


@dataclass
class MappedResume:
    """A JSON Resume document read into QH values, with what did not fit."""

    personal: dict[str, Any] = field(default_factory=dict)
    sections: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    unmapped: list[Unmapped] = field(default_factory=list)
    normalised: list[Normalised] = field(default_factory=list)


@cache
def validator() -> jsonschema.Draft7Validator:
    text = (
        resources.files("qh.user_data").joinpath("data/jsonresume-schema.json").read_text("utf-8")
    )
    return jsonschema.Draft7Validator(json.loads(text))


def json_path(parts: Any) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "$"


def schema_errors(document: Any, limit: int = 50) -> list[tuple[str, str]]:
    """Where ``document`` breaks the official JSON Resume schema."""
    errors = []
    for error in validator().iter_errors(document):
        errors.append((json_path(error.absolute_path), error.message[:300]))
        if len(errors) >= limit:
            break
    return errors


def _present(value: Any) -> bool:
    return value not in (None, "", [], {})


def _take(
    source: dict[str, Any],
    mapping: dict[str, str],
    path: str,
    out: MappedResume,
    skip: set[str] = frozenset(),  # type: ignore[assignment]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in source.items():
        if key in skip:
            continue
        if key in mapping:
            if _present(value):
                values[mapping[key]] = value
        elif _present(value):
            out.unmapped.append(Unmapped(f"{path}.{key}", "QH has no field for it"))
    return values


def skill_level(value: str) -> str | None:
    return SKILL_LEVELS.get(value.strip().casefold())


def language_level(value: str) -> str | None:
    if value.strip().casefold() in NATIVE:
        return "native"
    match = _CEFR.match(value)
    return match.group(1).upper() if match else None


REQUIRED = {
    "experience": ("company", "position", "start_date"),
    "education": ("institution",),
    "achievements": ("title",),
    "certificates": ("name",),
    "skills": ("name",),
    "languages": ("name", "level"),
    "projects": ("name",),
}


def read_resume(document: dict[str, Any]) -> MappedResume:
    """Map a schema-valid JSON Resume document to QH values."""
    out = MappedResume()
    for key, value in document.items():
        if key == "$schema" or key == "basics" or any(key == jr for jr, _ in SECTIONS.values()):
            continue
        if _present(value):
            out.unmapped.append(
                Unmapped(key, UNMAPPED_SECTIONS.get(key, "QH profiles have no such section"))
            )

    basics = document.get("basics") or {}
    if basics:
        out.personal = _take(basics, BASICS, "basics", out, skip={"location", "profiles", "image"})
        if _present(basics.get("image")):
            out.unmapped.append(Unmapped("basics.image", "QH profiles keep no photo"))
        location = basics.get("location") or {}
        if location:
            out.personal["location"] = _take(location, LOCATION, "basics.location", out) or None
        links = []
        for index, profile in enumerate(basics.get("profiles") or []):
            path = f"basics.profiles[{index}]"
            link = _take(profile, PROFILE_LINK, path, out)
            if not link.get("url") or not link.get("network"):
                if link:
                    out.unmapped.append(Unmapped(path, "a QH link needs both a network and a url"))
                continue
            links.append(link)
        if "profiles" in basics:
            out.personal["links"] = links

    for section, (key, mapping) in SECTIONS.items():
        rows: list[tuple[str, dict[str, Any]]] = []
        for index, item in enumerate(document.get(key) or []):
            path = f"{key}[{index}]"
            values = _take(item, mapping, path, out)
            if section == "skills" and "level" in values:
                level = skill_level(values["level"])
                if level is None:
                    out.unmapped.append(
                        Unmapped(
                            f"{path}.level",
                            "not a QH skill level (beginner, intermediate, advanced, expert)",
                        )
                    )
                    del values["level"]
                else:
                    if level != values["level"]:
                        out.normalised.append(Normalised(f"{path}.level", values["level"], level))
                    values["level"] = level
            if section == "languages":
                fluency = values.get("level")
                level = language_level(fluency) if fluency else None
                if fluency and level is None:
                    out.unmapped.append(
                        Unmapped(f"{path}.fluency", "not a CEFR level (A1…C2) or native")
                    )
                values["level"] = level
                name = values.get("name")
                if name and len(name) == 2 and language_code(name):
                    values["code"] = name.lower()
                    values["name"] = None
                elif name and (code := language_code(name)):
                    values["code"] = code
            missing = [name for name in REQUIRED[section] if not values.get(name)]
            if missing:
                names = ", ".join(_jr_name(section, name) for name in missing)
                out.unmapped.append(Unmapped(path, f"left out: QH needs {names}"))
                continue
            rows.append((path, values))
        if key in document:
            out.sections[section] = rows
    return out


def _jr_name(section: str, qh_field: str) -> str:
    if section == "languages" and qh_field == "level":
        return "fluency (a CEFR level or native)"
    for jr, qh in SECTIONS[section][1].items():
        if qh == qh_field:
            return jr
    return qh_field


def jr_field(section: str, path: str, qh_field: str) -> str:
    """The JSON Resume path of a QH field of an imported item (for error messages)."""
    name, _, rest = qh_field.partition("[")
    return f"{path}.{_jr_name(section, name)}" + (f"[{rest}" if rest else "")


def jr_personal_field(qh_field: str) -> str:
    inverse = {qh: jr for jr, qh in BASICS.items()}
    if qh_field in inverse:
        return f"basics.{inverse[qh_field]}"
    if qh_field.startswith("location."):
        inverse_location = {qh: jr for jr, qh in LOCATION.items()}
        name = qh_field.removeprefix("location.")
        return f"basics.location.{inverse_location.get(name, name)}"
    if qh_field.startswith("links["):
        return "basics.profiles" + qh_field.removeprefix("links")
    return f"basics.{qh_field}"


# --- export --------------------------------------------------------------------------------


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if _present(value):
        target[key] = value


def _level_label(level: str) -> str:
    return "Native speaker" if level == "native" else level


def write_resume(document: dict[str, Any]) -> dict[str, Any]:
    """A QH export (as builtins) → a JSON Resume document (official schema v1.0.0).

    Empty values are left out (the schema types every field as a string or a list)."""
    personal = document["personal"]
    basics: dict[str, Any] = {}
    for jr, qh in BASICS.items():
        _put(basics, jr, personal.get(qh))
    location = {
        jr: personal["location"][qh]
        for jr, qh in LOCATION.items()
        if _present((personal.get("location") or {}).get(qh))
    }
    _put(basics, "location", location)
    links = [
        {k: link[k] for k in ("network", "username", "url") if _present(link.get(k))}
        for link in personal.get("links") or []
    ]
    _put(basics, "profiles", links)

    resume: dict[str, Any] = {"$schema": SCHEMA_URL, "basics": basics}
    for section, (key, mapping) in SECTIONS.items():
        items = []
        for item in document.get(section) or []:
            entry: dict[str, Any] = {}
            for jr, qh in mapping.items():
                value = item.get(qh)
                if section == "skills" and qh == "level" and value:
                    value = value.capitalize()
                if section == "languages" and qh == "level":
                    value = _level_label(value)
                if section == "languages" and qh == "name" and not value:
                    value = language_name(item.get("code") or "") or item.get("code")
                _put(entry, jr, value)
            items.append(entry)
        resume[key] = items
    resume["meta"] = {"version": "v1.0.0", "lastModified": str(personal.get("updated_at") or "")}
    return resume
