"""Social login providers: where their endpoints are and how their user info reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from qh.auth.settings import OAUTH_PROVIDERS, AuthSettings
from qh.kit.runtime import Secrets


def _clean(value: Any, limit: int) -> str | None:
    """Provider text as we store it: a string without control characters, bounded."""
    if value is None:
        return None
    text = "".join(c for c in str(value) if ord(c) >= 32 and ord(c) != 127).strip()
    return text[:limit] or None


@dataclass(frozen=True)
class Identity:
    """Who the provider says the user is."""

    subject: str
    email: str | None
    email_verified: bool
    name: str | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "subject", _clean(self.subject, 255) or "")
        object.__setattr__(self, "email", _clean(self.email, 320))
        object.__setattr__(self, "name", _clean(self.name, 200))
        if not self.subject:
            raise ValueError("the provider gave no subject")


@dataclass(frozen=True)
class Provider:
    name: str
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    userinfo_url: str
    scope: str

    async def identity(self, client: httpx.AsyncClient) -> Identity:
        response = await client.get(self.userinfo_url, headers={"Accept": "application/json"})
        response.raise_for_status()
        info: dict[str, Any] = response.json()
        if self.name == "google":
            return Identity(
                subject=str(info["sub"]),
                email=info.get("email"),
                email_verified=info.get("email_verified") is True,
                name=info.get("name"),
            )
        if self.name == "github":
            emails = await client.get(
                self.userinfo_url.rstrip("/") + "/emails", headers={"Accept": "application/json"}
            )
            emails.raise_for_status()
            primary = next((e for e in emails.json() if e.get("primary")), None) or {}
            return Identity(
                subject=str(info["id"]),
                email=primary.get("email"),
                email_verified=primary.get("verified") is True,
                name=info.get("name") or info.get("login"),
            )
        # Yandex returns only addresses it has confirmed.
        return Identity(
            subject=str(info["id"]),
            email=info.get("default_email"),
            email_verified=bool(info.get("default_email")),
            name=info.get("real_name") or info.get("display_name"),
        )


SCOPES = {
    "google": "openid email profile",
    "github": "read:user user:email",
    "yandex": "login:email login:info",
}


async def enabled_provider(
    name: str, settings: AuthSettings, secrets_port: Secrets
) -> Provider | None:
    """The provider ``name`` when its client id and secret are configured."""
    if name not in OAUTH_PROVIDERS:
        return None
    client_id = getattr(settings, f"oauth_{name}_client_id")
    if not client_id:
        return None
    secret = getattr(settings, f"oauth_{name}_client_secret") or await secrets_port.get(
        f"auth-oauth-{name}-client-secret"
    )
    if not secret:
        return None
    return Provider(
        name=name,
        client_id=client_id,
        client_secret=secret,
        authorize_url=getattr(settings, f"oauth_{name}_authorize_url"),
        token_url=getattr(settings, f"oauth_{name}_token_url"),
        userinfo_url=getattr(settings, f"oauth_{name}_userinfo_url"),
        scope=SCOPES[name],
    )
