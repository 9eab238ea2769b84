"""Settings of the web service (env ``QH_WEB_<FIELD>``, then ``QH_<FIELD>``)."""

from __future__ import annotations

from qh.kit.settings import ServiceSettings


class WebSettings(ServiceSettings, kw_only=True):  # type: ignore[call-arg]
    """What the web client can be told beyond the platform's common settings."""

    session_key_secret: str = "web-session-key"
    """Name of the secret (Secrets port) holding the Fernet key that encrypts the tokens
    kept for a session. In ``dev`` and ``test`` a missing secret is replaced by a key kept
    in the data folder; in ``prod`` the service does not start without it."""

    session_idle_seconds: int = 7 * 24 * 3600
    """A session unused this long is ended (auth's refresh tokens live as long)."""

    session_absolute_seconds: int = 30 * 24 * 3600
    """A session ends this long after the sign-in, whatever its use."""

    cookie_secure: bool = True
    """The cookies carry ``Secure``. Browsers keep secure cookies from ``http://localhost``
    and ``http://127.0.0.1``; turn it off only to reach a dev server by another name."""

    refresh_margin_seconds: int = 30
    """The access token is renewed this long before it expires."""

    api_timeout_seconds: float = 30.0
    """How long a page waits for another service."""

    platform_client_id: str = "qh-platform"
    platform_client_secret: str | None = None
    """The platform's ``client_credentials`` client (the same fields as auth's, so
    ``QH_PLATFORM_CLIENT_SECRET`` sets both); unset, the secret is read from
    ``platform_client_secret_name``. With its service token the web client's calls to
    auth for a visitor carry the visitor's address (``qh.web.service_token``)."""

    platform_client_secret_name: str = "auth-platform-client-secret"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.session_idle_seconds < 60 or self.session_absolute_seconds < 60:
            raise ValueError("session_idle_seconds and session_absolute_seconds must be >= 60")
        if not 0 <= self.refresh_margin_seconds < 600:
            raise ValueError("refresh_margin_seconds must be between 0 and 599")
