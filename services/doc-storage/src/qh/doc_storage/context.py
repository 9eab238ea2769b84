"""The doc-storage context: the kit's parts, the object store and the sweep."""

from __future__ import annotations

import asyncio
from typing import Any

from qh.doc_storage.settings import DocStorageSettings
from qh.doc_storage.storage import ObjectStorage, open_storage
from qh.doc_storage.sweep import Sweeper
from qh.kit.context import ServiceContext


class DocStorageContext(ServiceContext[DocStorageSettings]):
    """Opens the store on first use (its credentials come through the Secrets port, so
    opening is async); a test or a benchmark may hand one in as ``storage=``."""

    def __init__(self, *args: Any, storage: ObjectStorage | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._storage = storage
        self._storage_lock = asyncio.Lock()
        self.sweeper = Sweeper(self)

    async def storage(self) -> ObjectStorage:
        if self._storage is None:
            async with self._storage_lock:
                if self._storage is None:
                    settings = self.settings
                    self._storage = await open_storage(
                        url=settings.store_url,
                        prefix=settings.store_prefix,
                        data_dir=settings.data_dir,
                        endpoint=settings.store_endpoint,
                        region=settings.store_region,
                        allow_http=settings.store_allow_http,
                        credentials_secret=settings.store_credentials_secret,
                        secrets=self.runtime.secrets,
                    )
        return self._storage

    async def start(self) -> None:
        await super().start()
        await self.storage()
        self.sweeper.start()

    async def stop(self) -> None:
        await self.sweeper.stop()
        await super().stop()
