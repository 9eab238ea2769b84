"""recent sign-ins per user (to tell a new device)

Revision ID: 0005
Revises: 0004
"""

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _dt(name: str) -> sa.Column:
    return sa.Column(
        name, advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "auth_sign_in",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("device_hash", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        _dt("created_at"),
        _dt("updated_at"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_user.id"],
            name=op.f("fk_auth_sign_in_user_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_sign_in")),
    )
    with op.batch_alter_table("auth_sign_in", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_sign_in_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("auth_sign_in")
