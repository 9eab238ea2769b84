"""One list shape for every service: ``?limit=&offset=`` in, ``Page[T]`` out.

A handler takes ``page: Paging`` (the kit provides it from the query string, with
bounds) and returns ``Page[ItemOut]``::

    @get("/")
    async def list_notes(page: Paging, notes: Notes) -> Page[NoteOut]:
        items, total = await notes.list(page.limit, page.offset)
        return page.of(items, total)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Generic, TypeAlias, TypeVar

import msgspec
from litestar.di import NamedDependency
from litestar.params import QueryParameter

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 1_000_000


class Page(msgspec.Struct, Generic[T]):
    """A slice of a list and the size of the whole list."""

    items: list[T]
    total: int
    limit: int
    offset: int


class PageParams(msgspec.Struct, frozen=True):
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def of(self, items: Sequence[T], total: int) -> Page[T]:
        return Page(items=list(items), total=total, limit=self.limit, offset=self.offset)


def provide_page(
    limit: Annotated[
        int, QueryParameter(name="limit", ge=1, le=MAX_LIMIT, description="How many items at most")
    ] = DEFAULT_LIMIT,
    offset: Annotated[
        int, QueryParameter(name="offset", ge=0, le=MAX_OFFSET, description="How many to skip")
    ] = 0,
) -> PageParams:
    """The ``page`` dependency every service gets."""
    return PageParams(limit=limit, offset=offset)


# How a handler asks for it: ``page: Paging`` (a named dependency, as Litestar wants it
# declared).
Paging: TypeAlias = NamedDependency[PageParams]

__all__ = ["MAX_LIMIT", "Page", "PageParams", "Paging", "provide_page"]
