"""What a rendered file is sent with: its media type and an RFC 6266 Content-Disposition."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

# Without a charset: Litestar adds ``; charset=utf-8`` to every text/* response itself (a
# second one would make the header ``text/markdown; charset=utf-8; charset=utf-8``).
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown",
    "txt": "text/plain",
    "html": "text/html",
}

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def safe_filename(stem: str, extension: str, *, fallback: str = "document") -> str:
    """A file name from user text: control characters, path separators and characters
    Windows refuses removed, spaces collapsed, at most 120 characters before the
    extension; ``fallback`` when nothing is left."""
    cleaned = _UNSAFE.sub(" ", unicodedata.normalize("NFC", stem))
    cleaned = re.sub(r"\s+", " ", cleaned).strip(" .")[:120].strip(" .")
    return f"{cleaned or fallback}.{extension}"


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """RFC 6266: an ASCII ``filename`` for old clients and ``filename*=UTF-8''…`` with the
    real name (RFC 8187 percent-encoding)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]+", "_", ascii_name).strip() or "document"
    if ascii_name.startswith("."):
        ascii_name = "document" + ascii_name
    encoded = quote(filename, safe="")
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"


def markdown_escape(text: str) -> str:
    """Text that Markdown shows as written: inline markup characters escaped everywhere,
    block markers (``#``, ``-``, ``+``, ``>``, ``1.``) at the start of a line, and ``<`` as
    an entity so an HTML tag is text; line breaks kept."""
    escaped = re.sub(r"([\\`*_{}\[\]|~])", r"\\\1", text).replace("<", "&lt;")
    return re.sub(r"(?m)^(\s*)([#+>-]|\d+(?=[.)]))", r"\1\\\2", escaped)


__all__ = ["MEDIA_TYPES", "content_disposition", "markdown_escape", "safe_filename"]
