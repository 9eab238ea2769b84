"""the language of each account's messages

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("auth_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("locale", sa.String(length=5), server_default="en", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("auth_user", schema=None) as batch_op:
        batch_op.drop_column("locale")
