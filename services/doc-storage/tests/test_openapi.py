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


def test_downloads_document_the_media_types_they_are_sent_in(tmp_path: Path) -> None:
    """A download is the stored file (PDF, DOCX, Markdown or text), not JSON."""
    app = service.create_app(settings_for_tests(service, f"sqlite+aiosqlite:///{tmp_path}/o.db"))
    paths = app.openapi_schema.to_schema()["paths"]
    kinds = {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/markdown",
        "text/plain",
    }
    for path in ("/api/v1/documents/{document_id}/content", "/api/v1/documents/shared/{token}"):
        responses = paths[path]["get"]["responses"]
        for status in ("200", "206"):
            assert set(responses[status]["content"]) == kinds, (path, status)
            for media in responses[status]["content"].values():
                assert media["schema"]["type"] == "string"
