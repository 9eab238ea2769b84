"""A QH export (``GET /me/export?format=qh``) read back: a backup restored, or a proposal
of the resume-file import saved once the candidate has reviewed it."""

from __future__ import annotations

from typing import Any

from qh.kit.problems import FieldError, InvalidValue
from qh.user_data.domain.exchange.mapped import Mapped
from qh.user_data.domain.exchange.schemas import READABLE_SCHEMA_VERSIONS
from qh.user_data.domain.profiles.sections import SECTIONS

# What the platform writes into an export and sets anew on import.
PERSONAL_GENERATED = ("user_id", "revision", "updated_at")
ITEM_GENERATED = ("id", "order", "created_at", "updated_at")


def read_qh(document: dict[str, Any]) -> Mapped:
    """Every known part of the document, for the same checks as the item routes; an unknown
    key or a wrong container is a problem (listed with all the others)."""
    version = document.get("schema_version")
    if version not in READABLE_SCHEMA_VERSIONS:
        readable = ", ".join(READABLE_SCHEMA_VERSIONS)
        raise InvalidValue.field(
            "schema_version", f"must be one this service reads ({readable}); got {version!r}"
        )
    out = Mapped(fmt="qh", personal_namer=lambda name: f"personal.{name}", keep_personal=())
    for key in document:
        if key not in {"schema_version", "personal", *SECTIONS}:
            out.errors.append(FieldError(key, "is not a known field"))
    personal = document.get("personal") or {}
    if isinstance(personal, dict):
        out.personal = {k: v for k, v in personal.items() if k not in PERSONAL_GENERATED}
    else:
        out.errors.append(FieldError("personal", "must be a JSON object"))
    for name in SECTIONS:
        items = document.get(name) or []
        rows = out.sections.setdefault(name, [])
        if not isinstance(items, list):
            out.errors.append(FieldError(name, "must be a list"))
            continue
        for index, item in enumerate(items):
            path = f"{name}[{index}]"
            if not isinstance(item, dict):
                out.errors.append(FieldError(path, "must be a JSON object"))
                continue
            values = {k: v for k, v in item.items() if k not in ITEM_GENERATED}
            rows.append((path, values, {}))
    return out
