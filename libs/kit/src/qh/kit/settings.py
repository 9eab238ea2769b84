"""Typed settings per service, read from the environment when a service starts.

A field ``database_url`` of service ``user-data`` is read from ``QH_USER_DATA_DATABASE_URL``
first, then from the shared ``QH_DATABASE_URL``; a field that Dapr injects into the
container (``DAPR_HTTP_PORT``, ``APP_API_TOKEN``) is read from that name last. Nothing is
read at import time: call :func:`load_settings` from ``main`` or pass settings in tests.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

import msgspec

MiB = 1024 * 1024


class SettingsError(ValueError):
    """A setting is missing or has a value of the wrong shape."""


class ServiceSettings(msgspec.Struct, kw_only=True):
    """Settings every service has. Services subclass this with their own fields."""

    slug: str
    env: Literal["dev", "test", "prod"] = "dev"
    runtime: Literal["local", "dapr"] = "local"
    data_dir: str = ".data"
    database_url: str | None = None
    database_echo: bool = False
    # Connections one service keeps open to PostgreSQL, and the most it opens (no
    # overflow). ``qh dev`` hosts every service in one process and lowers it, so that
    # they stay under PostgreSQL's default max_connections (100) together.
    database_pool_size: int = 20
    migrate_on_start: bool = False
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"
    public_base_url: str = "http://127.0.0.1:8000"
    auth_issuer: str | None = None
    auth_audience: str = "qh"
    jwks_cache_seconds: int = 300
    jwks_min_refetch_seconds: float = 5.0
    max_body_size: int = MiB
    dapr_host: str = "127.0.0.1"
    dapr_http_port: int = 3500
    dapr_api_token: str | None = None
    dapr_pubsub: str = "pubsub"
    dapr_secret_store: str = "secretstore"
    app_api_token: str | None = None
    forwarded_allow_ips: str = "127.0.0.1"
    outbox_poll_seconds: float = 2.0
    # How long a row being published stays claimed; renewed while its delivery lasts, so
    # after a crash it is published again at most this long after the restart.
    outbox_lease_seconds: float = 30.0
    outbox_concurrency: int = 16
    event_max_attempts: int = 5
    event_backoff_seconds: float = 0.5
    event_backoff_max_seconds: float = 30.0

    # Fields that a Dapr sidecar injects under its own names.
    external_names: ClassVar[Mapping[str, str]] = {
        "dapr_http_port": "DAPR_HTTP_PORT",
        "dapr_api_token": "DAPR_API_TOKEN",
        "app_api_token": "APP_API_TOKEN",
    }

    def __post_init__(self) -> None:
        if self.max_body_size <= 0:
            raise ValueError("max_body_size must be positive")
        if self.database_pool_size < 1:
            raise ValueError("database_pool_size must be at least 1")
        if self.event_max_attempts < 1:
            raise ValueError("event_max_attempts must be at least 1")
        if self.outbox_lease_seconds <= 0 or self.outbox_concurrency < 1:
            raise ValueError("outbox_lease_seconds must be positive, outbox_concurrency >= 1")

    @property
    def package_name(self) -> str:
        return self.slug.replace("-", "_")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        path = Path(self.data_dir).resolve() / f"{self.package_name}.db"
        return f"sqlite+aiosqlite:///{path}"

    @property
    def resolved_auth_issuer(self) -> str:
        return self.auth_issuer or f"{self.public_base_url.rstrip('/')}/api/v1/auth"


S = TypeVar("S", bound=ServiceSettings)

_FIELD_IN_ERROR = re.compile(r"`\$\.(\w+)`")


def env_names(slug: str, field: str) -> list[str]:
    """The environment variables a field is read from, most specific first."""
    service = slug.upper().replace("-", "_")
    return [f"QH_{service}_{field.upper()}", f"QH_{field.upper()}"]


def load_settings(
    cls: type[S],
    slug: str,
    environ: Mapping[str, str] | None = None,
    *,
    dotenv: str | Path | None = ".env",
    **overrides: Any,
) -> S:
    """Build ``cls`` for ``slug`` from ``environ`` (the process environment by default).

    Raises :class:`SettingsError` naming the variable when a value is invalid.
    """
    source: dict[str, str] = {}
    if dotenv is not None and environ is None and Path(dotenv).is_file():
        from dotenv import dotenv_values

        source.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
    source.update(os.environ if environ is None else environ)

    values: dict[str, Any] = {"slug": slug}
    origin: dict[str, str] = {}
    for name in cls.__struct_fields__:
        if name == "slug":
            continue
        candidates = env_names(slug, name)
        if external := cls.external_names.get(name):
            candidates.append(external)
        for candidate in candidates:
            if candidate in source:
                values[name] = source[candidate]
                origin[name] = candidate
                break
    values.update(overrides)
    try:
        return msgspec.convert(values, cls, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        match = _FIELD_IN_ERROR.search(message)
        field = match.group(1) if match else None
        where = origin.get(field or "", env_names(slug, field)[0] if field else "settings")
        raise SettingsError(f"Invalid setting {where} for service {slug!r}: {message}") from None
