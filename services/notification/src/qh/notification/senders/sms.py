"""SMS through Twilio's Messages API (form-encoded, HTTP basic auth)."""

from __future__ import annotations

import httpx

from qh.notification.senders.base import Message, Outcome, SendResult, by_status, http_failure

# Twilio's error codes for a number that can never receive this message.
INVALID_NUMBER_CODES = frozenset({21211, 21214, 21217, 21408, 21610, 21612, 21614})


class TwilioSender:
    channel, provider = "sms", "twilio"

    def __init__(
        self,
        *,
        base_url: str,
        account_sid: str,
        auth_token: str,
        sender: str,
        timeout: float = 15.0,
    ) -> None:
        self.account_sid = account_sid
        self.sender_field = "MessagingServiceSid" if sender.startswith("MG") else "From"
        self.sender = sender
        self.client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), auth=(account_sid, auth_token), timeout=timeout
        )

    async def send(self, message: Message) -> SendResult:
        form = {"To": message.to, self.sender_field: self.sender, "Body": message.text}
        try:
            response = await self.client.post(
                f"/2010-04-01/Accounts/{self.account_sid}/Messages.json", data=form
            )
        except httpx.HTTPError as exc:
            return http_failure(self.provider, exc)
        if response.status_code in (200, 201):
            return SendResult(Outcome.SENT, self.provider, provider_id=_json(response).get("sid"))
        body = _json(response)
        detail = f"{body.get('code')} {body.get('message')}" if body else None
        result = by_status(self.provider, response, detail)
        if result.outcome is Outcome.PERMANENT and body.get("code") in INVALID_NUMBER_CODES:
            return SendResult(Outcome.INVALID_RECIPIENT, self.provider, error=result.error)
        return result

    async def aclose(self) -> None:
        await self.client.aclose()


def _json(response: httpx.Response) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
