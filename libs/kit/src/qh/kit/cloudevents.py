"""CloudEvents 1.0 envelopes (structured JSON mode), as Dapr sends and expects them."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

import msgspec
import uuid_utils

from qh.contracts import Topic

P = TypeVar("P")

CLOUDEVENTS_JSON = "application/cloudevents+json"


class EventStatus(StrEnum):
    """What a subscriber tells Dapr about one event (the body of its 2xx answer)."""

    SUCCESS = "SUCCESS"
    RETRY = "RETRY"
    DROP = "DROP"


class CloudEvent(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=False):
    """The envelope on the wire. Dapr adds ``topic``, ``pubsubname`` and trace fields."""

    id: str
    source: str
    type: str
    specversion: str
    datacontenttype: str | None = None
    time: str | None = None
    subject: str | None = None
    data: Any = None
    traceparent: str | None = None
    topic: str | None = None
    pubsubname: str | None = None
    deadletterreason: str | None = None


class Event(msgspec.Struct, Generic[P], kw_only=True, frozen=True):
    """What a subscriber receives: the envelope's metadata and the decoded payload."""

    id: str
    topic: str
    source: str
    data: P
    time: str | None = None
    subject: str | None = None
    traceparent: str | None = None


def new_event_id() -> str:
    return str(uuid_utils.uuid7())


def make_cloudevent(
    topic: Topic[Any],
    payload: Any,
    *,
    source: str,
    subject: str | None = None,
    traceparent: str | None = None,
    event_id: str | None = None,
) -> CloudEvent:
    return CloudEvent(
        id=event_id or new_event_id(),
        source=source,
        type=topic.name,
        specversion="1.0",
        datacontenttype="application/json",
        time=datetime.now(UTC).isoformat(),
        subject=subject,
        data=topic.encode(payload),
        traceparent=traceparent,
        topic=topic.name,
    )
