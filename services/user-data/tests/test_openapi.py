"""The OpenAPI document is a usable manual, and a bounded schemathesis run over it finds no
server error and no response that breaks the schema."""

from __future__ import annotations

import zlib
from typing import Any

import anyio
import anyio.from_thread
import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from qh.user_data.domain.profiles.sections import SECTIONS

EXAMPLES_PER_OPERATION = 12


async def test_docs_are_public(client) -> None:
    r = await client.get("/api/v1/profile/openapi.json")
    assert r.status_code == 200
    assert (await client.get("/api/v1/profile/docs")).status_code == 200
    paths = r.json()["paths"]
    for section in SECTIONS:
        assert set(paths[f"/api/v1/profile/me/{section}"]) == {"get", "post"}
        assert set(paths[f"/api/v1/profile/me/{section}/{{item_id}}"]) == {
            "get",
            "put",
            "patch",
            "delete",
        }
    assert set(paths["/api/v1/profile/me"]) == {"get", "put", "patch"}
    assert "/api/v1/profile/me/export" in paths
    assert "/api/v1/profile/me/import" in paths
    assert "/api/v1/profile/users/{user_id}/export" in paths


async def test_every_schema_has_a_description_and_examples_in_two_languages(client) -> None:
    schemas = (await client.get("/api/v1/profile/openapi.json")).json()["components"]["schemas"]
    assert len(schemas) > 30
    for name, schema in schemas.items():
        assert schema.get("description"), name
        assert len(schema.get("examples") or []) >= 2, name
    personal = schemas["PersonalData"]["examples"]
    assert personal[0]["full_name"] == "Иван Петров"
    assert personal[1]["full_name"] == "Emily Carter"


def _send(client: httpx.AsyncClient, kwargs: dict[str, Any]) -> httpx.Response:
    request: dict[str, Any] = {
        "method": kwargs["method"],
        "url": kwargs["url"],
        "headers": kwargs.get("headers"),
        "params": kwargs.get("params"),
    }
    if "json" in kwargs:
        request["json"] = kwargs["json"]
    elif kwargs.get("data") is not None:
        request["content"] = kwargs["data"]
    return anyio.from_thread.run(lambda: client.request(**request))


async def test_schemathesis_finds_no_server_error(shared, client, ud) -> None:
    schema = schemathesis.openapi.from_dict(shared.app.openapi_schema.to_schema())
    operations = [result.ok() for result in schema.get_all_operations()]
    user = ud.User(client, shared.tokens)
    headers = user.headers
    # Item routes get a real item of the caller half of the time, so generated PUT and
    # PATCH bodies reach the rules instead of stopping at 404.
    items: dict[str, str] = {}

    async def new_item(section: str) -> None:
        response = await user.post(f"/me/{section}", json=ud.VALID[section])
        assert response.status_code == 201, response.text
        items[section] = response.json()["id"]

    for section in ud.VALID:
        await new_item(section)
    checks = [
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
        content_type_conformance,
    ]

    def run(operation: Any) -> None:
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            section = (
                operation.path.split("/")[-2] if operation.path.endswith("{item_id}") else None
            )
            if section in items and zlib.crc32(str(case.path_parameters).encode()) % 2 == 0:
                case.path_parameters["item_id"] = items[section]
            kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
            response = _send(client, kwargs)
            case.validate_response(response, checks=checks)
            if section and operation.method.upper() == "DELETE" and response.status_code == 204:
                anyio.from_thread.run(new_item, section)

        check()

    def run_all() -> None:
        for operation in operations:
            run(operation)

    await anyio.to_thread.run_sync(run_all)


async def test_the_request_examples_are_accepted(client, alice, bob) -> None:
    schemas = (await client.get("/api/v1/profile/openapi.json")).json()["components"]["schemas"]
    ru, en = schemas["PersonalDataIn"]["examples"]
    assert (await alice.put("/me", json=ru)).status_code == 200
    assert (await bob.put("/me", json=en)).status_code == 200
    assert (
        await alice.patch("/me", json=schemas["PersonalDataPatch"]["examples"][0])
    ).status_code == 200
    names = {
        "EducationIn": "education",
        "ExperienceIn": "experience",
        "SkillIn": "skills",
        "LanguageIn": "languages",
        "AchievementIn": "achievements",
        "CertificateIn": "certificates",
        "ProjectIn": "projects",
    }
    for schema, section in names.items():
        for user, example in zip((alice, bob), schemas[schema]["examples"], strict=True):
            r = await user.post(f"/me/{section}", json=example)
            assert r.status_code == 201, (schema, r.text)
    r = await alice.post(
        "/me/import?mode=merge",
        json=(await client.get("/api/v1/profile/openapi.json")).json()["paths"][
            "/api/v1/profile/me/import"
        ]["post"]["requestBody"]["content"]["application/json"]["schema"]["examples"][0],
    )
    assert r.status_code == 200, r.text
