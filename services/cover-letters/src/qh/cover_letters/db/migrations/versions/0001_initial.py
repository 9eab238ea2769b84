"""cover letters and their versions, the kit's outbox, inbox and revoked subjects

Revision ID: 0001
Revises:
"""

import advanced_alchemy
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSONB = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _audit() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "cover_letter",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("tone", sa.String(length=16), nullable=False),
        sa.Column("vacancy_id", sa.Uuid(), nullable=False),
        sa.Column("vacancy_title", sa.String(length=300), nullable=True),
        sa.Column("company", sa.String(length=300), nullable=True),
        sa.Column("resume_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("options", JSONB, nullable=False),
        sa.Column("generation", JSONB, nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        *_audit(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cover_letter")),
    )
    op.create_index(op.f("ix_cover_letter_owner_id"), "cover_letter", ["owner_id"], unique=False)
    op.create_table(
        "cover_letter_version",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("letter_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("tone", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        *_audit(),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["cover_letter.id"],
            name=op.f("fk_cover_letter_version_letter_id_cover_letter"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cover_letter_version")),
        sa.UniqueConstraint(
            "letter_id", "version", name=op.f("uq_cover_letter_version_letter_id")
        ),
    )
    op.create_index(
        op.f("ix_cover_letter_version_owner_id"),
        "cover_letter_version",
        ["owner_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_cover_letter_version_letter_id"),
        "cover_letter_version",
        ["letter_id"],
        unique=False,
    )
    op.create_table(
        "qh_inbox",
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_qh_inbox")),
    )
    op.create_table(
        "qh_outbox",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("traceparent", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qh_outbox")),
    )
    op.create_index(
        op.f("ix_qh_outbox_next_attempt_at"), "qh_outbox", ["next_attempt_at"], unique=False
    )
    op.create_table(
        "qh_revoked_subject",
        sa.Column("subject", sa.String(36), primary_key=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_qh_revoked_subject_revoked_at", "qh_revoked_subject", ["revoked_at"])


def downgrade() -> None:
    op.drop_index("ix_qh_revoked_subject_revoked_at", table_name="qh_revoked_subject")
    op.drop_table("qh_revoked_subject")
    op.drop_index(op.f("ix_qh_outbox_next_attempt_at"), table_name="qh_outbox")
    op.drop_table("qh_outbox")
    op.drop_table("qh_inbox")
    op.drop_index(op.f("ix_cover_letter_version_letter_id"), table_name="cover_letter_version")
    op.drop_index(op.f("ix_cover_letter_version_owner_id"), table_name="cover_letter_version")
    op.drop_table("cover_letter_version")
    op.drop_index(op.f("ix_cover_letter_owner_id"), table_name="cover_letter")
    op.drop_table("cover_letter")
