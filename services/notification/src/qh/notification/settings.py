"""Settings of the notification service (env ``QH_NOTIFICATION_<FIELD>``, then ``QH_<FIELD>``)."""

from __future__ import annotations

from typing import Literal

from qh.kit.settings import ServiceSettings


class NotificationSettings(ServiceSettings, kw_only=True):  # type: ignore[call-arg]
    """Which provider carries each channel, how deliveries are retried and limited."""

    email_provider: Literal["dev", "smtp", "sendgrid", "none"] = "dev"
    """``dev``: messages are written to the dev mailbox (files in the data folder, shown at
    ``GET /dev/mailbox`` when ``env=dev``); ``smtp`` (Mailpit in compose); ``sendgrid``."""

    email_from: str = "QH <no-reply@qh.local>"

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 587
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    """``starttls`` upgrades a plain connection (port 587), ``tls`` is TLS from the first
    byte (port 465), ``none`` is plain SMTP (Mailpit, a local relay)."""

    smtp_username: str | None = None
    smtp_password_secret: str = "notification-smtp-password"
    """The name of the SMTP password in the Secrets port (read only with a username)."""

    smtp_ca_file: str | None = None
    """A CA bundle to verify the SMTP server with, instead of the system's."""

    sendgrid_base_url: str = "https://api.sendgrid.com"
    sendgrid_key_secret: str = "notification-sendgrid-api-key"

    sms_provider: Literal["twilio", "none"] = "none"
    twilio_base_url: str = "https://api.twilio.com"
    twilio_account_sid: str | None = None
    twilio_from: str | None = None
    """The sender: a phone number in E.164 or a Messaging Service SID (``MG…``)."""
    twilio_token_secret: str = "notification-twilio-auth-token"

    push_provider: Literal["fcm", "none"] = "none"
    fcm_base_url: str = "https://fcm.googleapis.com"
    fcm_service_account_secret: str = "notification-fcm-service-account"
    """The name of the Firebase service account's JSON key in the Secrets port (its
    ``project_id``, ``client_email``, ``private_key`` and ``token_uri`` are used)."""

    live_backend: Literal["memory", "redis"] = "memory"
    """Where live WebSocket messages travel: in this process (``qh dev``, one replica) or
    through Redis pub/sub (several replicas)."""

    redis_url: str = "redis://127.0.0.1:6379/0"

    web_base_url: str | None = None
    """Where links in messages point (the web client); unset means ``public_base_url``."""

    provider_timeout_seconds: float = 15.0
    delivery_max_attempts: int = 6
    delivery_backoff_seconds: float = 30.0
    delivery_backoff_max_seconds: float = 3600.0
    delivery_poll_seconds: float = 5.0
    delivery_lease_seconds: float = 120.0
    delivery_concurrency: int = 8

    rate_limit_per_hour: int = 20
    """Messages one user may be sent on one channel (e-mail, SMS, push) in an hour; more
    are recorded as ``rate_limited`` and not sent. Account e-mails (verification, password
    reset) are limited by the auth service instead."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.delivery_max_attempts < 1:
            raise ValueError("delivery_max_attempts must be at least 1")
        if self.delivery_backoff_seconds <= 0 or self.delivery_poll_seconds <= 0:
            raise ValueError("delivery_backoff_seconds and delivery_poll_seconds must be positive")
        if self.delivery_concurrency < 1 or self.rate_limit_per_hour < 1:
            raise ValueError("delivery_concurrency and rate_limit_per_hour must be at least 1")
        if self.provider_timeout_seconds <= 0:
            raise ValueError("provider_timeout_seconds must be positive")

    @property
    def links_base(self) -> str:
        return (self.web_base_url or self.public_base_url).rstrip("/")
