"""Push through Firebase Cloud Messaging's HTTP v1 API (httpx), authorised as a service
account: a JWT signed with its key (RS256) is exchanged for an access token at its
``token_uri`` (the OAuth 2.0 JWT bearer grant), kept until shortly before it expires."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import jwt

from qh.notification.senders.base import Message, Outcome, SendResult, by_status, http_failure

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class FcmSender:
    channel, provider = "push", "fcm"

    def __init__(
        self, *, base_url: str, service_account: dict[str, Any], timeout: float = 15.0
    ) -> None:
        missing = [
            key
            for key in ("project_id", "client_email", "private_key", "token_uri")
            if not service_account.get(key)
        ]
        if missing:
            raise ValueError(f"the FCM service account lacks {', '.join(missing)}")
        self.account = service_account
        self.client = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout)
        self._token: str | None = None
        self._token_expires = 0.0
        self._lock = asyncio.Lock()

    async def _access_token(self) -> str:
        async with self._lock:
            if self._token and time.time() < self._token_expires - 60:
                return self._token
            now = int(time.time())
            assertion = jwt.encode(
                {
                    "iss": self.account["client_email"],
                    "scope": SCOPE,
                    "aud": self.account["token_uri"],
                    "iat": now,
                    "exp": now + 3600,
                },
                self.account["private_key"],
                algorithm="RS256",
                headers={"kid": self.account.get("private_key_id", "")},
            )
            response = await self.client.post(
                self.account["token_uri"],
                data={"grant_type": JWT_BEARER, "assertion": assertion},
            )
            response.raise_for_status()
            body = response.json()
            self._token = str(body["access_token"])
            self._token_expires = now + float(body.get("expires_in", 3600))
            return self._token

    async def send(self, message: Message) -> SendResult:
        try:
            token = await self._access_token()
        except httpx.HTTPStatusError as exc:
            return by_status(self.provider, exc.response, "the OAuth token was refused")
        except httpx.HTTPError as exc:
            return http_failure(self.provider, exc)
        except (KeyError, ValueError) as exc:
            return SendResult(Outcome.TRANSIENT, self.provider, error=f"token answer: {exc}")
        body = {
            "message": {
                "token": message.to,
                "notification": {"title": message.subject or "", "body": message.text},
                "data": {key: str(value) for key, value in message.data.items()},
            }
        }
        project = self.account["project_id"]
        try:
            response = await self.client.post(
                f"/v1/projects/{project}/messages:send",
                json=body,
                headers={"Authorization": f"Bearer {token}"},
            )
        except httpx.HTTPError as exc:
            return http_failure(self.provider, exc)
        if response.status_code == 200:
            return SendResult(Outcome.SENT, self.provider, provider_id=_json(response).get("name"))
        if response.status_code == 401:
            self._token = None  # the next attempt fetches a fresh access token
            return SendResult(Outcome.TRANSIENT, self.provider, error="HTTP 401: token refused")
        error = _json(response).get("error")
        error = error if isinstance(error, dict) else {}
        codes = {
            detail.get("errorCode")
            for detail in error.get("details") or []
            if isinstance(detail, dict)
        }
        detail = f"{error.get('status')} {error.get('message')}" if error else None
        result = by_status(self.provider, response, detail)
        dead = "UNREGISTERED" in codes or (
            "INVALID_ARGUMENT" in codes and "token" in str(error.get("message", "")).lower()
        )
        if result.outcome is Outcome.PERMANENT and dead:
            return SendResult(Outcome.INVALID_RECIPIENT, self.provider, error=result.error)
        return result

    async def aclose(self) -> None:
        await self.client.aclose()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
