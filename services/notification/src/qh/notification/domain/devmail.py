"""The dev mailbox: what ``qh dev`` would have e-mailed, readable in the browser or by a
test. Only when ``env=dev``; 404 everywhere else."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from qh.kit.problems import NotFound
from qh.notification.context import NotificationContext


def _mailbox(context: NotificationContext) -> Any:
    if context.settings.env != "dev":
        raise NotFound("The dev mailbox exists only in development (env=dev)")
    return context.mailbox


class DevMailboxController(Controller):
    path = "/dev/mailbox"
    tags = ["Development"]
    include_in_schema = False
    opt = {"exclude_from_auth": True}

    @get("/")
    async def list_mail(
        self, context: NamedDependency[NotificationContext]
    ) -> list[dict[str, Any]]:
        """Every message, newest first: id, to, subject, links, received_at."""
        return [
            {k: mail.get(k) for k in ("id", "to", "subject", "links", "received_at")}
            for mail in _mailbox(context).list()
        ]

    @get("/{mail_id:str}")
    async def get_mail(
        self, mail_id: FromPath[str], context: NamedDependency[NotificationContext]
    ) -> dict[str, Any]:
        mail = _mailbox(context).get(mail_id)
        if mail is None:
            raise NotFound("No such message in the dev mailbox")
        return mail  # type: ignore[no-any-return]
