"""The OpenAPI document describes the uploads (the handlers read their bodies themselves)."""

from __future__ import annotations

import json
from pathlib import Path

from qh.doc_storage.app import service
from qh.kit.testing import settings_for_tests


def test_uploads_document_their_bodies(tmp_path: Path) -> None:
    app = service.create_app(settings_for_tests(service, f"sqlite+aiosqlite:///{tmp_path}/o.db"))
    document = app.openapi_schema.to_schema()
    json.dumps(document)  # what `qh openapi doc-storage` prints
    paths = document["paths"]
    upload = paths["/api/v1/documents"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert upload["schema"]["properties"]["file"]["format"] == "binary"
    assert upload["schema"]["required"] == ["file"]
    version = paths["/api/v1/documents/{document_id}/versions"]["post"]["requestBody"]
    assert "multipart/form-data" in version["content"]
    export = paths["/api/v1/documents/internal/origin/{origin_kind}/{origin_id}/content"]["put"]
    assert "application/pdf" in export["requestBody"]["content"]
    shared = paths["/api/v1/documents/shared/{token}"]["get"]
    assert shared["security"] == [{}]
    for status in ("206", "304", "404", "416"):
        assert status in shared["responses"], status
