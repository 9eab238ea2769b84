"""The request bodies of the upload routes in the OpenAPI document: those handlers read
the body themselves (streamed), so Litestar cannot describe it from a ``data`` parameter.
With this, Swagger's *Try it out* offers a file picker."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, RequestBody, Schema

_MULTIPART = Schema(
    type=OpenAPIType.OBJECT,
    required=["file"],
    properties={
        "file": Schema(
            type=OpenAPIType.STRING,
            format="binary",  # type: ignore[arg-type]
            description="PDF, DOCX, Markdown or UTF-8 text, judged by its bytes",
        ),
        "title": Schema(
            type=OpenAPIType.STRING,
            max_length=200,
            description="Shown in lists and used as the download's file name",
        ),
    },
)
_RAW = Schema(type=OpenAPIType.STRING, format="binary")  # type: ignore[arg-type]


def document_uploads(app: Litestar, _context: Any = None) -> None:
    """The service's ``configure_app``."""
    openapi = app.openapi_schema
    prefix = "/api/v1/documents"
    multipart = {"multipart/form-data": OpenAPIMediaType(schema=_MULTIPART)}
    for path, method in ((prefix, "post"), (f"{prefix}/{{document_id}}/versions", "post")):
        operation = getattr((openapi.paths or {}).get(path), method, None)
        if operation is not None:
            operation.request_body = RequestBody(content=multipart, required=True)
    item = (openapi.paths or {}).get(
        f"{prefix}/internal/origin/{{origin_kind}}/{{origin_id}}/content"
    )
    if item is not None and item.put is not None:
        item.put.request_body = RequestBody(
            content={
                "application/pdf": OpenAPIMediaType(schema=_RAW),
                "application/octet-stream": OpenAPIMediaType(schema=_RAW),
                **multipart,
            },
            required=True,
            description="The file itself, or a multipart upload like POST /",
        )
