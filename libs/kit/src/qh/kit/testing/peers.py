"""Stand-ins for the services a generator reads from and writes to, for its tests: the
profile (user-data's QH export by caller), vacancies owned by a user (job-data), and
doc-storage's store-an-export route (each export a new version of one document per
origin). Attach them to a :class:`~qh.kit.runtime.LocalRuntime` under their app ids; a
service's tests add their own peers beside them (see ``attach``)."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from litestar import Litestar, Request, Response, get, put
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, RawBody

from qh.kit.runtime import LocalRuntime

Owned = dict[str, tuple[str, dict[str, Any]]]


def subject(request: Request[Any, Any, Any]) -> str:
    """The caller of a stub (the token's ``sub``; the real services verify it)."""
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    if not token:
        raise NotFoundException()
    payload = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


def owned(table: Owned, key: str, request: Request[Any, Any, Any]) -> dict[str, Any]:
    """``table[key]`` when the caller owns it; 404 otherwise, as the real services answer."""
    owner, record = table.get(key, ("", {}))
    if owner != subject(request):
        raise NotFoundException()
    return record


def stub_app(*handlers: Any) -> Litestar:
    return Litestar(list(handlers), openapi_config=None, logging_config=None)


class PeerStubs:
    """user-data, job-data and doc-storage as a generator of ``origin_kind`` sees them."""

    def __init__(self, origin_kind: str) -> None:
        self.profiles: dict[str, dict[str, Any]] = {}
        self.vacancies: Owned = {}
        self.documents: dict[str, dict[str, Any]] = {}
        self.stored: list[dict[str, Any]] = []
        self.doc_storage_status = 201

        @get("/api/v1/profile/me/export", sync_to_thread=False)
        def export(
            request: Request[Any, Any, Any], format: FromQuery[str] = "qh"
        ) -> dict[str, Any]:
            return self.profiles.get(subject(request), {"schema_version": "1.1", "personal": {}})

        @get("/api/v1/vacancies/{vacancy_id:str}", sync_to_thread=False)
        def vacancy(request: Request[Any, Any, Any], vacancy_id: FromPath[str]) -> dict[str, Any]:
            return owned(self.vacancies, vacancy_id, request)

        @put(
            f"/api/v1/documents/internal/origin/{origin_kind}/{{origin_id:str}}/content",
            status_code=201,
            sync_to_thread=False,
        )
        def store(
            request: Request[Any, Any, Any],
            origin_id: FromPath[str],
            body: RawBody,
            user_id: FromQuery[str],
            title: FromQuery[str],
        ) -> Any:
            if self.doc_storage_status != 201:
                return Response(
                    {"status": self.doc_storage_status}, status_code=self.doc_storage_status
                )
            who = subject(request)
            assert who == user_id
            document = self.documents.setdefault(
                origin_id, {"id": str(uuid.uuid4()), "version": 0, "owner": who}
            )
            document["version"] += 1
            self.stored.append(
                {
                    "origin": origin_id,
                    "title": title,
                    "size": len(body),
                    "bytes": body,
                    "content_type": request.headers.get("content-type"),
                    **document,
                }
            )
            return {"id": document["id"], "version": document["version"]}

        self.user_data = stub_app(export)
        self.job_data = stub_app(vacancy)
        self.doc_storage = stub_app(store)

    def attach(self, runtime: LocalRuntime) -> None:
        runtime.attach("user-data", self.user_data)
        runtime.attach("job-data", self.job_data)
        runtime.attach("doc-storage", self.doc_storage)


__all__ = ["PeerStubs", "owned", "stub_app", "subject"]
