"""The kit's own tables in every service's database: the outbox, the inbox and the
revoked subjects. Registered in one place, :func:`add_messaging_tables`, which the
service context and the migrations' ``env.py`` (through ``run_migrations_env``) call; a
service never registers them itself, and copies their ``create_table`` into its first
migration (the migrations-match-models check holds it to these definitions)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, Text

OUTBOX_TABLE = "qh_outbox"
INBOX_TABLE = "qh_inbox"
REVOKED_TABLE = "qh_revoked_subject"


def add_messaging_tables(metadata: MetaData) -> None:
    """Add every kit table to a service's metadata (idempotent)."""
    if OUTBOX_TABLE not in metadata.tables:
        Table(
            OUTBOX_TABLE,
            metadata,
            Column("id", String(36), primary_key=True),
            Column("topic", String(200), nullable=False),
            Column("subject", String(200), nullable=True),
            Column("payload", JSON, nullable=False),
            Column("traceparent", String(64), nullable=True),
            Column("created_at", DateTime(timezone=True), nullable=False),
            Column("next_attempt_at", DateTime(timezone=True), nullable=False, index=True),
            Column("attempts", Integer, nullable=False, default=0),
            Column("last_error", Text, nullable=True),
        )
    if INBOX_TABLE not in metadata.tables:
        Table(
            INBOX_TABLE,
            metadata,
            Column("event_id", String(100), primary_key=True),
            Column("topic", String(200), nullable=False),
            Column("received_at", DateTime(timezone=True), nullable=False),
        )
    if REVOKED_TABLE not in metadata.tables:
        Table(
            REVOKED_TABLE,
            metadata,
            Column("subject", String(36), primary_key=True),
            Column("revoked_at", DateTime(timezone=True), nullable=False, index=True),
        )


def kit_table(metadata: MetaData, name: str) -> Table:
    """One of the kit's tables, which the service context registered."""
    try:
        return metadata.tables[name]
    except KeyError:
        raise LookupError(
            f"{name} is not in this metadata: build it through the service context "
            "(or call qh.kit.tables.add_messaging_tables)"
        ) from None


__all__ = ["INBOX_TABLE", "OUTBOX_TABLE", "REVOKED_TABLE", "add_messaging_tables", "kit_table"]
