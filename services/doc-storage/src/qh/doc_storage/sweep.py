"""The sweep: bytes in the store that no version needs are deleted.

Three kinds, in this order:

1. keys in ``deleted_object`` (their metadata is gone: a deleted document, an erased user);
   woken right after such a transaction commits, and on every round;
2. uploads whose ``pending_upload`` row is older than ``pending_upload_seconds`` (the
   process died mid-upload, or the client never finished): the row goes first (so a late
   commit is refused), then the bytes;
3. orphans: objects under the service's prefix, older than that same age, that no
   version, pending upload or deletion names (a crash between two steps, a failed delete).

Every step is idempotent, so two replicas sweeping at once do no harm.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import delete, select

from qh.doc_storage.db.models import DeletedObject, DocumentVersion, PendingUpload
from qh.kit.clock import utc_now

if TYPE_CHECKING:
    from qh.doc_storage.context import DocStorageContext

log = structlog.get_logger("qh.doc_storage.sweep")
BATCH = 500


@dataclass
class SweepReport:
    deleted: int = 0
    abandoned: int = 0
    orphans: int = 0


class Sweeper:
    def __init__(self, context: DocStorageContext) -> None:
        self.context = context
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Delete the bytes of committed deletions soon (called after a commit)."""
        self._wake.set()

    async def run_once(self, *, now: datetime | None = None, full: bool = True) -> SweepReport:
        report = SweepReport()
        report.deleted = await self._deleted()
        if full:
            now = now or utc_now()
            cutoff = now - timedelta(seconds=self.context.settings.pending_upload_seconds)
            report.abandoned = await self._abandoned(cutoff)
            report.orphans = await self._orphans(cutoff)
        swept = self.context.metrics.counter(
            "document_objects_swept", "Objects the sweep deleted from the store", ["reason"]
        )
        for reason, count in (
            ("deleted", report.deleted),
            ("abandoned", report.abandoned),
            ("orphan", report.orphans),
        ):
            if count:
                swept.labels(self.context.slug, reason).inc(count)
        if report.deleted or report.abandoned or report.orphans:
            log.info(
                "swept",
                deleted=report.deleted,
                abandoned=report.abandoned,
                orphans=report.orphans,
            )
        return report

    async def _deleted(self) -> int:
        storage = await self.context.storage()
        done = 0
        while True:
            async with self.context.session() as session:
                keys = (await session.scalars(select(DeletedObject.key).limit(BATCH))).all()
            if not keys:
                return done
            for key in keys:
                await storage.delete(key)
            async with self.context.transaction() as session:
                await session.execute(delete(DeletedObject).where(DeletedObject.key.in_(keys)))
            done += len(keys)
            if len(keys) < BATCH:
                return done

    async def _abandoned(self, cutoff: datetime) -> int:
        storage = await self.context.storage()
        async with self.context.transaction() as session:
            keys = (
                await session.scalars(
                    select(PendingUpload.key)
                    .where(PendingUpload.started_at < cutoff)
                    .limit(BATCH)
                    .with_for_update()
                )
            ).all()
            if keys:
                await session.execute(delete(PendingUpload).where(PendingUpload.key.in_(keys)))
        for key in keys:
            await storage.delete(key)
        return len(keys)

    async def _orphans(self, cutoff: datetime) -> int:
        storage = await self.context.storage()
        removed = 0
        async for batch in storage.list():
            old = [item.key for item in batch if item.last_modified < cutoff]
            if not old:
                continue
            async with self.context.session() as session:
                # Pending first, then versions: a commit between the two reads moves a
                # key from the first table to the second, and is seen by one of them.
                pending = set(
                    (
                        await session.scalars(
                            select(PendingUpload.key).where(PendingUpload.key.in_(old))
                        )
                    ).all()
                )
                kept = set(
                    (
                        await session.scalars(
                            select(DocumentVersion.key).where(DocumentVersion.key.in_(old))
                        )
                    ).all()
                )
            for key in old:
                if key not in pending and key not in kept:
                    await storage.delete(key)
                    removed += 1
        return removed

    # --- the background loop -------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="doc-storage-sweep")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        interval = self.context.settings.sweep_interval_seconds
        next_full = asyncio.get_running_loop().time()
        while True:
            full = asyncio.get_running_loop().time() >= next_full
            try:
                await self.run_once(full=full)
            except Exception:
                log.warning("sweep_failed", exc_info=True)
            if full:
                next_full = asyncio.get_running_loop().time() + interval
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._wake.wait(),
                    timeout=max(0.0, next_full - asyncio.get_running_loop().time()),
                )
