"""E-mail: SMTP (aiosmtplib, STARTTLS or TLS), SendGrid's HTTP API, or the dev mailbox."""

from __future__ import annotations

import asyncio
import json
import re
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from pathlib import Path
from typing import Any

import aiosmtplib
import httpx
import uuid_utils

from qh.kit.clock import utc_now
from qh.notification.senders.base import Message, Outcome, SendResult, by_status, http_failure

LINK = re.compile(r"https?://[^\s<>\"']+")


def build_mime(message: Message, sender: str) -> EmailMessage:
    """A multipart/alternative mail: the plain-text part first, the HTML part second."""
    mime = EmailMessage()
    mime["From"] = sender
    mime["To"] = message.to
    mime["Subject"] = message.subject or ""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "qh.local"
    mime["Message-ID"] = make_msgid(domain=domain)
    mime.set_content(message.text)
    if message.html:
        mime.add_alternative(message.html, subtype="html")
    return mime


class SmtpSender:
    channel, provider = "email", "smtp"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: str,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        ca_file: str | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.host, self.port, self.security = host, port, security
        self.sender = sender
        self.username, self.password = username, password
        self.timeout = timeout
        self.tls_context = ssl.create_default_context(cafile=ca_file) if ca_file else None

    async def send(self, message: Message) -> SendResult:
        mime = build_mime(message, self.sender)
        try:
            errors, _response = await aiosmtplib.send(
                mime,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.security == "tls",
                start_tls=self.security == "starttls",
                tls_context=self.tls_context,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refused.code for refused in exc.recipients]
            return self._refused(min(codes, default=550), str(exc))
        except aiosmtplib.SMTPResponseException as exc:
            return self._refused(exc.code, f"{exc.code} {exc.message}")
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return SendResult(
                Outcome.TRANSIENT, self.provider, error=f"{type(exc).__name__}: {exc}"
            )
        if errors:
            code = min(code for code, _ in errors.values())
            return self._refused(code, "; ".join(f"{k}: {v[1]}" for k, v in errors.items()))
        return SendResult(Outcome.SENT, self.provider, provider_id=str(mime["Message-ID"]))

    def _refused(self, code: int, error: str) -> SendResult:
        # SMTP's own rule: 4yz is a temporary failure, 5yz a permanent one.
        outcome = Outcome.TRANSIENT if 400 <= code < 500 else Outcome.PERMANENT
        return SendResult(outcome, self.provider, error=error[:1000])

    async def aclose(self) -> None:
        return None


class SendGridSender:
    channel, provider = "email", "sendgrid"

    def __init__(self, *, base_url: str, api_key: str, sender: str, timeout: float = 15.0) -> None:
        name, address = parseaddr(sender)
        self.sender: dict[str, str] = {"email": address, **({"name": name} if name else {})}
        self.client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=timeout,
        )

    async def send(self, message: Message) -> SendResult:
        content = [{"type": "text/plain", "value": message.text}]
        if message.html:
            content.append({"type": "text/html", "value": message.html})
        body = {
            "personalizations": [{"to": [{"email": message.to}]}],
            "from": self.sender,
            "subject": message.subject or "",
            "content": content,
        }
        try:
            response = await self.client.post("/v3/mail/send", json=body)
        except httpx.HTTPError as exc:
            return http_failure(self.provider, exc)
        if response.status_code in (200, 202):
            return SendResult(
                Outcome.SENT, self.provider, provider_id=response.headers.get("X-Message-Id")
            )
        return by_status(self.provider, response)

    async def aclose(self) -> None:
        await self.client.aclose()


class DevMailbox:
    """``qh dev``'s outgoing mail: one JSON file per message under ``<data>/mailbox``, so a
    newcomer can open the verification link without a mail server."""

    channel, provider = "email", "dev"

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    async def send(self, message: Message) -> SendResult:
        mail_id = str(uuid_utils.uuid7())
        record = {
            "id": mail_id,
            "from": self.sender,
            "to": message.to,
            "subject": message.subject or "",
            "text": message.text,
            "html": message.html,
            "links": LINK.findall(message.text),
            "received_at": utc_now().isoformat(),
        }
        mime = build_mime(message, self.sender)
        await asyncio.to_thread(self._write, mail_id, record, mime.as_bytes())
        return SendResult(Outcome.SENT, self.provider, provider_id=mail_id)

    def _write(self, mail_id: str, record: dict[str, Any], raw: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{mail_id}.eml").write_bytes(raw)
        temporary = self.folder / f".{mail_id}.json.tmp"
        temporary.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        temporary.replace(self.folder / f"{mail_id}.json")

    def list(self) -> list[dict[str, Any]]:
        """Every message, newest first (ids are UUIDv7, so their order is time order)."""
        if not self.folder.is_dir():
            return []
        records = []
        for path in sorted(self.folder.glob("*.json"), reverse=True):
            try:
                records.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return records

    def get(self, mail_id: str) -> dict[str, Any] | None:
        if not re.fullmatch(r"[0-9a-f-]{36}", mail_id):
            return None
        path = self.folder / f"{mail_id}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
        except (OSError, ValueError):
            return None

    async def aclose(self) -> None:
        return None


def display_address(name: str | None, address: str) -> str:
    return formataddr((name, address)) if name else address
