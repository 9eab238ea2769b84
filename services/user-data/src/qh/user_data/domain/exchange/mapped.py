"""A document of any import format read into QH values, with what did not fit.

Each format (JSON Resume, a QH export, a LinkedIn archive) produces a :class:`Mapped`; the
service checks and writes it the same way, naming every problem by the document's own path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qh.kit.problems import FieldError

# Personal fields that only QH has: a replace from a format without them keeps them.
QH_ONLY_PERSONAL = (
    "birth_date",
    "citizenship",
    "desired_position",
    "desired_salary",
    "relocation",
    "resume_languages",
)


@dataclass
class Unmapped:
    path: str
    reason: str


@dataclass
class Normalised:
    path: str
    original: str
    stored: str


# (path of the item in the document, QH values, {QH field: the document's name for it})
Row = tuple[str, dict[str, Any], dict[str, str]]


@dataclass
class Mapped:
    fmt: str
    personal_namer: Callable[[str], str]
    personal: dict[str, Any] = field(default_factory=dict)
    sections: dict[str, list[Row]] = field(default_factory=dict)
    unmapped: list[Unmapped] = field(default_factory=list)
    normalised: list[Normalised] = field(default_factory=list)
    keep_personal: tuple[str, ...] = QH_ONLY_PERSONAL
    errors: list[FieldError] = field(default_factory=list)


def present(value: Any) -> bool:
    return value not in (None, "", [], {}) and not (isinstance(value, str) and not value.strip())


def item_field(path: str, names: dict[str, str], qh_field: str) -> str:
    """The document's path of a QH field of an item (``work[0].startDate``)."""
    root = qh_field.split("[", 1)[0].split(".", 1)[0]
    rest = qh_field[len(root) :]
    name = names.get(root, root) if root else ""
    return f"{path}.{name}{rest}" if name else path
