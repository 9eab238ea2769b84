"""Calls to the platform's public APIs for the signed-in user: the user's own access token
forwarded through the Invoker, renewed once when a service refuses it as expired. Every
answer of 400 or more becomes an :class:`ApiError`, which the pages turn into words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from qh.kit.problems import Problem
from qh.web.sessions import SessionEnded

if TYPE_CHECKING:
    from qh.web.context import WebContext
    from qh.web.sessions import SignedIn


class ApiError(Exception):
    """A problem answered by a service (RFC 9457 body when it sent one)."""

    def __init__(
        self,
        status: int,
        detail: str = "",
        errors: list[dict[str, str]] | None = None,
        extra: Mapping[str, Any] | None = None,
        retry_after: str | None = None,
    ) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.extra = dict(extra or {})
        self.retry_after = retry_after

    @classmethod
    def from_response(cls, response: httpx.Response) -> ApiError:
        body: Any = None
        if "json" in response.headers.get("content-type", ""):
            try:
                body = response.json()
            except ValueError:
                body = None
        detail, errors, extra = "", [], {}
        if isinstance(body, dict):
            detail = str(body.get("detail") or body.get("title") or "")
            raw = body.get("errors")
            if isinstance(raw, list):
                errors = [
                    {"field": str(e.get("field", "")), "message": str(e.get("message", ""))}
                    for e in raw
                    if isinstance(e, dict)
                ]
            extra = body
        return cls(
            response.status_code,
            detail,
            errors,
            extra,
            retry_after=response.headers.get("retry-after"),
        )

    def field_errors(self, prefix: str = "") -> dict[str, str]:
        """``{field: message}`` for the errors under ``prefix`` (first message per field)."""
        found: dict[str, str] = {}
        for error in self.errors:
            field = error["field"]
            if prefix and field.startswith(prefix):
                field = field[len(prefix) :]
            found.setdefault(field, error["message"])
        return found


class Api:
    """The public API as one visitor: anonymous, or signed in."""

    def __init__(self, context: WebContext, signed: SignedIn | None) -> None:
        self.context = context
        self.signed = signed

    async def call(
        self,
        app_id: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        anonymous: bool = False,
        ok: tuple[int, ...] = (),
    ) -> httpx.Response:
        """Answers 2xx (or a status in ``ok``); raises :class:`ApiError` otherwise and
        :class:`SessionEnded` when the session cannot be renewed."""
        sent = dict(headers or {})
        token = None
        if not anonymous:
            if self.signed is None:
                raise SessionEnded
            token = await self.context.sessions.access(self.signed)
            sent["Authorization"] = f"Bearer {token}"
        response = await self._invoke(app_id, method, path, json, content, params, sent)
        if response.status_code == 401 and token is not None and self.signed is not None:
            # Refused although it looked valid (keys rotated, clock skew): renew once.
            token = await self.context.sessions.access(self.signed, stale=token)
            sent["Authorization"] = f"Bearer {token}"
            response = await self._invoke(app_id, method, path, json, content, params, sent)
            if response.status_code == 401:
                raise SessionEnded
        if response.status_code >= 400 and response.status_code not in ok:
            raise ApiError.from_response(response)
        return response

    async def _invoke(
        self,
        app_id: str,
        method: str,
        path: str,
        json: Any,
        content: bytes | None,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str],
    ) -> httpx.Response:
        try:
            return await self.context.runtime.invoker.invoke(
                app_id,
                method,
                path,
                json=json,
                content=content,
                params=params,
                headers=headers,
                timeout=self.context.settings.api_timeout_seconds,
            )
        except httpx.TimeoutException as exc:
            raise ApiError(504, "timeout") from exc
        except (httpx.HTTPError, Problem, OSError) as exc:
            raise ApiError(503, str(exc)) from exc

    async def get_json(self, app_id: str, path: str, **kwargs: Any) -> Any:
        return (await self.call(app_id, "GET", path, **kwargs)).json()

    async def get_json_post(self, app_id: str, path: str, **kwargs: Any) -> Any:
        return (await self.call(app_id, "POST", path, **kwargs)).json()


__all__ = ["Api", "ApiError"]
