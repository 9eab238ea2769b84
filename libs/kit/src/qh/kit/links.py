"""OpenAPI links (`Link Objects`_): what a client can do next with what a response gave it,
e.g. read the analysis a ``POST`` just stored by the ``id`` in its body. Clients and
stateful fuzzers (schemathesis) follow them. A handler declares them in its ``opt``::

    @post("/match", opt={LINKS: {200: [Follow("GET", "/{analysis_id}", analysis_id="id")]}})

``Follow(method, path, **parameters)`` names an operation of the same service by its path
relative to the service prefix and fills each path parameter from a field of the response
body. The kit resolves the prefix when it builds the app (:func:`declare_links`).

A response whose media type depends on the request (``?format=pdf|docx|md``) lists them
with ``opt={MEDIA_TYPES: {200: ["application/pdf", ...]}}``: Litestar documents one.

.. _Link Objects: https://spec.openapis.org/oas/v3.1.0#link-object
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import Link, OpenAPIResponse, Operation

LINKS = "openapi_links"
"""The ``opt`` key: ``{status: [Follow, ...]}``."""

MEDIA_TYPES = "openapi_media_types"
"""The ``opt`` key for a response sent in one of several media types (a download as PDF,
DOCX or Markdown): ``{200: ["application/pdf", ...]}``, each with the response's schema."""


class Follow:
    """An operation a response leads to: ``Follow("GET", "/{item_id}", item_id="id")``
    (the path parameter ``item_id`` from the body's field ``id``)."""

    def __init__(self, method: str, path: str, *, name: str | None = None, **fields: str) -> None:
        self.method = method.lower()
        self.path = path
        self.name = name
        self.fields = fields

    def link(self, prefix: str) -> tuple[str, Link]:
        full = (prefix.rstrip("/") + "/" + self.path.lstrip("/")).rstrip("/") or "/"
        pointer = full.replace("~", "~0").replace("/", "~1")
        name = self.name or re.sub(r"[^A-Za-z0-9]+", "_", f"{self.method}{self.path}").strip("_")
        return name, Link(
            operation_ref=f"#/paths/{pointer}/{self.method}",
            parameters={
                f"path.{param}": f"$response.body#/{field}" for param, field in self.fields.items()
            },
        )


def _operation_with(
    links: Mapping[str, dict[str, Link]], media_types: Mapping[str, Sequence[str]]
) -> type[Operation]:
    @dataclass
    class LinkedOperation(Operation):
        def __post_init__(self) -> None:
            responses = self.responses or {}
            for status, named in links.items():
                response = responses.get(status)
                if isinstance(response, OpenAPIResponse):
                    response.links = {**(response.links or {}), **named}
            for status, types in media_types.items():
                response = responses.get(status)
                if isinstance(response, OpenAPIResponse) and response.content:
                    body = next(iter(response.content.values()))
                    response.content = {media_type: body for media_type in types}

    return LinkedOperation


def declare_links(app: Litestar, prefix: str) -> None:
    """Adds the links every handler of ``app`` declares under ``opt[LINKS]``, and the media
    types under ``opt[MEDIA_TYPES]``, to its OpenAPI responses."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            declared: Mapping[int, Sequence[Follow]] = handler.opt.get(LINKS) or {}
            media_types: Mapping[int, Sequence[str]] = handler.opt.get(MEDIA_TYPES) or {}
            if not declared and not media_types:
                continue
            links: dict[str, dict[str, Link]] = {}
            for status, follows in declared.items():
                links[str(status)] = dict(follow.link(prefix) for follow in follows)
            handler.operation_class = _operation_with(
                links, {str(status): types for status, types in media_types.items()}
            )


__all__ = ["LINKS", "MEDIA_TYPES", "Follow", "declare_links"]
