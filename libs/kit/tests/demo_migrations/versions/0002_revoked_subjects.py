"""subjects whose earlier tokens are refused (deleted or deactivated accounts)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qh_revoked_subject",
        sa.Column("subject", sa.String(36), primary_key=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_qh_revoked_subject_revoked_at", "qh_revoked_subject", ["revoked_at"])


def downgrade() -> None:
    op.drop_index("ix_qh_revoked_subject_revoked_at", table_name="qh_revoked_subject")
    op.drop_table("qh_revoked_subject")
