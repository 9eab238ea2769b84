"""Topics carry their version and payload type; payloads survive the wire."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import msgspec
import pytest

from qh.contracts import (
    ALL_TOPICS,
    AUTH_PASSWORD_RESET_REQUESTED,
    USER_DELETED,
    USER_REGISTERED,
    PasswordResetRequested,
    UserDeleted,
    UserRegistered,
    topic_by_name,
)


def test_every_topic_name_is_unique_and_versioned() -> None:
    names = [topic.name for topic in ALL_TOPICS]
    assert len(names) == len(set(names))
    for name in names:
        assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)+\.v[1-9][0-9]*", name), name
        assert topic_by_name(name).name == name
    with pytest.raises(KeyError):
        topic_by_name("user.registered.v0")


def test_payloads_round_trip_through_json() -> None:
    user = uuid.uuid4()
    registered = UserRegistered(
        user_id=user, email="anna@example.ru", full_name="Анна", locale="ru"
    )
    wire = msgspec.json.encode(USER_REGISTERED.encode(registered))
    assert USER_REGISTERED.decode(msgspec.json.decode(wire)) == registered
    reset = PasswordResetRequested(
        user_id=user,
        email="anna@example.ru",
        reset_url="https://qh.example/reset?token=x",
        expires_at=datetime(2026, 11, 27, 12, tzinfo=UTC),
    )
    decoded = AUTH_PASSWORD_RESET_REQUESTED.decode(
        msgspec.json.decode(msgspec.json.encode(AUTH_PASSWORD_RESET_REQUESTED.encode(reset)))
    )
    assert decoded == reset


def test_a_topic_refuses_another_payload_type() -> None:
    with pytest.raises(TypeError, match="carries UserDeleted"):
        USER_DELETED.encode(UserRegistered(user_id=uuid.uuid4(), email="a@b.c"))  # type: ignore[arg-type]


def test_unknown_fields_from_newer_producers_are_ignored() -> None:
    user = uuid.uuid4()
    data = {"user_id": str(user), "added_in_a_later_release": True}
    assert USER_DELETED.decode(data) == UserDeleted(user_id=user)


def test_missing_required_fields_are_refused() -> None:
    with pytest.raises(msgspec.ValidationError, match="user_id"):
        USER_DELETED.decode({})


def test_vacancy_events_round_trip_and_keep_their_versioned_names() -> None:
    from qh.contracts import (
        VACANCY_CREATED,
        VACANCY_DELETED,
        VACANCY_UPDATED,
        VacancyCreated,
        VacancyDeleted,
        VacancyUpdated,
    )

    assert (VACANCY_CREATED.name, VACANCY_UPDATED.name, VACANCY_DELETED.name) == (
        "vacancy.created.v1",
        "vacancy.updated.v1",
        "vacancy.deleted.v1",
    )
    user, vacancy = uuid.uuid4(), uuid.uuid4()
    for topic, payload in (
        (
            VACANCY_CREATED,
            VacancyCreated(vacancy_id=vacancy, user_id=user, title="Бухгалтер", source_kind="hh"),
        ),
        (
            VACANCY_UPDATED,
            VacancyUpdated(vacancy_id=vacancy, user_id=user, fields=("notes", "status")),
        ),
        (VACANCY_DELETED, VacancyDeleted(vacancy_id=vacancy, user_id=user)),
    ):
        assert topic in ALL_TOPICS
        wire = msgspec.json.encode(topic.encode(payload))
        assert topic.decode(msgspec.json.decode(wire)) == payload
    with pytest.raises(msgspec.ValidationError):
        VACANCY_CREATED.decode(
            {"vacancy_id": str(vacancy), "user_id": str(user), "title": "x", "source_kind": "ftp"}
        )


def test_analysis_completed_round_trips() -> None:
    from qh.contracts import ANALYSIS_COMPLETED, AnalysisCompleted

    event = AnalysisCompleted(
        analysis_id=uuid.uuid4(), user_id=uuid.uuid4(), kind="match", score=72.5
    )
    wire = msgspec.json.encode(ANALYSIS_COMPLETED.encode(event))
    assert ANALYSIS_COMPLETED.name == "analysis.completed.v1"
    assert ANALYSIS_COMPLETED.decode(msgspec.json.decode(wire)) == event


def test_signed_in_round_trips_and_carries_no_secret() -> None:
    from qh.contracts import AUTH_SIGNED_IN, SignedIn

    event = SignedIn(
        user_id=uuid.uuid4(),
        email="anna@example.ru",
        full_name="Анна",
        locale="ru",
        at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        ip="203.0.113.7",
        user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
        new_device=True,
    )
    wire = msgspec.json.decode(msgspec.json.encode(AUTH_SIGNED_IN.encode(event)))
    assert AUTH_SIGNED_IN.name == "auth.signed_in.v1"
    assert AUTH_SIGNED_IN in ALL_TOPICS
    assert AUTH_SIGNED_IN.decode(wire) == event
    assert set(wire) == {
        "user_id",
        "email",
        "full_name",
        "locale",
        "at",
        "ip",
        "user_agent",
        "new_device",
    }
