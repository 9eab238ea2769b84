"""Settings come from the environment, service-specific first, and fail clearly."""

from __future__ import annotations

import pytest

from qh.kit.settings import ServiceSettings, SettingsError, load_settings


class Example(ServiceSettings, kw_only=True):
    page_size: int = 20


def test_defaults_need_no_environment() -> None:
    settings = load_settings(Example, "user-data", {})
    assert settings.runtime == "local"
    assert settings.max_body_size == 1024 * 1024
    assert settings.resolved_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.resolved_database_url.endswith("/user_data.db")
    assert settings.resolved_auth_issuer == "http://127.0.0.1:8000/api/v1/auth"


def test_service_specific_variable_wins_over_shared() -> None:
    settings = load_settings(
        Example,
        "user-data",
        {"QH_PAGE_SIZE": "10", "QH_USER_DATA_PAGE_SIZE": "50", "QH_RUNTIME": "dapr"},
    )
    assert settings.page_size == 50
    assert settings.runtime == "dapr"


def test_dapr_injected_names_are_read() -> None:
    settings = load_settings(Example, "auth", {"DAPR_HTTP_PORT": "3999", "APP_API_TOKEN": "t"})
    assert settings.dapr_http_port == 3999
    assert settings.app_api_token == "t"


def test_invalid_value_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="QH_USER_DATA_PAGE_SIZE"):
        load_settings(Example, "user-data", {"QH_USER_DATA_PAGE_SIZE": "lots"})


def test_invalid_choice_is_refused() -> None:
    with pytest.raises(SettingsError, match="QH_RUNTIME"):
        load_settings(Example, "auth", {"QH_RUNTIME": "kubernetes"})


def test_nonsense_limits_are_refused() -> None:
    with pytest.raises(SettingsError):
        load_settings(Example, "auth", {"QH_MAX_BODY_SIZE": "0"})


def test_dotenv_is_read_only_when_using_the_process_environment(tmp_path, monkeypatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("QH_AUTH_PAGE_SIZE=33\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QH_AUTH_PAGE_SIZE", raising=False)
    assert load_settings(Example, "auth").page_size == 33
    assert load_settings(Example, "auth", {}).page_size == 20
