"""JSON Resume ↔ QH profile: which field maps where, and what cannot be mapped.

Pure functions: no database, no HTTP. The service validates what these produce with the
same rules as the API.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from qh.nlp import cefr_level, find_languages
from qh.user_data.domain.exchange.mapped import Mapped, Normalised, Unmapped, present
from qh.user_data.domain.profiles.rules import language_code, language_name

SCHEMA_URL = "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json"

BASICS = {
    "name": "full_name",
    "label": "headline",
    "image": "image",
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

# section → (JSON Resume key, {JSON Resume field: QH field}); every JSON Resume section.
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
    "volunteer": (
        "volunteer",
        {
            "organization": "organization",
            "position": "position",
            "url": "url",
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
    "publications": (
        "publications",
        {
            "name": "name",
            "publisher": "publisher",
            "releaseDate": "release_date",
            "url": "url",
            "summary": "description",
        },
    ),
    "skills": ("skills", {"name": "name", "level": "level_text", "keywords": "keywords"}),
    "languages": ("languages", {"language": "name", "fluency": "level_text"}),
    "interests": ("interests", {"name": "name", "keywords": "keywords"}),
    "references": ("references", {"name": "name", "reference": "reference"}),
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

SKILL_LEVELS = {
    "beginner": "beginner",
    "novice": "beginner",
    "basic": "beginner",
    "elementary": "beginner",
    "junior": "beginner",
    "intermediate": "intermediate",
    "middle": "intermediate",
    "advanced": "advanced",
    "senior": "advanced",
    "expert": "expert",
    "master": "expert",
}
_CEFR = re.compile(r"^\s*([ABC][12])\s*$", re.IGNORECASE)

# What an item of a section needs; an item without it is left out (and reported).
REQUIRED = {
    "experience": ("company", "position", "start_date"),
    "volunteer": ("organization",),
    "education": ("institution",),
    "achievements": ("title",),
    "certificates": ("name",),
    "publications": ("name",),
    "skills": ("name",),
    "languages": ("name",),
    "interests": ("name",),
    "references": (),
    "projects": ("name",),
}


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


def take(source: dict[str, Any], mapping: dict[str, str], path: str, out: Mapped) -> dict[str, Any]:
    """The mapped fields of ``source`` (empty values and blank list entries left out);
    keys the mapping does not know are reported as unmapped."""
    values: dict[str, Any] = {}
    for key, value in source.items():
        if key not in mapping:
            if present(value):
                out.unmapped.append(Unmapped(f"{path}.{key}", "QH has no field for it"))
            continue
        if isinstance(value, list):
            value = [v for v in value if not (isinstance(v, str) and not v.strip())]
        if present(value):
            values[mapping[key]] = value
    return values


def skill_level(value: str) -> str | None:
    return SKILL_LEVELS.get(value.strip().casefold())


def language_level(value: str) -> str | None:
    """CEFR or native from a code (``b2``), LinkedIn's and the usual English and Russian
    words (``Fluent``, ``Professional working proficiency``, ``родной``): ``qh.nlp``."""
    if match := _CEFR.match(value):
        return match.group(1).upper()
    return cefr_level(value)


def code_of_language(name: str) -> str | None:
    """The ISO 639-1 code of a language written as a code, an English name or a Russian
    or English word for it (``русский``)."""
    code = language_code(name)
    if code:
        return code
    found = find_languages(name)
    return found[0].code if len(found) == 1 else None


def note_levels(section: str, path: str, values: dict[str, Any], out: Mapped) -> None:
    """Read the level wording of a skill or a language (kept as written in ``level_text``)."""
    text = values.get("level_text")
    if section == "skills" and text:
        level = skill_level(text)
        values["level"] = level
        field = f"{path}.level"
        if level is None:
            out.normalised.append(Normalised(field, text, "level unknown (wording kept)"))
        elif level != text:
            out.normalised.append(Normalised(field, text, level))
    if section == "languages":
        name = values.get("name")
        if name and (code := code_of_language(name)):
            values["code"] = code
        if text:
            level = language_level(text)
            values["level"] = level
            field = f"{path}.fluency"
            if level is None:
                out.normalised.append(Normalised(field, text, "level unknown (wording kept)"))
            elif level != text:
                out.normalised.append(Normalised(field, text, level))


def read_resume(document: dict[str, Any]) -> Mapped:
    """Map a schema-valid JSON Resume document to QH values."""
    out = Mapped(fmt="jsonresume", personal_namer=jr_personal_field)
    keys = {jr for jr, _ in SECTIONS.values()} | {"$schema", "basics"}
    for key, value in document.items():
        if key in keys:
            continue
        if key == "meta":
            out.unmapped.append(Unmapped(key, "document metadata is written anew on export"))
        elif present(value):
            out.unmapped.append(Unmapped(key, "QH profiles have no such section"))

    basics = document.get("basics") or {}
    location = basics.get("location") or {}
    profiles = basics.get("profiles") or []
    out.personal = take(
        {k: v for k, v in basics.items() if k not in ("location", "profiles")},
        BASICS,
        "basics",
        out,
    )
    if "location" in basics:
        out.personal["location"] = take(location, LOCATION, "basics.location", out) or None
    if "profiles" in basics:
        links = []
        for index, profile in enumerate(profiles):
            link = take(profile, PROFILE_LINK, f"basics.profiles[{index}]", out)
            if link:
                links.append(link)
        out.personal["links"] = links

    for section, (key, mapping) in SECTIONS.items():
        names = {qh: jr for jr, qh in mapping.items()}
        if section == "languages":
            names["level"] = "fluency"
        if section == "skills":
            names["level"] = "level"
        rows = out.sections.setdefault(section, [])
        for index, item in enumerate(document.get(key) or []):
            path = f"{key}[{index}]"
            values = take(item, mapping, path, out)
            if not values:
                if present(item):
                    out.unmapped.append(Unmapped(path, "left out: nothing QH can keep"))
                continue
            note_levels(section, path, values, out)
            missing = [names.get(f, f) for f in REQUIRED[section] if not values.get(f)]
            if missing:
                out.unmapped.append(Unmapped(path, f"left out: QH needs {', '.join(missing)}"))
                continue
            rows.append((path, values, names))
    return out


def jr_personal_field(qh_field: str) -> str:
    """The JSON Resume path of a personal field (for error messages)."""
    root, sep, rest = qh_field.partition(".")
    if root.startswith("links"):
        return "basics.profiles" + qh_field[len("links") :]
    if root == "location" and sep:
        inverse_location = {qh: jr for jr, qh in LOCATION.items()}
        return f"basics.location.{inverse_location.get(rest, rest)}"
    inverse = {qh: jr for jr, qh in BASICS.items()}
    return f"basics.{inverse.get(qh_field, qh_field)}"


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if present(value):
        target[key] = value


def fluency(item: dict[str, Any]) -> str | None:
    """A language's level for JSON Resume: the candidate's wording while it still means the
    stored level, else the level (``Native speaker`` or the CEFR code)."""
    text, level = item.get("level_text"), item.get("level")
    if text and (level is None or language_level(text) == level):
        return str(text)
    if level is None:
        return None
    return "Native speaker" if level == "native" else str(level)


def skill_label(item: dict[str, Any]) -> str | None:
    text, level = item.get("level_text"), item.get("level")
    if text and (level is None or skill_level(text) == level):
        return str(text)
    return str(level).capitalize() if level else None


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
        if present((personal.get("location") or {}).get(qh))
    }
    _put(basics, "location", location)
    links = [
        {k: link[k] for k in ("network", "username", "url") if present(link.get(k))}
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
                if section == "skills" and qh == "level_text":
                    value = skill_label(item)
                if section == "languages" and qh == "level_text":
                    value = fluency(item)
                if section == "languages" and qh == "name" and not value:
                    value = language_name(item.get("code") or "") or item.get("code")
                _put(entry, jr, value)
            items.append(entry)
        resume[key] = items
    resume["meta"] = {"version": "v1.0.0", "lastModified": str(personal.get("updated_at") or "")}
    return resume
