"""The notification context: the kit's parts, the providers of each channel, the live
hub (Litestar channels) and the delivery worker."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import structlog

from qh.kit.context import ServiceContext
from qh.notification.domain.delivery.worker import DeliveryWorker
from qh.notification.domain.live import LiveHub
from qh.notification.senders import Sender
from qh.notification.senders.email import DevMailbox, SendGridSender, SmtpSender
from qh.notification.senders.push import FcmSender
from qh.notification.senders.sms import TwilioSender
from qh.notification.settings import NotificationSettings

log = structlog.get_logger("qh.notification")


class NotificationContext(ServiceContext[NotificationSettings]):
    """A test or a benchmark may hand in ``senders=`` (channel → provider) instead of the
    configured ones."""

    def __init__(self, *args: Any, senders: dict[str, Sender] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.senders: dict[str, Sender] = dict(senders or {})
        self._given_senders = senders is not None
        self.mailbox = DevMailbox(
            Path(self.settings.data_dir) / "mailbox", self.settings.email_from
        )
        self.live = LiveHub(self.settings)
        self.worker = DeliveryWorker(self)

    async def start(self) -> None:
        await super().start()
        if not self._given_senders:
            self.senders = await self._configured_senders()
        await self.live.start()
        self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()
        await self.live.stop()
        for sender in self.senders.values():
            await sender.aclose()
        await super().stop()

    async def _secret(self, name: str) -> str:
        value = await self.runtime.secrets.get(name)
        if not value:
            raise RuntimeError(f"the secret {name!r} is not set")
        return value

    async def _configured_senders(self) -> dict[str, Sender]:
        settings = self.settings
        timeout = settings.provider_timeout_seconds
        senders: dict[str, Sender] = {}
        if settings.email_provider == "dev":
            senders["email"] = self.mailbox
        elif settings.email_provider == "smtp":
            password = (
                await self._secret(settings.smtp_password_secret)
                if settings.smtp_username
                else None
            )
            senders["email"] = SmtpSender(
                host=settings.smtp_host,
                port=settings.smtp_port,
                security=settings.smtp_security,
                sender=settings.email_from,
                username=settings.smtp_username,
                password=password,
                ca_file=settings.smtp_ca_file,
                timeout=timeout,
            )
        elif settings.email_provider == "sendgrid":
            senders["email"] = SendGridSender(
                base_url=settings.sendgrid_base_url,
                api_key=await self._secret(settings.sendgrid_key_secret),
                sender=settings.email_from,
                timeout=timeout,
            )
        if settings.sms_provider == "twilio":
            if not settings.twilio_account_sid or not settings.twilio_from:
                raise RuntimeError("Twilio needs QH_NOTIFICATION_TWILIO_ACCOUNT_SID and _FROM")
            senders["sms"] = TwilioSender(
                base_url=settings.twilio_base_url,
                account_sid=settings.twilio_account_sid,
                auth_token=await self._secret(settings.twilio_token_secret),
                sender=settings.twilio_from,
                timeout=timeout,
            )
        if settings.push_provider == "fcm":
            account = json.loads(await self._secret(settings.fcm_service_account_secret))
            senders["push"] = FcmSender(
                base_url=settings.fcm_base_url, service_account=account, timeout=timeout
            )
        log.info("notification_channels", providers={k: s.provider for k, s in senders.items()})
        return senders
