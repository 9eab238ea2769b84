"""``qh auth ...``: operator commands, on the same context and services as the routes
(no app is built)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import click

from qh.auth.settings import AuthSettings
from qh.kit.host import service as installed_service
from qh.kit.settings import SettingsError

if TYPE_CHECKING:
    from qh.kit.app import ServiceDefinition
    from qh.kit.context import ServiceContext

T = TypeVar("T")


def _run(work: Callable[[ServiceContext[AuthSettings]], Awaitable[T]]) -> T:
    """Run ``work`` on the service's context, built from the environment's settings."""
    # Found through its entry point, as ``qh`` finds it: the definition holds this group.
    service: ServiceDefinition[AuthSettings] = installed_service("auth")
    try:
        settings = service.load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None

    async def main() -> T:
        async with service.command_context(settings) as context:
            return await work(context)

    return asyncio.run(main())


@click.group(name="auth")
def auth_cli() -> None:
    """Auth service administration: signing keys and the first admin."""


@auth_cli.command(name="rotate-keys")
def rotate_keys() -> None:
    """Add a new signing key; the previous one stays published until its tokens expire."""
    from qh.auth.keys import KeyConfigurationError, KeyRing, load_encryption_key

    async def work(context: ServiceContext[AuthSettings]) -> str:
        async with context.session() as session:
            keys: KeyRing = await context.provide("keys", session)
        keys.kek = await load_encryption_key(context.settings, context.runtime.secrets)
        return await keys.rotate()

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
    from qh.auth.domain.accounts.admin import AdminService
    from qh.auth.domain.accounts.schemas import UserOut
    from qh.auth.domain.accounts.users import AccountService, lookup_email
    from qh.kit.problems import Problem

    async def exists(context: ServiceContext[AuthSettings]) -> bool:
        async with context.transaction() as session:
            accounts: AccountService = await context.provide("accounts", session)
            canonical = lookup_email(email)
            return canonical is not None and await accounts.by_email(canonical) is not None

    password: str | None = None
    if not _run(exists):
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = click.prompt(
                "Password for the new account", hide_input=True, confirmation_prompt=True
            )

    async def work(context: ServiceContext[AuthSettings]) -> tuple[UserOut, bool]:
        async with context.transaction() as session:
            admin: AdminService = await context.provide("admin", session)
            return await admin.grant_admin(email, password)

    try:
        user, created = _run(work)
    except Problem as exc:
        raise click.ClickException(exc.detail or str(exc)) from None
    verb = "created" if created else "updated"
    click.echo(f"{verb} admin {user.email} ({user.id}); roles: {', '.join(user.roles)}")
