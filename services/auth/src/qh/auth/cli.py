"""``qh auth ...``: operator commands, using the same services as the HTTP routes."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

T = TypeVar("T")


def _run(work: Callable[[Any], Awaitable[T]]) -> T:
    """Build the service's core from the environment's settings and run ``work`` on it."""
    from qh.auth.app import service
    from qh.kit.app import service_context
    from qh.kit.settings import SettingsError

    try:
        settings = service.load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None

    async def main() -> T:
        app = service.create_app(settings)
        try:
            return await work(app.state.auth)
        finally:
            await service_context(app).db.get_engine().dispose()

    return asyncio.run(main())


@click.group(name="auth")
def auth_cli() -> None:
    """Auth service administration: signing keys and the first admin."""


@auth_cli.command(name="rotate-keys")
def rotate_keys() -> None:
    """Add a new signing key; the previous one stays published until its tokens expire."""
    from qh.auth.keys import KeyConfigurationError, load_encryption_key

    async def work(core: Any) -> str:
        core.keys.kek = await load_encryption_key(core.settings, core.runtime.secrets)
        return await core.keys.rotate()  # type: ignore[no-any-return]

    try:
        kid = _run(work)
    except KeyConfigurationError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"new signing key {kid}; older keys stay in the JWKS until their tokens expire")


@auth_cli.command(name="create-admin")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new account's password from stdin.")
def create_admin(email: str, password_stdin: bool) -> None:
    """Make EMAIL an admin, creating the account (verified) if it does not exist."""
    from qh.auth.core import accounts
    from qh.kit.problems import Problem

    async def exists(core: Any) -> bool:
        from sqlalchemy import select

        from qh.auth.db.models import User
        from qh.auth.domain.accounts.services import normalize_email

        async with core.session_maker() as session:
            return (
                await session.scalar(select(User.id).where(User.email == normalize_email(email)))
                is not None
            )

    password: str | None = None
    if not _run(exists):
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = click.prompt(
                "Password for the new account", hide_input=True, confirmation_prompt=True
            )

    async def work(core: Any) -> Any:
        return await accounts(core).grant_admin(email, password)

    try:
        user, created = _run(work)
    except Problem as exc:
        raise click.ClickException(exc.detail or str(exc)) from None
    verb = "created" if created else "updated"
    click.echo(f"{verb} admin {user.email} ({user.id}); roles: {', '.join(user.roles)}")
