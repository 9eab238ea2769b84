"""Settings of the auth service (env ``QH_AUTH_<FIELD>``, then ``QH_<FIELD>``)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlencode

from qh.kit.settings import ServiceSettings

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
OWASP_ARGON2_MEMORY_KIB = 19 * 1024
OWASP_ARGON2_TIME_COST = 2
OWASP_ARGON2_PARALLELISM = 1
MAX_ACCESS_TOKEN_SECONDS = 15 * 60

OAUTH_PROVIDERS = ("google", "github", "yandex")


class AuthSettings(ServiceSettings):
    # --- passwords
    password_hash_memory_kib: int = OWASP_ARGON2_MEMORY_KIB
    password_hash_time_cost: int = OWASP_ARGON2_TIME_COST
    password_hash_parallelism: int = OWASP_ARGON2_PARALLELISM
    password_hash_concurrency: int = 2
    password_min_length: int = 8
    password_max_length: int = 256
    password_max_bytes: int = 1024
    # Have I Been Pwned's range API (k-anonymity); off by default
    breached_password_check: bool = False
    breached_password_api_url: str = "https://api.pwnedpasswords.com/range"
    breached_password_timeout_seconds: float = 2.0

    # --- tokens
    access_token_seconds: int = 600
    refresh_absolute_seconds: int = 30 * 24 * 3600
    refresh_idle_seconds: int = 7 * 24 * 3600
    signing_key_secret: str = "auth-signing-key"
    signing_key_reload_seconds: float = 60.0
    verification_token_seconds: int = 48 * 3600
    reset_token_seconds: int = 30 * 60
    emails_per_hour: int = 5
    housekeeping_seconds: float = 600.0

    # --- links sent by e-mail: {frontend_base_url}/verify-email?token=... and
    # /reset-password?token=...; unset, they go to the pages this service serves itself
    frontend_base_url: str | None = None

    # --- two-factor sign-in
    mfa_token_seconds: int = 300
    mfa_required_for_admins: bool = False

    # --- brute force
    login_account_max_failures: int = 5
    login_ip_max_failures: int = 50
    login_failure_window_seconds: int = 15 * 60
    login_lockout_base_seconds: int = 30
    login_lockout_max_seconds: int = 15 * 60
    trusted_proxies: str = ""
    register_ip_max_attempts: int = 20
    register_ip_window_seconds: int = 3600

    # --- the platform's own client (client_credentials)
    platform_client_id: str = "qh-platform"
    platform_client_secret: str | None = None
    platform_client_secret_name: str = "auth-platform-client-secret"
    service_token_seconds: int = 300

    # --- social login: a provider is enabled when its client id is set
    oauth_redirect_base_url: str | None = None
    oauth_state_seconds: int = 600
    oauth_google_client_id: str | None = None
    oauth_google_client_secret: str | None = None
    oauth_google_authorize_url: str = "https://accounts.google.com/o/oauth2/v2/auth"
    oauth_google_token_url: str = "https://oauth2.googleapis.com/token"
    oauth_google_userinfo_url: str = "https://openidconnect.googleapis.com/v1/userinfo"
    oauth_github_client_id: str | None = None
    oauth_github_client_secret: str | None = None
    oauth_github_authorize_url: str = "https://github.com/login/oauth/authorize"
    oauth_github_token_url: str = "https://github.com/login/oauth/access_token"
    oauth_github_userinfo_url: str = "https://api.github.com/user"
    oauth_yandex_client_id: str | None = None
    oauth_yandex_client_secret: str | None = None
    oauth_yandex_authorize_url: str = "https://oauth.yandex.ru/authorize"
    oauth_yandex_token_url: str = "https://oauth.yandex.ru/token"
    oauth_yandex_userinfo_url: str = "https://login.yandex.ru/info?format=json"

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0 < self.access_token_seconds <= MAX_ACCESS_TOKEN_SECONDS:
            raise ValueError("access_token_seconds must be between 1 and 900")
        if not 0 < self.service_token_seconds <= MAX_ACCESS_TOKEN_SECONDS:
            raise ValueError("service_token_seconds must be between 1 and 900")
        if self.refresh_idle_seconds <= 0 or self.refresh_absolute_seconds <= 0:
            raise ValueError("refresh token lifetimes must be positive")
        if self.password_hash_concurrency < 1:
            raise ValueError("password_hash_concurrency must be at least 1")
        if (
            min(
                self.login_account_max_failures,
                self.login_ip_max_failures,
                self.register_ip_max_attempts,
            )
            < 1
        ):
            raise ValueError("login and registration limits must be at least 1")
        self.trusted_proxy_networks()  # fail at start on a malformed entry

    def trusted_proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [
            ipaddress.ip_network(item.strip(), strict=False)
            for item in self.trusted_proxies.split(",")
            if item.strip()
        ]

    @property
    def oauth_redirect_base(self) -> str:
        return (self.oauth_redirect_base_url or self.resolved_auth_issuer).rstrip("/")

    def link(self, page: str, token: str) -> str:
        """The e-mailed link to ``page`` (``verify-email`` or ``reset-password``): on the
        front end when one is configured, else on this service's own pages."""
        base = (self.frontend_base_url or self.resolved_auth_issuer).rstrip("/")
        return f"{base}/{page}?{urlencode({'token': token})}"
