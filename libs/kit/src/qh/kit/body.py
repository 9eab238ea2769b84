"""JSON request bodies decoded strictly, straight into the handler's type.

Litestar reads a JSON ``data`` body into builtins and then converts it to the handler's
type with msgspec's lax rules (``strict=False``), which it needs for query, path and
header parameters, since those arrive as text. For a JSON body the same rules accept the
wrong JSON type: ``0`` for a ``bool``, a number for a ``datetime``, ``"12"`` or ``1.0``
for an ``int``. Here every handler whose ``data`` is JSON gets its own decoder, made once
when the app is built, that decodes the body straight into the declared type with
msgspec's strict rules (a JSON integer is still a good ``float``, JSON having one number
type). Litestar's signature model then finds the value already of its type and passes it
through untouched. One decoding instead of a decoding and a conversion: cheaper than
before, not dearer.

A body of the wrong type is refused before any dependency runs, with the problem the kit
gives any invalid field (:mod:`qh.kit.problems`): 422, the field named as sent. A body
that is not JSON at all stays a 400, even when its first value is also of the wrong type.
Form-encoded, multipart and MessagePack bodies, and handlers that read their body
themselves, keep Litestar's own handling.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Any

import msgspec
from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.exceptions import SerializationException, ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute
from litestar.types import Empty

Extractor = Callable[
    [dict[str, Any], ASGIConnection[Any, Any, Any, Any]], Coroutine[Any, Any, None]
]

_ANY_JSON = msgspec.json.Decoder()
# msgspec's message and where in the document it applies: "... - at `$.items[0].title`".
_AT = re.compile(r"^(.*) - at `\$(.*)`$", re.DOTALL)
# The name of Litestar's extractor of the ``data`` argument (``create_data_extractor``).
_LITESTAR_DATA_EXTRACTOR = "create_data_extractor.<locals>.extractor"
_STRICT_EXTRACTOR = "strict_json_extractor.<locals>.extract_data"


def _refusal(
    connection: ASGIConnection[Any, Any, Any, Any], error: msgspec.ValidationError
) -> Exception:
    """The error Litestar's signature model raises for an invalid body, so the kit's
    problem handler names the field as it does any other (the body itself: ``body``)."""
    match = _AT.match(str(error))
    message, where = (match.group(1), match.group(2)) if match else (str(error), "")
    key = where[1:] if where.startswith(".") else f"body{where}"
    method = getattr(connection, "method", "")
    return ValidationException(
        detail=f"Validation failed for {method} {connection.url.path}",
        extra=[{"key": key, "message": message, "source": "body"}],
    )


def strict_json_extractor(decoder: msgspec.json.Decoder[Any]) -> Extractor:
    """The ``data`` argument decoded by ``decoder``: an invalid body raises the
    validation error of its first bad field; a body that is not JSON, the usual 400."""

    async def extract_data(
        values: dict[str, Any], connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        body = await connection.body()  # type: ignore[attr-defined]
        if not body:
            values["data"] = Empty
            return
        try:
            values["data"] = decoder.decode(body)
        except msgspec.ValidationError as exc:
            # Typed decoding stops at the first value of the wrong type, perhaps before
            # the end of a document that is not JSON at all: that is still a 400.
            try:
                _ANY_JSON.decode(body)
            except msgspec.DecodeError as malformed:
                raise SerializationException(str(malformed)) from malformed
            raise _refusal(connection, exc) from exc
        except msgspec.DecodeError as exc:
            raise SerializationException(str(exc)) from exc

    return extract_data


def _json_data_type(handler: HTTPRouteHandler, model: Any) -> Any:
    """The type of the handler's own JSON ``data`` argument as its signature model checks
    it, or ``Empty`` when it has none (no body, a form, multipart, MessagePack, a DTO)."""
    if "data" not in model.expected_reserved_kwargs or "data" not in (
        handler.parsed_fn_signature.parameters
    ):
        return Empty
    if model.expected_form_data or model.expected_msgpack_data or model.expected_data_dto:
        return Empty
    for field in msgspec.structs.fields(handler.signature_model):
        if field.name == "data":
            return field.type
    return Empty


def strict_json_bodies(app: Litestar) -> None:
    """Give every route handler of ``app`` that takes a JSON ``data`` body a strict
    decoder of its type. Called once, when the app is built."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler, model in route.route_handler_map.values():
            data_type = _json_data_type(handler, model)
            if data_type is Empty:
                continue
            # Litestar made its extractors in the order of this (unchanged) set.
            position = list(model.expected_reserved_kwargs).index("data")
            current = model.extractors[position]
            name = getattr(current, "__qualname__", "")
            if name == _STRICT_EXTRACTOR:
                continue
            if name != _LITESTAR_DATA_EXTRACTOR:
                raise RuntimeError(
                    f"{handler}: the body extractor is not Litestar's JSON one "
                    f"({getattr(current, '__qualname__', current)!r})"
                )
            decoder = msgspec.json.Decoder(
                data_type, strict=True, dec_hook=handler.default_deserializer
            )
            model.extractors[position] = strict_json_extractor(decoder)


__all__ = ["strict_json_bodies", "strict_json_extractor"]
