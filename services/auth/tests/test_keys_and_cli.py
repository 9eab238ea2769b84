"""Where the key-encryption key comes from, and the ``qh auth`` commands."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from qh.auth.app import service
from qh.auth.cli import auth_cli
from qh.auth.db.models import SigningKey, User
from qh.auth.keys import DEV_SECRET_FILE, KeyConfigurationError, load_encryption_key
from qh.auth.settings import AuthSettings
from qh.kit.app import service_context
from qh.kit.runtime import EnvSecrets, LocalRuntime
from qh.kit.testing import in_thread, running
from qh.kit.testing import settings_for_tests as make_settings


async def test_dev_generates_the_secret_once_in_the_data_dir(tmp_path: Path) -> None:
    settings = AuthSettings(slug="auth", env="dev", data_dir=str(tmp_path))
    first = await load_encryption_key(settings, EnvSecrets({}))
    path = tmp_path / DEV_SECRET_FILE
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert await load_encryption_key(settings, EnvSecrets({})) == first


async def test_a_configured_secret_wins(tmp_path: Path) -> None:
    settings = AuthSettings(slug="auth", env="prod", data_dir=str(tmp_path))
    key = await load_encryption_key(
        settings, EnvSecrets({"QH_SECRET_AUTH_SIGNING_KEY": "from-the-secret-store"})
    )
    assert len(key) == 32
    assert not (tmp_path / DEV_SECRET_FILE).exists()


async def test_prod_refuses_to_start_without_the_secret(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(service, database_url, env="prod", data_dir=str(tmp_path))
    app = service.create_app(settings, runtime=LocalRuntime(secrets=EnvSecrets({})))  # type: ignore[arg-type]
    with pytest.raises(BaseException) as raised:
        async with running(app):
            pass
    assert _contains(raised.value, KeyConfigurationError)
    assert not (tmp_path / DEV_SECRET_FILE).exists()


def _contains(error: BaseException, kind: type[BaseException]) -> bool:
    if isinstance(error, kind):
        return True
    if isinstance(error, BaseExceptionGroup):
        return any(_contains(inner, kind) for inner in error.exceptions)
    return error.__cause__ is not None and _contains(error.__cause__, kind)


def cli_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "QH_AUTH_DATABASE_URL": database_url,
        "QH_ENV": "prod",
        "QH_DATA_DIR": str(tmp_path),
        "QH_SECRET_AUTH_SIGNING_KEY": "cli-test-secret",
        "QH_AUTH_PASSWORD_HASH_MEMORY_KIB": "1024",
        "QH_AUTH_PASSWORD_HASH_TIME_COST": "1",
    }


def invoke(args: list[str], env: dict[str, str], stdin: str | None = None) -> Any:
    return in_thread(
        lambda: CliRunner().invoke(auth_cli, args, env=env, input=stdin, catch_exceptions=False)
    )


async def test_rotate_keys_and_create_admin_commands(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    env = cli_env(database_url, tmp_path)
    first = invoke(["rotate-keys"], env)
    assert first.exit_code == 0, first.output
    second = invoke(["rotate-keys"], env)
    assert second.exit_code == 0, second.output

    created = invoke(
        ["create-admin", "Root@Example.com", "--password-stdin"], env, "Violet-Harbour-Lantern-42\n"
    )
    assert created.exit_code == 0, created.output
    assert "created admin root@example.com" in created.output
    again = invoke(["create-admin", "root@example.com"], env)
    assert again.exit_code == 0
    assert "updated admin" in again.output
    weak = invoke(["create-admin", "weak@example.com", "--password-stdin"], env, "password\n")
    assert weak.exit_code != 0

    # the running service signs with the newest key and publishes the retired ones
    settings = make_settings(
        service, database_url, env="prod", password_hash_memory_kib=1024, password_hash_time_cost=1
    )
    runtime = LocalRuntime(secrets=EnvSecrets({"QH_SECRET_AUTH_SIGNING_KEY": "cli-test-secret"}))
    app = service.create_app(settings, runtime=runtime)  # type: ignore[arg-type]
    async with running(app) as client:
        keys = (await client.get("/api/v1/auth/.well-known/jwks.json")).json()["keys"]
        assert len(keys) == 2
        token = await client.post(
            "/api/v1/auth/token",
            data={
                "grant_type": "password",
                "username": "root@example.com",
                "password": "Violet-Harbour-Lantern-42",
            },
        )
        assert token.status_code == 200, token.text
        import jwt

        assert jwt.get_unverified_header(token.json()["access_token"])["kid"] == keys[-1]["kid"]
        assert jwt.decode(token.json()["access_token"], options={"verify_signature": False})[
            "roles"
        ] == ["admin", "user"]
        users = await client.get(
            "/api/v1/auth/users",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
        assert users.status_code == 200
    async with service_context(app).session() as session:
        assert len((await session.scalars(select(SigningKey))).all()) == 2
        admin = await session.scalar(select(User).where(User.email == "root@example.com"))
        assert admin.email_verified is True


async def test_the_service_verifies_its_own_tokens_without_calling_itself(api: Any) -> None:
    user = await api.register()
    pair = await api.login(user["email"])
    assert True  # attached by the lifespan, never invoked
    calls: list[str] = []
    original = api.runtime.invoke

    async def spy(app_id: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        calls.append(path)
        return await original(app_id, method, path, **kwargs)

    api.runtime.invoke = spy
    await api.context.keys.rotate()  # a new kid forces the verifier to reload its keys
    fresh = await api.login(user["email"])
    assert (await api.me(fresh["access_token"])).status_code == 200
    assert (await api.me(pair["access_token"])).status_code == 200
    assert calls == []


async def test_a_changed_secret_stops_prod_and_starts_a_new_key_in_dev(
    database_url: str, tmp_path: Path
) -> None:
    def app_with(secret: str, env: str) -> Any:
        settings = make_settings(service, database_url, env=env, data_dir=str(tmp_path))
        runtime = LocalRuntime(secrets=EnvSecrets({"QH_SECRET_AUTH_SIGNING_KEY": secret}))
        return service.create_app(settings, runtime=runtime)  # type: ignore[arg-type]

    async with running(app_with("first-secret", "prod")) as client:
        [first] = (await client.get("/api/v1/auth/.well-known/jwks.json")).json()["keys"]
    with pytest.raises(BaseException) as raised:  # the lifespan may wrap it in a group
        async with running(app_with("another-secret", "prod")):
            pass
    assert _contains(raised.value, KeyConfigurationError)
    async with running(app_with("another-secret", "dev")) as client:
        keys = (await client.get("/api/v1/auth/.well-known/jwks.json")).json()["keys"]
    assert keys[0]["kid"] == first["kid"]  # still published for its tokens
    assert len(keys) == 2
