"""``ObjectStorage``: the few operations the service needs from an object store, on
obstore (S3, MinIO, GCS, Azure, or a local folder).

Keys are made by the service only (see ``domain.documents.keys``); this module adds the
configured prefix and never sees a name a user typed. A put takes an async stream and
uses a multipart upload for anything larger than one part, so a file never has to be in
memory whole; an interrupted stream leaves no object behind (obstore aborts the upload).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlparse

import obstore
from obstore.exceptions import BaseError as ObstoreError
from obstore.exceptions import NotFoundError
from obstore.store import LocalStore, ObjectStore, from_url

from qh.kit.problems import ServiceUnavailable
from qh.kit.runtime import Secrets

# Parts of a multipart upload: S3's smallest allowed for a remote store; smaller for a
# local folder. With two parts in flight, a put holds at most a few parts in memory
# whatever the file's size.
REMOTE_PART_SIZE = 5 * 1024 * 1024
LOCAL_PART_SIZE = 1024 * 1024
PART_CONCURRENCY = 2
READ_CHUNK = 1024 * 1024
# Chunks a download reads ahead of the one being sent.
READ_AHEAD = 2

# A remote store that does not answer fails a request within seconds (a few retries), not
# after the client's default of ten retries within three minutes: the request waiting on
# it holds a worker, and its client is better told to come back (503, Retry-After).
CONNECT_TIMEOUT = timedelta(seconds=5)
RETRY: dict[str, Any] = {
    "max_retries": 3,
    "retry_timeout": timedelta(seconds=10),
    "backoff": {"init_backoff": timedelta(milliseconds=100), "max_backoff": timedelta(seconds=2)},
}


class StorageError(Exception):
    """The store is misconfigured (raised when it is opened)."""


class StoreUnavailable(ServiceUnavailable):
    """The store could not be reached or refused an operation: a 503 with Retry-After."""


@contextlib.contextmanager
def _reaching_the_store() -> Iterator[None]:
    """The store's own failures as :class:`StoreUnavailable`; a missing object stays a
    ``FileNotFoundError`` (or obstore's ``NotFoundError``), anything else passes."""
    try:
        yield
    except (FileNotFoundError, NotFoundError):
        raise
    except ObstoreError as exc:
        raise StoreUnavailable(
            "The document store is unavailable right now; nothing was stored. Try again shortly."
        ) from exc


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    last_modified: datetime


class ObjectStorage:
    """One store and a key prefix."""

    def __init__(
        self,
        store: ObjectStore,
        prefix: str = "",
        *,
        description: str = "",
        part_size: int = REMOTE_PART_SIZE,
        folder: Path | None = None,
    ) -> None:
        self.store = store
        # The local folder a LocalStore writes to: downloads read its files directly.
        self.folder = folder
        self.prefix = prefix.strip("/")
        self.description = description
        self.part_size = part_size

    def _path(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _key(self, path: str) -> str:
        return path[len(self.prefix) + 1 :] if self.prefix else path

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> None:
        """Write ``chunks`` to ``key``: atomic (all or nothing). A file that fits in one
        part is one plain put; a larger one a multipart upload, a part at a time."""
        iterator = aiter(chunks)
        head: list[bytes] = []
        buffered = 0
        async for chunk in iterator:
            head.append(chunk)
            buffered += len(chunk)
            if buffered >= self.part_size:
                break
        else:
            with _reaching_the_store():
                await obstore.put_async(
                    self.store,
                    self._path(key),
                    head[0] if len(head) == 1 else b"".join(head),
                    use_multipart=False,
                )
            return

        async def whole() -> AsyncGenerator[bytes, None]:
            while head:
                yield head.pop(0)
            async for chunk in iterator:
                yield chunk

        with _reaching_the_store():
            await obstore.put_async(
                self.store,
                self._path(key),
                # obstore asks for the next chunk only once it handled the last one: the
                # chunks are made (received) ahead while it writes.
                _read_ahead(whole()),
                chunk_size=self.part_size,
                max_concurrency=PART_CONCURRENCY,
            )

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes of ``key`` from ``start`` to ``end`` (exclusive), in chunks of about
        :data:`READ_CHUNK` bytes, the next one read while the caller handles this one. A
        missing object raises here, before the first chunk."""
        if self.folder is not None:
            # A local folder: the file itself, read in large blocks in a worker thread
            # (obstore reads a local file in 8 KiB pieces, a thread hop each).
            try:
                file = (self.folder / self._path(key)).open("rb")
            except FileNotFoundError:
                raise
            except OSError as exc:
                raise StoreUnavailable(
                    "The document store is unavailable right now. Try again shortly."
                ) from exc
            return _read_ahead(_file_chunks(file, start, end))
        options: Any = {}
        if start or end is not None:
            options["range"] = (start, end) if end is not None else {"offset": start}
        with _reaching_the_store():
            result = await obstore.get_async(self.store, self._path(key), options=options or None)
        return _read_ahead(_chunks(result.stream(min_chunk_size=READ_CHUNK)))

    async def read_all(self, key: str) -> bytes:
        with _reaching_the_store():
            result = await obstore.get_async(self.store, self._path(key))
            return bytes(await result.bytes_async())

    async def exists(self, key: str) -> bool:
        try:
            with _reaching_the_store():
                await obstore.head_async(self.store, self._path(key))
        except FileNotFoundError:
            return False
        return True

    async def delete(self, key: str) -> None:
        """Delete ``key``; a key already gone is fine."""
        with contextlib.suppress(FileNotFoundError), _reaching_the_store():
            await obstore.delete_async(self.store, self._path(key))

    async def list(self, prefix: str = "") -> AsyncIterator[list[StoredObject]]:
        """Every object under ``prefix`` (relative to the store's prefix), in batches."""
        path = self._path(prefix.strip("/")) if prefix else (self.prefix or None)
        stream = obstore.list(self.store, path, chunk_size=500)
        async for batch in stream:
            yield [
                StoredObject(self._key(meta["path"]), meta["size"], meta["last_modified"])
                for meta in batch
            ]


async def _chunks(stream: Any) -> AsyncGenerator[bytes, None]:
    async for chunk in stream:
        yield bytes(chunk)


async def _file_chunks(file: BinaryIO, start: int, end: int | None) -> AsyncGenerator[bytes, None]:
    loop = asyncio.get_running_loop()
    with file:
        if start:
            file.seek(start)
        left = math.inf if end is None else end - start
        while left > 0:
            chunk = await loop.run_in_executor(None, file.read, int(min(READ_CHUNK, left)))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


async def _read_ahead(chunks: AsyncGenerator[bytes, None]) -> AsyncGenerator[bytes, None]:
    """``chunks``, with up to :data:`READ_AHEAD` of them read from the store while the
    consumer is busy with earlier ones (sending them to a client), so the store's reads
    and the client's writes overlap. Memory stays a few chunks whatever the size."""
    queue: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue(READ_AHEAD)

    async def pump() -> None:
        try:
            async for chunk in chunks:
                await queue.put(chunk)
        except Exception as exc:
            await queue.put(exc)
        else:
            await queue.put(None)
        finally:
            await chunks.aclose()  # the file or the response from the store

    task = asyncio.create_task(pump())
    try:
        while (item := await queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        # The consumer is done (or went away): stop reading and close the source.
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


_PLAIN_PREFIX = re.compile(r"([A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*)?")


def _local_folder(path: str) -> Path:
    folder = Path(path).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def open_storage(
    *,
    url: str | None,
    prefix: str,
    data_dir: str,
    endpoint: str | None = None,
    region: str | None = None,
    allow_http: bool = False,
    credentials_secret: str | None = None,
    secrets: Secrets | None = None,
) -> ObjectStorage:
    """The store the settings name; credentials come from the Secrets port, never from
    plain settings."""
    if not url or url.startswith("file://"):
        folder = _local_folder(urlparse(url).path if url else str(Path(data_dir) / "documents"))
        return ObjectStorage(
            LocalStore(folder, mkdir=True),
            prefix,
            description=f"local folder {folder}",
            part_size=LOCAL_PART_SIZE,
            # Files are read directly only under a prefix of plain segments (letters,
            # digits, ".", "_", "-", none of them "." or ".."), where a key's path is
            # surely its file's path (keys are ids); another prefix reads through obstore.
            folder=folder if _PLAIN_PREFIX.fullmatch(prefix.strip("/")) else None,
        )
    if url.startswith("memory://"):
        from obstore.store import MemoryStore

        return ObjectStorage(MemoryStore(), prefix, description="memory")
    config: dict[str, Any] = {}
    scheme = urlparse(url).scheme
    if scheme in ("s3", "s3a"):
        if endpoint:
            config["endpoint"] = endpoint
            config["virtual_hosted_style_request"] = False
        if region:
            config["region"] = region
    if credentials_secret:
        if secrets is None:
            raise StorageError("the store's credentials need the Secrets port")
        raw = await secrets.get(credentials_secret)
        if not raw:
            raise StorageError(f"the secret {credentials_secret!r} is missing")
        try:
            values = json.loads(raw)
        except ValueError:
            raise StorageError(f"the secret {credentials_secret!r} is not a JSON object") from None
        if not isinstance(values, dict):
            raise StorageError(f"the secret {credentials_secret!r} is not a JSON object")
        config.update({str(k): v for k, v in values.items()})
    client_options: Any = {"connect_timeout": CONNECT_TIMEOUT}
    if allow_http:
        client_options["allow_http"] = True
    retry: Any = RETRY
    store = from_url(url, config=config or None, client_options=client_options, retry_config=retry)  # type: ignore[arg-type]
    return ObjectStorage(store, prefix, description=url)
