"""What a file is, decided by its bytes, never by its name: PDF, DOCX, Markdown or text.

:class:`ContentInspector` is fed the upload chunk by chunk while it streams to the store
and keeps only a bounded head and tail, so a file of any size is judged in constant memory:

- PDF: starts with ``%PDF-1.x`` or ``%PDF-2.x`` and ends with a parseable trailer
  (``startxref`` and an offset inside the file, then ``%%EOF``).
- DOCX: a ZIP whose central directory (read from the tail) lists ``[Content_Types].xml``
  and ``word/document.xml``, with a bounded number of entries, total expanded size and
  compression ratio: a zip bomb is refused before anything unpacks it.
- Text and Markdown: valid UTF-8 without NUL bytes; Markdown when the name or the part's
  type says so (the content already proved it is text).

Executables (ELF, PE/MZ, Mach-O) and everything else answer 415.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Literal

from qh.kit.problems import InvalidValue, UnsupportedMediaType

Kind = Literal["pdf", "docx", "markdown", "text"]

CONTENT_TYPES: dict[Kind, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "markdown": "text/markdown; charset=utf-8",
    "text": "text/plain; charset=utf-8",
}
EXTENSIONS: dict[Kind, str] = {"pdf": ".pdf", "docx": ".docx", "markdown": ".md", "text": ".txt"}

HEAD_BYTES = 16
PDF_TAIL_BYTES = 2048
# The ZIP central directory must sit in this many last bytes (1000 entries of 200-byte names
# take well under it); a package whose directory does not fit is refused.
ZIP_TAIL_BYTES = 1024 * 1024
_PDF_HEADER = re.compile(rb"^%PDF-[12]\.\d")
_PDF_TRAILER = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_EXECUTABLES = (
    (b"\x7fELF", "an ELF executable"),
    (b"MZ", "a Windows executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "a Mach-O executable"),
)
_ZIP_MAGIC = b"PK\x03\x04"
_MARKDOWN_NAMES = (".md", ".markdown")
ACCEPTED = "PDF, DOCX, Markdown or UTF-8 text"


@dataclass(frozen=True)
class DocxLimits:
    max_entries: int = 1000
    max_expanded_bytes: int = 256 * 1024 * 1024
    max_ratio: int = 200


class ContentInspector:
    """Fed every chunk of one file in order; :meth:`finish` names its kind or refuses it."""

    def __init__(self, docx_limits: DocxLimits | None = None) -> None:
        self.docx_limits = docx_limits or DocxLimits()
        self.size = 0
        self.family: Literal["pdf", "zip", "text"] | None = None
        self._head = bytearray()
        self._tail = bytearray()
        self._tail_limit = 0
        self._decoder: codecs.BufferedIncrementalDecoder | None = None

    def feed(self, chunk: bytes) -> None:
        """Look at the next chunk; raises 415 as soon as the bytes rule the file out."""
        if not chunk:
            return
        self.size += len(chunk)
        if self.family is None:
            self._head += chunk[: HEAD_BYTES - len(self._head)]
            if len(self._head) < HEAD_BYTES:
                # Keep everything until the head is complete (it is tiny).
                self._tail += chunk
                return
            self._decide(bytes(self._head))
            pending, self._tail = bytes(self._tail) + chunk, bytearray()
            self._take(pending)
            return
        self._take(chunk)

    def _decide(self, head: bytes) -> None:
        for magic, what in _EXECUTABLES:
            if head.startswith(magic):
                raise UnsupportedMediaType(f"The file is {what}; only {ACCEPTED} are accepted")
        if _PDF_HEADER.match(head):
            self.family, self._tail_limit = "pdf", PDF_TAIL_BYTES
        elif head.startswith(_ZIP_MAGIC):
            self.family, self._tail_limit = "zip", ZIP_TAIL_BYTES
        else:
            self.family = "text"
            self._decoder = codecs.getincrementaldecoder("utf-8")("strict")  # type: ignore[assignment]

    def _take(self, chunk: bytes) -> None:
        if self.family == "text":
            if b"\x00" in chunk:
                raise UnsupportedMediaType(f"The file is binary; only {ACCEPTED} are accepted")
            assert self._decoder is not None
            if not self._decoder.buffer and chunk.isascii():
                return  # ASCII is UTF-8, and no character was left open before it
            try:
                self._decoder.decode(chunk)
            except UnicodeDecodeError:
                raise UnsupportedMediaType(
                    f"The file is neither UTF-8 text nor another accepted type ({ACCEPTED})"
                ) from None
            return
        self._tail += chunk
        if len(self._tail) > 2 * self._tail_limit:
            del self._tail[: len(self._tail) - self._tail_limit]

    def finish(self, *, filename: str | None = None, declared_type: str | None = None) -> Kind:
        """The file's kind once every byte was fed."""
        if self.size == 0:
            raise InvalidValue.field("file", "is empty")
        if self.family is None:
            # Shorter than the head: decide on what there is.
            self._decide(bytes(self._head))
            pending, self._tail = bytes(self._tail), bytearray()
            self._take(pending)
        if self.family == "pdf":
            self._check_pdf()
            return "pdf"
        if self.family == "zip":
            self._check_docx()
            return "docx"
        assert self._decoder is not None
        try:
            self._decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise UnsupportedMediaType(
                f"The file ends inside a UTF-8 character; only {ACCEPTED} are accepted"
            ) from None
        name = (filename or "").lower()
        if name.endswith(_MARKDOWN_NAMES) or (declared_type or "").startswith("text/markdown"):
            return "markdown"
        return "text"

    def _check_pdf(self) -> None:
        tail = bytes(self._tail[-PDF_TAIL_BYTES:])
        match = _PDF_TRAILER.search(tail)
        if match is None or int(match.group(1)) >= self.size:
            raise UnsupportedMediaType(
                "The file starts like a PDF but has no valid trailer (startxref, %%EOF): "
                "it is truncated or not a PDF"
            )

    def _check_docx(self) -> None:
        limits = self.docx_limits
        try:
            with zipfile.ZipFile(_TailFile(bytes(self._tail), self.size)) as package:
                entries = package.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise UnsupportedMediaType(
                f"The ZIP file is damaged, too large a package or not a DOCX; only {ACCEPTED} "
                "are accepted"
            ) from None
        if len(entries) > limits.max_entries:
            raise UnsupportedMediaType(
                f"The DOCX holds {len(entries)} files; at most {limits.max_entries} are accepted"
            )
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names or "word/document.xml" not in names:
            raise UnsupportedMediaType(
                f"The ZIP file is not a Word document (DOCX); only {ACCEPTED} are accepted"
            )
        expanded = 0
        for entry in entries:
            if entry.flag_bits & 0x1:
                raise UnsupportedMediaType("The DOCX is encrypted")
            expanded += entry.file_size
            if entry.file_size > 1024 * 1024 and (
                entry.compress_size == 0 or entry.file_size / entry.compress_size > limits.max_ratio
            ):
                raise UnsupportedMediaType(
                    "The DOCX expands far beyond its size (a zip bomb); refused"
                )
        if expanded > limits.max_expanded_bytes:
            raise UnsupportedMediaType(
                f"The DOCX expands to {expanded} bytes; at most {limits.max_expanded_bytes} "
                "are accepted (a zip bomb is refused)"
            )


class _TailFile(io.RawIOBase):
    """A read-only file of ``size`` bytes of which only the last ``len(tail)`` are known:
    enough for :mod:`zipfile` to read a central directory. Reading before the tail fails."""

    def __init__(self, tail: bytes, size: int) -> None:
        self._tail, self._size, self._start, self._position = tail, size, size - len(tail), 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def read(self, size: int | None = -1) -> bytes:
        if self._position < self._start:
            raise OSError("outside the part of the file that was kept")
        begin = self._position - self._start
        end = len(self._tail) if size is None or size < 0 else begin + size
        data = self._tail[begin:end]
        self._position += len(data)
        return data


def content_type_of(kind: str) -> str:
    return CONTENT_TYPES[kind]  # type: ignore[index]
