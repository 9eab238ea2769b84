"""two-factor sign-in: TOTP factors and recovery codes

Revision ID: 0004
Revises: 0003
"""

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _dt(name: str, nullable: bool) -> sa.Column:
    return sa.Column(
        name, advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=nullable
    )


def upgrade() -> None:
    op.create_table(
        "auth_mfa_totp",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        _dt("confirmed_at", True),
        sa.Column("last_step", sa.Integer(), nullable=False),
        sa.Column("recovery_salt", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        _dt("created_at", False),
        _dt("updated_at", False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_user.id"],
            name=op.f("fk_auth_mfa_totp_user_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_mfa_totp")),
        sa.UniqueConstraint("user_id", name=op.f("uq_auth_mfa_totp_user_id")),
    )
    op.create_table(
        "auth_mfa_recovery_code",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        _dt("used_at", True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        _dt("created_at", False),
        _dt("updated_at", False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_user.id"],
            name=op.f("fk_auth_mfa_recovery_code_user_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_mfa_recovery_code")),
    )
    with op.batch_alter_table("auth_mfa_recovery_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_auth_mfa_recovery_code_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("auth_mfa_recovery_code")
    op.drop_table("auth_mfa_totp")
