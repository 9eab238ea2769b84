"""An upload read as it arrives: a ``multipart/form-data`` body (field ``file``, optional
``title``) or the raw file as the body. Chunks go to the store as they come; on the way
they are counted (413 past the limit), hashed (SHA-256) and shown to the
:class:`ContentInspector` (415 as soon as the bytes rule the file out). Nothing holds the
whole file: memory is a few chunks whatever the size."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator

from litestar.exceptions import InternalServerException
from multipart import MultipartSegment, ParserError, ParserLimitReached, PushMultipartParser

from qh.doc_storage.domain.documents.content import ContentInspector, DocxLimits
from qh.kit.problems import BadRequest, InvalidValue, PayloadTooLarge

MAX_FIELD_BYTES = 4096
# The file goes to the store (and through the hash) in blocks of this size.
BLOCK = 1024 * 1024
# A last block smaller than this is hashed and checked at once, not in worker threads.
SMALL_BLOCK = 64 * 1024
MAX_SEGMENTS = 8
MULTIPART_OVERHEAD = 64 * 1024
FILE_FIELD = "file"


class UploadInterrupted(BadRequest):
    """The client went away (or the body broke off) before the file was complete."""


class UploadSource:
    """One request's file, read once."""

    def __init__(
        self,
        stream: AsyncIterator[bytes],
        *,
        content_type: str | None,
        content_length: int | None,
        max_bytes: int,
        docx_limits: DocxLimits | None = None,
        filename: str | None = None,
    ) -> None:
        self._stream = stream
        self.max_bytes = max_bytes
        self.size = 0
        self.hasher = hashlib.sha256()
        self.inspector = ContentInspector(docx_limits)
        self.fields: dict[str, str] = {}
        self.filename = filename
        self.declared_type: str | None = None
        self.error: BaseException | None = None
        media_type, _, params = (content_type or "").partition(";")
        self.media_type = media_type.strip().lower()
        self.boundary: str | None = None
        if self.media_type == "multipart/form-data":
            for param in params.split(";"):
                name, _, value = param.strip().partition("=")
                if name.lower() == "boundary":
                    self.boundary = value.strip().strip('"')
            if not self.boundary:
                raise BadRequest("The multipart body has no boundary in its Content-Type")
            limit = max_bytes + MULTIPART_OVERHEAD
        else:
            self.declared_type = self.media_type or None
            limit = max_bytes
        if content_length is not None and content_length > limit:
            raise self._too_large()

    @property
    def sha256(self) -> str:
        return self.hasher.hexdigest()

    @property
    def title(self) -> str | None:
        return self.fields.get("title")

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"The file is larger than the {self.max_bytes} bytes accepted")

    async def chunks(self) -> AsyncIterator[bytes]:
        """The file's bytes in blocks of about :data:`BLOCK` bytes. Each block is counted
        at once (413 past the limit), then hashed and inspected in worker threads while
        the store writes it and the next block arrives: the hash (which releases the GIL)
        and the content check run side by side, each one block at a time and in order. The
        first error is kept in :attr:`error` (the store may wrap it) and raised again."""
        loop = asyncio.get_running_loop()
        hashing: asyncio.Future[None] | None = None
        inspecting: asyncio.Future[None] | None = None
        pieces: list[bytes] = []
        buffered = 0
        try:
            stream = self._body() if self.boundary is None else self._multipart_file()
            async for piece in stream:
                self.size += len(piece)
                if self.size > self.max_bytes:
                    raise self._too_large()
                pieces.append(piece)
                buffered += len(piece)
                if buffered < BLOCK:
                    continue
                # One copy of the received bytes, into the block the store gets.
                block = pieces[0] if len(pieces) == 1 else b"".join(pieces)
                pieces, buffered = [], 0
                if hashing is not None:
                    await hashing
                if inspecting is not None:
                    await inspecting
                hashing = loop.run_in_executor(None, self.hasher.update, block)
                inspecting = loop.run_in_executor(None, self.inspector.feed, block)
                yield block
            for running in (hashing, inspecting):
                if running is not None:
                    await running
            hashing = inspecting = None
            if pieces:
                block = pieces[0] if len(pieces) == 1 else b"".join(pieces)
                if len(block) < SMALL_BLOCK:
                    self.hasher.update(block)
                    self.inspector.feed(block)
                else:
                    hashing = loop.run_in_executor(None, self.hasher.update, block)
                    inspecting = loop.run_in_executor(None, self.inspector.feed, block)
                    await hashing
                    await inspecting
                    hashing = inspecting = None
                yield block
        except BaseException as exc:
            self.error = exc
            for running in (hashing, inspecting):
                if running is not None:
                    with contextlib.suppress(BaseException):
                        await running
            raise

    async def _body(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._stream:
                if chunk:
                    yield chunk
        except (InternalServerException, OSError) as exc:
            # The client went away (Litestar's disconnect) or the connection broke.
            raise UploadInterrupted(
                "The upload was interrupted before the file was complete"
            ) from exc

    async def _multipart_file(self) -> AsyncIterator[bytes]:
        assert self.boundary is not None
        seen_file = False
        segment: MultipartSegment | None = None
        field = bytearray()
        try:
            with PushMultipartParser(
                self.boundary, max_segment_count=MAX_SEGMENTS, max_header_count=8
            ) as parser:
                async for chunk in self._body():
                    for event in parser.parse(chunk):
                        if isinstance(event, MultipartSegment):
                            segment, field = event, bytearray()
                            if segment.name == FILE_FIELD:
                                if seen_file:
                                    raise InvalidValue.field("file", "send one file per upload")
                                seen_file = True
                                self.filename = segment.filename or self.filename
                                self.declared_type = segment.content_type
                        elif event is None:
                            if segment is not None and segment.name != FILE_FIELD and segment.name:
                                self._keep_field(segment, bytes(field))
                            segment = None
                        elif segment is not None and segment.name == FILE_FIELD:
                            yield event
                        elif segment is not None:
                            field += event
                            if len(field) > MAX_FIELD_BYTES:
                                raise InvalidValue.field(segment.name or "field", "is too long")
                # The end of the body: the parser checks that the closing boundary came.
                for _ in parser.parse(b""):
                    pass
        except ParserLimitReached:
            raise BadRequest("The multipart body has too many parts or headers") from None
        except ParserError as exc:
            raise UploadInterrupted(
                f"The multipart body is incomplete or unreadable: {exc}"
            ) from None
        if not seen_file:
            raise InvalidValue.field("file", "is required (a multipart field named file)")

    def _keep_field(self, segment: MultipartSegment, value: bytes) -> None:
        name = segment.name or ""
        if name in self.fields:
            raise InvalidValue.field(name, "is given twice")
        try:
            self.fields[name] = value.decode(segment.charset or "utf-8")
        except (UnicodeDecodeError, LookupError):
            raise InvalidValue.field(name, "is not valid UTF-8") from None


def failure_of(source: UploadSource, exc: BaseException) -> BaseException:
    """The error to report for a failed put: the stream's own one when the store wrapped it."""
    if isinstance(source.error, Exception):
        # The stream's own failure (too large, not this kind, cut off), however the store
        # wrapped it; a stream stopped because the store failed has none of its own.
        return source.error
    return exc


__all__ = ["FILE_FIELD", "UploadInterrupted", "UploadSource", "failure_of"]
