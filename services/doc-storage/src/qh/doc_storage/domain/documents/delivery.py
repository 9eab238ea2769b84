"""How stored bytes go out over HTTP: ETag and ``If-None-Match`` (RFC 9110), single byte
ranges (RFC 9110 §14), and a Content-Disposition whose file name survives any title
(RFC 6266: an ASCII fallback and a UTF-8 ``filename*``)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from qh.doc_storage.domain.documents.content import EXTENSIONS

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;%]+')
MAX_NAME = 150


class RangeNotSatisfiable(Exception):
    """The Range asks for bytes the file does not have (416)."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # exclusive

    @property
    def length(self) -> int:
        return self.end - self.start

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end - 1}/{size}"


def etag_of(sha256: str) -> str:
    return f'"{sha256}"'


def none_match(header: str | None, etag: str) -> bool:
    """``If-None-Match`` matches ``etag`` (weak comparison, ``*`` matches anything)."""
    if not header:
        return False
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False


def parse_range(header: str | None, size: int, if_range: str | None, etag: str) -> ByteRange | None:
    """The one range a ``Range`` header asks for, or ``None`` for the whole file (no header,
    a header this does not serve — several ranges, another unit —, or a stale If-Range)."""
    if not header:
        return None
    if if_range is not None and if_range.strip() != etag:
        return None
    match = _RANGE.match(header)
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return ByteRange(max(0, size - suffix), size)
    start = int(first)
    end = size if not last else min(int(last) + 1, size)
    if last and int(last) < start:
        return None  # invalid: ignore the header, as RFC 9110 allows
    if start >= size:
        raise RangeNotSatisfiable
    return ByteRange(start, end)


def _stem(title: str, kind: str) -> str:
    name = unicodedata.normalize("NFC", title)
    name = _UNSAFE_IN_NAME.sub("_", name).strip(" ._") or "document"
    extension = EXTENSIONS.get(kind, "")  # type: ignore[call-overload]
    if extension and name.lower().endswith(extension):
        name = name[: -len(extension)].rstrip(" ._") or "document"
    return name[:MAX_NAME]


def download_name(title: str, kind: str) -> str:
    """A file name for ``title``: no path, no control or reserved characters, the kind's
    extension."""
    return _stem(title, kind) + EXTENSIONS.get(kind, "")  # type: ignore[call-overload]


def content_disposition(title: str, kind: str, *, inline: bool = False) -> str:
    """``attachment; filename="ascii"; filename*=UTF-8''percent-encoded`` (RFC 6266)."""
    stem = _stem(title, kind)
    extension = EXTENSIONS.get(kind, "")  # type: ignore[call-overload]
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    ascii_stem = re.sub(r"[^A-Za-z0-9.()+-]+", "_", ascii_stem).strip(" ._")
    if len(ascii_stem.replace("_", "")) < 1:
        ascii_stem = "document"
    disposition = "inline" if inline else "attachment"
    encoded = quote(stem + extension, safe="")
    return f"{disposition}; filename=\"{ascii_stem}{extension}\"; filename*=UTF-8''{encoded}"
