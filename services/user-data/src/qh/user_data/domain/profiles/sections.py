"""The eleven sections of a profile (one for each JSON Resume section), each described once: its table, its wire types, its
value rules and how two items are recognised as the same one when merging an import."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from msgspec import UNSET, Struct, UnsetType

from qh.user_data.db import models
from qh.user_data.domain.profiles import schemas
from qh.user_data.domain.profiles.rules import Checker, DateRange, Kind, language_code

NaturalKey = Callable[[Mapping[str, Any]], tuple[Any, ...]]


def _fold(value: Any) -> str:
    return str(value or "").casefold().strip()


@dataclass(frozen=True)
class SectionSpec:
    name: str
    title: str
    model: type[models.SectionItem]
    create: type[Struct]
    patch: type[Struct]
    out: type[Struct]
    page: type[Struct]
    kinds: Mapping[str, Kind]
    required: tuple[str, ...]
    dates: tuple[DateRange, ...]
    natural_key: NaturalKey
    extra_rule: Callable[[Checker, dict[str, Any]], None] | None = None

    @property
    def fields(self) -> tuple[str, ...]:
        """The content fields of an item, in wire order (without id and order)."""
        return tuple(f for f in self.create.__struct_fields__ if f != "order")

    def check(self, checker: Checker, values: dict[str, Any]) -> None:
        checker.values(values, self.kinds, self.required)
        for rule in self.dates:
            checker.date_range(values, rule)
        if self.extra_rule is not None:
            self.extra_rule(checker, values)

    def to_out(self, item: models.SectionItem) -> Struct:
        values = {name: getattr(item, name) for name in self.fields}
        return self.out(
            id=item.id,
            order=item.sort_order,
            created_at=item.created_at,
            updated_at=item.updated_at,
            **values,
        )


def _patch_type(create: type[Struct], name: str) -> type[Struct]:
    fields = []
    for info in msgspec.structs.fields(create):
        fields.append((info.name, info.type | UnsetType, UNSET))  # type: ignore[operator]
    patch = msgspec.defstruct(
        name, fields, kw_only=True, forbid_unknown_fields=True, module=schemas.__name__
    )
    patch.__doc__ = (
        f"Changes to one {name.removesuffix('Patch').lower()} item: a field left out stays, "
        "null clears it (required fields cannot be null)."
    )
    return patch


def _out_type(create: type[Struct], name: str) -> type[Struct]:
    fields: list[tuple[str, Any]] = [("id", UUID), ("order", schemas.Order)]
    for info in msgspec.structs.fields(create):
        if info.name != "order":
            fields.append((info.name, info.type))
    fields += [("created_at", datetime), ("updated_at", datetime)]
    out = msgspec.defstruct(name, fields, kw_only=True, module=schemas.__name__)
    out.__doc__ = create.__doc__
    return out


def _page_type(out: type[Struct], name: str) -> type[Struct]:
    page = msgspec.defstruct(
        f"{name}Page",
        [("items", list[out]), ("total", int), ("limit", int), ("offset", int)],  # type: ignore[valid-type]
        kw_only=True,
        module=schemas.__name__,
    )
    page.__doc__ = f"One page of the {name.lower()} section, in the candidate's order."
    return page


def _language_rule(checker: Checker, values: dict[str, Any]) -> None:
    if not values.get("name") and not values.get("code"):
        checker.fail("name", "give the language's name or its ISO 639-1 code")


def _reference_rule(checker: Checker, values: dict[str, Any]) -> None:
    if not values.get("name") and not values.get("reference"):
        checker.fail("reference", "give who the reference is or what they say")


def _spec(
    name: str,
    title: str,
    model: type[models.SectionItem],
    create: type[Struct],
    kinds: Mapping[str, Kind],
    required: tuple[str, ...],
    natural_key: NaturalKey,
    dates: tuple[DateRange, ...] = (),
    extra_rule: Callable[[Checker, dict[str, Any]], None] | None = None,
) -> SectionSpec:
    type_name = create.__name__.removesuffix("In")
    out = _out_type(create, type_name)
    return SectionSpec(
        name=name,
        title=title,
        model=model,
        create=create,
        patch=_patch_type(create, f"{type_name}Patch"),
        out=out,
        page=_page_type(out, type_name),
        kinds=kinds,
        required=required,
        dates=dates,
        natural_key=natural_key,
        extra_rule=extra_rule,
    )


L, T = Kind.LINE, Kind.TEXT

SECTIONS: dict[str, SectionSpec] = {
    spec.name: spec
    for spec in (
        _spec(
            "education",
            "Education",
            models.Education,
            schemas.EducationIn,
            {
                "institution": L,
                "degree": L,
                "field": L,
                "url": Kind.URL,
                "start_date": Kind.DATE,
                "end_date": Kind.DATE,
                "grade": L,
                "courses": Kind.LINES,
            },
            ("institution",),
            lambda v: (
                _fold(v.get("institution")),
                _fold(v.get("degree")),
                v.get("start_date") or "",
            ),
            (DateRange("start_date", "end_date"),),
        ),
        _spec(
            "experience",
            "Experience",
            models.Experience,
            schemas.ExperienceIn,
            {
                "company": L,
                "position": L,
                "location": L,
                "url": Kind.URL,
                "company_description": T,
                "start_date": Kind.DATE,
                "end_date": Kind.DATE,
                "description": T,
                "highlights": Kind.LINES,
                "skills": Kind.LINES,
            },
            ("company", "position", "start_date"),
            lambda v: (
                _fold(v.get("company")),
                _fold(v.get("position")),
                v.get("start_date") or "",
            ),
            (DateRange("start_date", "end_date"),),
        ),
        _spec(
            "skills",
            "Skills",
            models.Skill,
            schemas.SkillIn,
            {"name": L, "level_text": L, "keywords": Kind.LINES},
            ("name",),
            lambda v: (_fold(v.get("name")),),
        ),
        _spec(
            "languages",
            "Languages",
            models.Language,
            schemas.LanguageIn,
            {"name": L, "code": Kind.LANGUAGE, "level_text": L},
            (),
            lambda v: (
                v.get("code") or language_code(str(v.get("name") or "")) or _fold(v.get("name")),
            ),
            extra_rule=_language_rule,
        ),
        _spec(
            "achievements",
            "Achievements",
            models.Achievement,
            schemas.AchievementIn,
            {"title": L, "date": Kind.PAST_DATE, "awarder": L, "description": T},
            ("title",),
            lambda v: (_fold(v.get("title")), v.get("date") or ""),
        ),
        _spec(
            "certificates",
            "Certificates",
            models.Certificate,
            schemas.CertificateIn,
            {"name": L, "issuer": L, "date": Kind.PAST_DATE, "url": Kind.URL},
            ("name",),
            lambda v: (_fold(v.get("name")), v.get("date") or ""),
        ),
        _spec(
            "projects",
            "Projects",
            models.Project,
            schemas.ProjectIn,
            {
                "name": L,
                "description": T,
                "url": Kind.URL,
                "entity": L,
                "type": L,
                "start_date": Kind.DATE,
                "end_date": Kind.DATE,
                "roles": Kind.LINES,
                "highlights": Kind.LINES,
                "keywords": Kind.LINES,
            },
            ("name",),
            lambda v: (_fold(v.get("name")),),
            (DateRange("start_date", "end_date"),),
        ),
        _spec(
            "volunteer",
            "Volunteer",
            models.Volunteer,
            schemas.VolunteerIn,
            {
                "organization": L,
                "position": L,
                "url": Kind.URL,
                "start_date": Kind.DATE,
                "end_date": Kind.DATE,
                "description": T,
                "highlights": Kind.LINES,
            },
            ("organization",),
            lambda v: (
                _fold(v.get("organization")),
                _fold(v.get("position")),
                v.get("start_date") or "",
            ),
            (DateRange("start_date", "end_date"),),
        ),
        _spec(
            "publications",
            "Publications",
            models.Publication,
            schemas.PublicationIn,
            {
                "name": L,
                "publisher": L,
                "release_date": Kind.PAST_DATE,
                "url": Kind.URL,
                "description": T,
            },
            ("name",),
            lambda v: (_fold(v.get("name")),),
        ),
        _spec(
            "interests",
            "Interests",
            models.Interest,
            schemas.InterestIn,
            {"name": L, "keywords": Kind.LINES},
            ("name",),
            lambda v: (_fold(v.get("name")),),
        ),
        _spec(
            "references",
            "References",
            models.Reference,
            schemas.ReferenceIn,
            {"name": L, "reference": T},
            (),
            lambda v: (_fold(v.get("name")), _fold(v.get("reference"))),
            extra_rule=_reference_rule,
        ),
    )
}
