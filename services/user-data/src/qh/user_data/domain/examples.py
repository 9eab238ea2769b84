"""Examples for every schema of the OpenAPI document: a Russian-speaking candidate and an
English-speaking one, so the Swagger page reads as a manual."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar
from litestar.openapi.spec import (
    Components,
    OpenAPIMediaType,
    OpenAPIType,
    Reference,
    RequestBody,
    Schema,
)

from qh.user_data.domain.exchange import resume_file
from qh.user_data.domain.profiles import schemas
from qh.user_data.domain.profiles.sections import SECTIONS

RU_ID, EN_ID = "0193a0c4-6f1e-7c2a-9d3b-1f2e3d4c5b6a", "0193a0c4-7a2b-7d3c-8e4f-2a3b4c5d6e7f"
ITEM_ID, WHEN = "0193a0c5-1b2c-7e3d-9f4a-5b6c7d8e9f0a", "2026-11-20T09:30:00+00:00"

RU_LOCATION = {"city": "Москва", "country_code": "RU"}
EN_LOCATION = {"city": "London", "region": "England", "country_code": "GB"}
RU_LINKS = [
    {"network": "GitHub", "url": "https://github.com/ivan-petrov", "username": "ivan-petrov"}
]
EN_LINKS = [{"network": "LinkedIn", "url": "https://www.linkedin.com/in/emily-carter"}]

RU_PERSONAL = {
    "full_name": "Иван Петров",
    "headline": "Python-разработчик",
    "email": "ivan.petrov@example.ru",
    "phone": "+79161234567",
    "website": "https://ivanpetrov.example.ru",
    "location": RU_LOCATION,
    "links": RU_LINKS,
    "summary": "Пишу бэкенд на Python 6 лет: Litestar, PostgreSQL, очереди. Люблю тесты 🚀",
    "birth_date": "1994-03-12",
    "citizenship": "RU",
    "desired_position": "Senior Python-разработчик",
    "desired_salary": {"amount": 350000, "currency": "RUB"},
    "relocation": False,
    "resume_languages": ["ru", "en"],
}
EN_PERSONAL = {
    "full_name": "Emily Carter",
    "headline": "Data engineer",
    "email": "emily.carter@example.com",
    "phone": "+442071838750",
    "website": None,
    "location": EN_LOCATION,
    "links": EN_LINKS,
    "summary": "Data engineer building reliable pipelines on Spark and dbt.",
    "birth_date": None,
    "citizenship": "GB",
    "desired_position": "Lead data engineer",
    "desired_salary": {"amount": 7500, "currency": "GBP"},
    "relocation": True,
    "resume_languages": ["en"],
}

SECTION_EXAMPLES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "Education": (
        {
            "institution": "МГТУ им. Н. Э. Баумана",
            "degree": "Бакалавр",
            "field": "Информатика",
            "url": "https://bmstu.ru",
            "start_date": "2011-09",
            "end_date": "2015-06",
            "grade": "4.8",
            "courses": ["Базы данных", "Компиляторы"],
        },
        {
            "institution": "University of Manchester",
            "degree": "MSc",
            "field": "Data Science",
            "url": "https://www.manchester.ac.uk",
            "start_date": "2016",
            "end_date": "2017",
            "grade": "Distinction",
            "courses": [],
        },
    ),
    "Experience": (
        {
            "company": "Яндекс",
            "position": "Python-разработчик",
            "location": "Москва",
            "url": "https://yandex.ru",
            "company_description": "Поисковая система",
            "start_date": "2019-02",
            "end_date": None,
            "description": "Разрабатываю сервисы профилей.",
            "highlights": ["Ускорил выдачу в 3 раза"],
            "skills": ["Python", "PostgreSQL"],
        },
        {
            "company": "Monzo",
            "position": "Data engineer",
            "location": "London",
            "url": "https://monzo.com",
            "company_description": None,
            "start_date": "2018-01",
            "end_date": "2023-06",
            "description": "Built the payments data platform.",
            "highlights": ["Cut pipeline costs by 40%"],
            "skills": ["Spark", "dbt"],
        },
    ),
    "Skill": (
        {"name": "Python", "level": "expert", "years": 6, "keywords": ["asyncio", "Litestar"]},
        {"name": "SQL", "level": "advanced", "years": 8, "keywords": ["PostgreSQL", "BigQuery"]},
    ),
    "Language": (
        {"name": "Русский", "code": "ru", "level": "native", "level_text": "родной"},
        {
            "name": "German",
            "code": "de",
            "level": "B2",
            "level_text": "Professional working proficiency",
        },
    ),
    "Achievement": (
        {
            "title": "Победитель хакатона «Цифровой прорыв»",
            "date": "2021-10",
            "awarder": "АНО «Россия — страна возможностей»",
            "description": "Первое место в треке по машинному обучению.",
        },
        {"title": "Employee of the year", "date": "2022", "awarder": "Monzo", "description": None},
    ),
    "Certificate": (
        {
            "name": "Yandex Cloud Certified Engineer",
            "issuer": "Яндекс",
            "date": "2023-05",
            "url": "https://cloud.yandex.ru/certification",
        },
        {
            "name": "AWS Certified Data Engineer",
            "issuer": "Amazon Web Services",
            "date": "2024-02",
            "url": None,
        },
    ),
    "Project": (
        {
            "name": "pymorphy-fast",
            "description": "Морфология русского языка на Rust.",
            "url": "https://github.com/ivan-petrov/pymorphy-fast",
            "entity": None,
            "type": "library",
            "start_date": "2022",
            "end_date": None,
            "roles": ["Автор"],
            "highlights": ["500 звёзд на GitHub"],
            "keywords": ["Rust", "NLP"],
        },
        {
            "name": "Open transit data",
            "description": "Live bus positions for London.",
            "url": "https://transit.example.com",
            "entity": "TfL hackathon",
            "type": "application",
            "start_date": "2020-03",
            "end_date": "2020-04",
            "roles": ["Lead"],
            "highlights": [],
            "keywords": ["Kafka"],
        },
    ),
    "Volunteer": (
        {
            "organization": "Фонд «Время жить»",
            "position": "Волонтёр-программист",
            "url": None,
            "start_date": "2020-05",
            "end_date": "2021",
            "description": "Сайт и CRM для фонда.",
            "highlights": ["Перевёл учёт подопечных в CRM"],
        },
        {
            "organization": "CoderDojo",
            "position": "Mentor",
            "url": "https://coderdojo.com",
            "start_date": "2019",
            "end_date": None,
            "description": None,
            "highlights": [],
        },
    ),
    "Publication": (
        {
            "name": "Асинхронный Python без боли",
            "publisher": "Хабр",
            "release_date": "2023-04",
            "url": "https://habr.com/ru/articles/1",
            "description": None,
        },
        {
            "name": "Streaming joins at scale",
            "publisher": "Data Council",
            "release_date": "2022-11",
            "url": None,
            "description": "A talk on Kafka Streams state stores.",
        },
    ),
    "Interest": (
        {"name": "Шахматы", "keywords": ["блиц"]},
        {"name": "Climbing", "keywords": ["bouldering"]},
    ),
    "Reference": (
        {"name": "Анна Смирнова, тимлид в Яндексе", "reference": "Иван — надёжный инженер."},
        {"name": "Tom Baker", "reference": None},
    ),
}


def _item(example: dict[str, Any], order: int = 0) -> dict[str, Any]:
    return {"id": ITEM_ID, "order": order, **example, "created_at": WHEN, "updated_at": WHEN}


def schema_examples() -> dict[str, list[Any]]:
    examples: dict[str, list[Any]] = {
        "PersonalDataIn": [RU_PERSONAL, EN_PERSONAL],
        "PersonalDataPatch": [
            {"headline": "Senior Python-разработчик", "phone": "8 (916) 123-45-67"},
            {"website": None, "relocation": True},
        ],
        "PersonalData": [
            {"user_id": RU_ID, **RU_PERSONAL, "revision": 12, "updated_at": WHEN},
            {"user_id": EN_ID, **EN_PERSONAL, "revision": 3, "updated_at": WHEN},
        ],
        "Location": [RU_LOCATION, EN_LOCATION],
        "Link": [RU_LINKS[0], EN_LINKS[0]],
        "Salary": [{"amount": 350000, "currency": "RUB"}, {"amount": 7500, "currency": "GBP"}],
        "ProblemBody": [
            {
                "type": "https://qh.dev/problems/validation",
                "title": "Invalid request",
                "status": 422,
                "detail": "The personal data is not valid",
                "errors": [{"field": "phone", "message": "is not a valid phone number"}],
            },
            {
                "type": "https://qh.dev/problems/not-found",
                "title": "Not Found",
                "status": 404,
                "detail": "Not found",
            },
        ],
        "FieldError": [
            {"field": "end_date", "message": "must not be before start_date"},
            {
                "field": "location.country_code",
                "message": "must be an ISO 3166-1 alpha-2 country code, e.g. RU or US",
            },
        ],
        "UnmappedEntry": [
            {"path": "hobbies", "reason": "QH profiles have no such section"},
            {"path": "work[0].team", "reason": "QH has no field for it"},
        ],
        "NormalisedEntry": [
            {"path": "basics.phone", "original": "8 (916) 123-45-67", "stored": "+79161234567"},
            {"path": "skills[0].level", "original": "Master", "stored": "expert"},
        ],
        "ImportReport": [
            {
                "format": "jsonresume",
                "mode": "replace",
                "revision": 13,
                "imported": {"experience": 2, "skills": 5},
                "updated": {},
                "removed": {"experience": 1},
                "unmapped": [{"path": "basics.pronouns", "reason": "QH has no field for it"}],
                "normalised": [],
            },
            {
                "format": "jsonresume",
                "mode": "merge",
                "revision": 4,
                "imported": {"projects": 1},
                "updated": {"experience": 1},
                "removed": {},
                "unmapped": [],
                "normalised": [],
            },
        ],
    }
    documents = []
    for personal, user_id, index in ((RU_PERSONAL, RU_ID, 0), (EN_PERSONAL, EN_ID, 1)):
        doc: dict[str, Any] = {
            "schema_version": "1.0",
            "personal": {"user_id": user_id, **personal, "revision": 12, "updated_at": WHEN},
        }
        for name, section in zip(SECTIONS, SECTION_EXAMPLES.values(), strict=True):
            doc[name] = [_item(section[index])]
        documents.append(doc)
    examples["ProfileDocument"] = documents
    examples.update(resume_file.schema_examples(documents))
    examples["JsonResumeDocument"] = [
        {
            "$schema": "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json",
            "basics": {
                "name": "Иван Петров",
                "label": "Python-разработчик",
                "email": "ivan.petrov@example.ru",
                "phone": "+79161234567",
                "location": {"city": "Москва", "countryCode": "RU"},
            },
            "work": [{"name": "Яндекс", "position": "Python-разработчик", "startDate": "2019-02"}],
            "education": [],
            "awards": [],
            "certificates": [],
            "skills": [{"name": "Python", "level": "Expert"}],
            "languages": [{"language": "Русский", "fluency": "Native speaker"}],
            "projects": [],
            "meta": {"version": "v1.0.0", "lastModified": WHEN},
        },
        {
            "$schema": "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json",
            "basics": {
                "name": "Emily Carter",
                "label": "Data engineer",
                "email": "emily.carter@example.com",
            },
            "work": [
                {
                    "name": "Monzo",
                    "position": "Data engineer",
                    "startDate": "2018-01",
                    "endDate": "2023-06",
                }
            ],
            "education": [],
            "awards": [],
            "certificates": [],
            "skills": [],
            "languages": [],
            "projects": [],
            "meta": {"version": "v1.0.0", "lastModified": WHEN},
        },
    ]
    for name, (ru, en) in SECTION_EXAMPLES.items():
        examples[f"{name}In"] = [ru, en]
        examples[name] = [_item(ru), _item(en, 1)]
        first = next(iter(ru))
        examples[f"{name}Patch"] = [{first: ru[first]}, {"order": 0}]
        examples[f"{name}Page"] = [
            {"items": [_item(ru)], "total": 1, "limit": 50, "offset": 0},
            {"items": [_item(en)], "total": 1, "limit": 50, "offset": 0},
        ]
    return examples


_SCHEMA_KEYS = {"$ref": "ref", "anyOf": "any_of", "additionalProperties": "additional_properties"}


def _openapi(node: Any) -> Any:
    """A JSON Schema (msgspec's) as Litestar's OpenAPI objects."""
    if isinstance(node, list):
        return [_openapi(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return Reference(ref=node["$ref"])
    fields: dict[str, Any] = {}
    for key, value in node.items():
        name = _SCHEMA_KEYS.get(key) or "".join(f"_{c.lower()}" if c.isupper() else c for c in key)
        if name == "type":
            fields[name] = OpenAPIType(value)
        elif name == "properties":
            fields[name] = {k: _openapi(v) for k, v in value.items()}
        elif name in {"items", "any_of", "additional_properties"}:
            fields[name] = _openapi(value)
        else:
            fields[name] = value
    return Schema(**fields)


def _request_bodies(app: Litestar) -> None:
    """The item and personal-data routes read their bodies themselves (to report every
    problem at once), so their request bodies are described here from the wire types."""
    openapi = app.openapi_schema
    routes: dict[tuple[str, str], type[msgspec.Struct]] = {
        ("/me", "put"): schemas.PersonalDataIn,
        ("/me", "patch"): schemas.PersonalDataPatch,
    }
    for name, spec in SECTIONS.items():
        routes[(f"/me/{name}", "post")] = spec.create
        routes[(f"/me/{name}/{{item_id}}", "put")] = spec.create
        routes[(f"/me/{name}/{{item_id}}", "patch")] = spec.patch
    _, found = msgspec.json.schema_components(
        list(dict.fromkeys(routes.values())), ref_template="#/components/schemas/{name}"
    )
    if openapi.components is None:
        openapi.components = Components()
    if openapi.components.schemas is None:
        openapi.components.schemas = {}
    for name, schema in found.items():
        openapi.components.schemas.setdefault(name, _openapi(schema))
    for (path, method), struct in routes.items():
        item = (openapi.paths or {}).get(f"/api/v1/profile{path}")
        operation = getattr(item, method, None) if item is not None else None
        if operation is not None:
            operation.request_body = RequestBody(
                content={
                    "application/json": OpenAPIMediaType(
                        schema=Reference(ref=f"#/components/schemas/{struct.__name__}")
                    )
                },
                required=True,
            )


def document_schemas(app: Litestar, _context: object = None) -> None:
    """Put an example (and a description where a type has none) on every schema (the
    service's ``configure_app``)."""
    _request_bodies(app)
    openapi = app.openapi_schema
    examples = schema_examples()
    components = openapi.components.schemas if openapi.components else None
    for name, schema in (components or {}).items():
        if not hasattr(schema, "examples"):
            continue
        key = name.rsplit("_", 1)[-1]
        found = examples.get(name) or examples.get(key)
        if found:
            schema.examples = found
        if not schema.description:
            schema.description = f"{key} (see the operations that use it)."
    # The import route reads its body itself (to check it against the JSON Resume schema).
    item = (openapi.paths or {}).get("/api/v1/profile/me/import")
    if item is not None and item.post is not None:
        document = Schema(
            type=OpenAPIType.OBJECT,
            description="A JSON Resume document (https://jsonresume.org/schema, v1.0.0)",
            examples=[_SAMPLE_IMPORT],
        )
        item.post.request_body = RequestBody(
            content={"application/json": OpenAPIMediaType(schema=document)}, required=True
        )


_SAMPLE_IMPORT = {
    "basics": {
        "name": "Иван Петров",
        "label": "Python-разработчик",
        "email": "ivan.petrov@example.ru",
        "phone": "8 (916) 123-45-67",
        "location": {"city": "Москва", "countryCode": "RU"},
    },
    "work": [{"name": "Яндекс", "position": "Python-разработчик", "startDate": "2019-02"}],
    "skills": [{"name": "Python", "level": "Expert", "keywords": ["asyncio"]}],
    "languages": [{"language": "Russian", "fluency": "Native speaker"}],
}
