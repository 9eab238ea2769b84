"""Reading and writing the platform's shared records through the Invoker with the caller's
own token forwarded (the other service decides what is theirs: another user's vacancy is
job-data's 404 and ours). Used by the generators (resume-generation, cover-letters).

- :func:`fetch_profile` — the caller's whole profile (user-data's QH export);
- :func:`fetch_vacancy` — a saved vacancy (job-data);
- :func:`fetch_json` — any JSON object another service answers with (404 → ``NotFound``);
- :func:`store_origin_export` — a generator's export stored in doc-storage
  (``PUT /internal/origin/{kind}/{origin_id}/content``): the first creates the document,
  every later one is its next version.

An unreachable service or an unexpected answer is ``ServiceUnavailable`` (503).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
import msgspec

from qh.kit.problems import NotFound, ServiceUnavailable
from qh.kit.runtime import Invoker, RuntimeCallError

USER_DATA, JOB_DATA, DOC_STORAGE = "user-data", "job-data", "doc-storage"
PROFILE_EXPORT = "/api/v1/profile/me/export"
VACANCY = "/api/v1/vacancies/{id}"
ORIGIN_CONTENT = "/api/v1/documents/internal/origin/{kind}/{id}/content"


async def fetch_json(
    invoker: Invoker, app_id: str, path: str, token: str, what: str, **params: str
) -> dict[str, Any]:
    """``GET`` a JSON object from another service as the caller."""
    try:
        response = await invoker.invoke(
            app_id, "GET", path, params=params or None,
            headers={"Authorization": f"Bearer {token}"}, timeout=10.0,
        )  # fmt: skip
    except (RuntimeCallError, httpx.HTTPError) as exc:
        raise ServiceUnavailable(f"{app_id} could not be reached for the {what}") from exc
    if response.status_code == 404:
        raise NotFound(f"The {what} was not found")
    if response.status_code != 200:
        raise ServiceUnavailable(f"{app_id} answered {response.status_code} for the {what}")
    try:
        body = response.json()
    except ValueError as exc:
        raise ServiceUnavailable(f"{app_id} sent an unexpected {what}") from exc
    if not isinstance(body, dict):
        raise ServiceUnavailable(f"{app_id} sent an unexpected {what}")
    return body


async def fetch_profile(invoker: Invoker, token: str) -> dict[str, Any]:
    """The caller's whole profile (QH export, ``schema_version`` 1.0 or 1.1)."""
    return await fetch_json(invoker, USER_DATA, PROFILE_EXPORT, token, "profile", format="qh")


async def fetch_vacancy(invoker: Invoker, token: str, vacancy_id: UUID) -> dict[str, Any]:
    """The caller's saved vacancy (job-data's ``Vacancy``)."""
    return await fetch_json(invoker, JOB_DATA, VACANCY.format(id=vacancy_id), token, "vacancy")


class StoredDocument(msgspec.Struct, kw_only=True):
    id: UUID
    version: int


async def store_origin_export(
    invoker: Invoker,
    token: str,
    *,
    kind: str,
    origin_id: UUID,
    user_id: UUID,
    title: str,
    content: bytes,
    content_type: str,
) -> StoredDocument:
    """Store a generator's export as the next version of its origin's document."""
    try:
        response = await invoker.invoke(
            DOC_STORAGE,
            "PUT",
            ORIGIN_CONTENT.format(kind=kind, id=origin_id),
            content=content,
            params={"user_id": str(user_id), "title": title[:200]},
            headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
            timeout=30.0,
        )
    except (RuntimeCallError, httpx.HTTPError) as exc:
        raise ServiceUnavailable("doc-storage could not be reached to store the export") from exc
    if response.status_code not in (200, 201):
        raise ServiceUnavailable(
            f"doc-storage refused the export ({response.status_code}); nothing was stored"
        )
    try:
        body = response.json()
        return StoredDocument(id=UUID(str(body["id"])), version=int(body["version"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise ServiceUnavailable("doc-storage sent an unexpected answer") from exc


__all__ = [
    "StoredDocument",
    "fetch_json",
    "fetch_profile",
    "fetch_vacancy",
    "store_origin_export",
]
