"""Reading the caller's profile (user-data) and a saved vacancy (job-data) through the
Invoker with the caller's token forwarded: the other service decides what is theirs, so
another user's vacancy is job-data's 404 and ours."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx

from qh.kit.problems import NotFound, ServiceUnavailable
from qh.kit.runtime import Invoker, RuntimeCallError

USER_DATA, JOB_DATA = "user-data", "job-data"
PROFILE_EXPORT = "/api/v1/profile/me/export"
VACANCY = "/api/v1/vacancies/{id}"


async def _get(
    invoker: Invoker, app_id: str, path: str, token: str, what: str, **params: str
) -> dict[str, Any]:
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
    body = response.json()
    if not isinstance(body, dict):
        raise ServiceUnavailable(f"{app_id} sent an unexpected {what}")
    return body


async def fetch_profile(invoker: Invoker, token: str) -> dict[str, Any]:
    """The caller's whole profile (QH export, ``schema_version`` 1.0 or 1.1)."""
    return await _get(invoker, USER_DATA, PROFILE_EXPORT, token, "profile", format="qh")


async def fetch_vacancy(invoker: Invoker, token: str, vacancy_id: UUID) -> dict[str, Any]:
    """The caller's saved vacancy (job-data's ``Vacancy``)."""
    return await _get(invoker, JOB_DATA, VACANCY.format(id=vacancy_id), token, "vacancy")
