"""The ``qh`` command: run the platform, one service, migrations and OpenAPI documents."""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

import click

from qh.kit import db
from qh.kit.host import UnknownService, discover_services, service
from qh.kit.observability import configure_logging
from qh.kit.settings import SettingsError


def _ensure_port_free(host: str, port: int) -> None:
    """Refuse to start when something listens on the port.

    The probe sets ``SO_REUSEADDR`` as uvicorn does on its own socket: connections of a
    process that just stopped (TIME_WAIT, FIN_WAIT) do not block a restart, a listener
    does."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise click.ClickException(
                    f"port {port} on {host} is in use; stop what holds it or pass --port"
                ) from None
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def _definition(slug: str) -> Any:
    try:
        return service(slug)
    except UnknownService as exc:
        raise click.ClickException(str(exc)) from None


def _settings(definition: Any, **overrides: Any) -> Any:
    try:
        return definition.load_settings(**overrides)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


class QhGroup(click.Group):
    """Adds each installed service's own commands (``qh auth rotate-keys``) by slug."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        extra = [slug for slug, d in discover_services().items() if d.cli is not None]
        return sorted({*super().list_commands(ctx), *extra})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        definition = discover_services().get(cmd_name)
        return definition.cli if definition is not None else None


@click.group(cls=QhGroup)
def main() -> None:
    """QH: run the platform, a service, its migrations and its API documents."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--data-dir", default=".data", show_default=True, type=click.Path(file_okay=False))
@click.option("--reload", is_flag=True, help="Restart when the source changes.")
def dev(host: str, port: int, data_dir: str, reload: bool) -> None:
    """Every installed service in one process on embedded defaults."""
    import uvicorn

    _ensure_port_free(host, port)
    os.environ.setdefault("QH_DATA_DIR", str(Path(data_dir).resolve()))
    os.environ.setdefault("QH_PUBLIC_BASE_URL", f"http://{host}:{port}")
    os.environ.setdefault("QH_LOG_FORMAT", "console")
    os.environ.setdefault("QH_ENV", "dev")
    # One process hosts every service: 5 PostgreSQL connections each keep the nine of them
    # under PostgreSQL's default max_connections (100) with room for other clients.
    os.environ.setdefault("QH_DATABASE_POOL_SIZE", "5")
    services = discover_services()
    click.echo(f"QH: {len(services)} services on http://{host}:{port}/ ({', '.join(services)})")
    root = Path.cwd()
    # uvicorn warns about reload_dirs without reload: pass them only when reloading.
    reload_dirs = [str(p) for p in (root / "libs", root / "services") if p.is_dir()]
    reloading: dict[str, Any] = {"reload": True, "reload_dirs": reload_dirs or None}
    uvicorn.run(
        "qh.kit.host:create_dev_app",
        factory=True,
        host=host,
        port=port,
        log_config=None,
        lifespan="on",
        **(reloading if reload else {}),
    )


@main.command()
@click.argument("slug")
@click.option("--host", default="0.0.0.0", show_default=True)  # noqa: S104 - containers listen on all interfaces
@click.option(
    "--port", default=lambda: int(os.environ.get("QH_PORT", "8000")), type=click.IntRange(1, 65535)
)
def serve(slug: str, host: str, port: int) -> None:
    """Run one service (in a container: QH_RUNTIME=dapr)."""
    import uvicorn

    definition = _definition(slug)
    settings = _settings(definition)
    configure_logging(settings.log_level, settings.log_format)
    _ensure_port_free(host, port)
    app = definition.create_app(settings)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=20,
    )


@main.group(name="db")
def db_group() -> None:
    """Migrations of one service's database."""


@db_group.command()
@click.argument("slug")
@click.option("--revision", default="head", show_default=True)
def upgrade(slug: str, revision: str) -> None:
    """Apply migrations up to REVISION."""
    definition = _definition(slug)
    settings = _settings(definition)
    db.upgrade(definition.migrations, settings.resolved_database_url, revision)
    click.echo(f"{slug}: database at {revision}")


@db_group.command()
@click.argument("slug")
@click.option("--revision", default="-1", show_default=True)
def downgrade(slug: str, revision: str) -> None:
    """Revert migrations down to REVISION."""
    definition = _definition(slug)
    settings = _settings(definition)
    db.downgrade(definition.migrations, settings.resolved_database_url, revision)
    click.echo(f"{slug}: database at {revision}")


@db_group.command()
@click.argument("slug")
@click.option("-m", "--message", required=True)
@click.option("--empty", is_flag=True, help="Do not compare the models with the database.")
def revision(slug: str, message: str, empty: bool) -> None:
    """Write a new migration (compared against an up-to-date database)."""
    definition = _definition(slug)
    settings = _settings(definition)
    db.revision(
        definition.migrations, settings.resolved_database_url, message, autogenerate=not empty
    )


@main.command()
@click.argument("slug")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: stdout)."
)
def openapi(slug: str, output: str | None) -> None:
    """Write the service's OpenAPI document."""
    definition = _definition(slug)
    app = definition.create_app(_settings(definition, env="dev"))
    document = json.dumps(app.openapi_schema.to_schema(), indent=2, ensure_ascii=False)
    if output:
        Path(output).write_text(document + "\n", encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        sys.stdout.write(document + "\n")


@main.command(name="services")
def list_services() -> None:
    """List the installed services."""
    for slug, definition in discover_services().items():
        click.echo(f"{slug:20} {definition.prefix:28} {definition.title}")
