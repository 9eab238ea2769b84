"""A body's shape checked field by field: every problem reported at once, shape and value
rules together, and a rule never repeats a field whose shape is already wrong."""

from __future__ import annotations

from typing import Annotated

import msgspec
import pytest

from qh.kit.problems import BadRequest, FieldError, InvalidValue
from qh.kit.shape import check_body, decode_object


class Place(msgspec.Struct, forbid_unknown_fields=True):
    city: Annotated[str, msgspec.Meta(max_length=20)]
    country_code: Annotated[str, msgspec.Meta(pattern="^[A-Z]{2}$")]


class Person(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1)]
    age: Annotated[int, msgspec.Meta(ge=0)] | None = None
    place: Place | None = None
    tags: list[Annotated[str, msgspec.Meta(max_length=5)]] = []


def _fields(exc: InvalidValue) -> set[str]:
    return {error.field for error in exc.errors or []}


def test_every_shape_problem_is_reported_at_once() -> None:
    raw = {
        "age": -1,
        "place": {"city": "x" * 30, "country_code": "RUS", "zip": "1"},
        "tags": ["ok", "much-too-long"],
        "nickname": "?",
    }
    with pytest.raises(InvalidValue) as caught:
        check_body(raw, Person)
    assert _fields(caught.value) == {
        "name",
        "age",
        "place.city",
        "place.country_code",
        "place.zip",
        "tags[1]",
        "nickname",
    }
    messages = " ".join(error.message for error in caught.value.errors or [])
    assert "regex" not in messages


def test_rules_run_beside_shape_problems_without_repeating_them() -> None:
    def rules(values: dict[str, object]) -> list[FieldError]:
        return [FieldError("place.country_code", "unknown country"), FieldError("name", "taken")]

    with pytest.raises(InvalidValue) as caught:
        check_body({"name": "Ann", "place": {"city": "Oslo", "country_code": "no"}}, Person, rules)
    assert [(e.field, e.message) for e in caught.value.errors or []] == [
        ("place.country_code", caught.value.errors[0].message),  # type: ignore[index]
        ("name", "taken"),
    ]
    assert caught.value.errors[0].message != "unknown country"  # type: ignore[index]


def test_a_good_body_comes_back_as_builtins() -> None:
    values = check_body({"name": "Ann", "tags": ["a"]}, Person)
    assert values == {"name": "Ann", "age": None, "place": None, "tags": ["a"]}


@pytest.mark.parametrize("body", [b"{", b"[1, 2]", b'"text"'])
def test_a_body_that_is_not_an_object_is_refused_clearly(body: bytes) -> None:
    with pytest.raises((BadRequest, InvalidValue)):
        decode_object(body)
