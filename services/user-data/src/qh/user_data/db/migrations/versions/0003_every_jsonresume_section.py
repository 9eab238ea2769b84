"""every JSON Resume section: volunteer, publications, interests, references; a photo;
level wording of skills and languages (a language's level may be unknown); limits that fit
real documents

Revision ID: 0003
Revises: 0002
"""

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSONB = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

# table → [(column, old length, new length)]
WIDER = {
    "profile": [("full_name", 200, 300), ("headline", 200, 500), ("desired_position", 200, 500)],
    "profile_education": [
        ("institution", 300, 500),
        ("degree", 200, 500),
        ("field", 200, 500),
        ("grade", 50, 500),
    ],
    "profile_experience": [("company", 300, 500), ("position", 200, 300), ("location", 200, 500)],
    "profile_skill": [("name", 100, 200)],
    "profile_language": [("name", 100, 200)],
    "profile_achievement": [("title", 300, 500), ("awarder", 200, 500)],
    "profile_certificate": [("name", 300, 500), ("issuer", 200, 500)],
    "profile_project": [("name", 300, 500), ("entity", 200, 500), ("type", 100, 200)],
}
REQUIRED = {("profile_education", "institution"), ("profile_experience", "company"),
            ("profile_experience", "position"), ("profile_skill", "name"),
            ("profile_achievement", "title"), ("profile_certificate", "name"),
            ("profile_project", "name")}


def _section(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Uuid(), nullable=False),
        *columns,
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["profile_id"], ["profile.id"], name=op.f(f"fk_{name}_profile_id_profile"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_profile_id"), ["profile_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{name}_user_id"), ["user_id"], unique=False)


def upgrade() -> None:
    for table, columns in WIDER.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, old, new in columns:
                batch_op.alter_column(
                    column,
                    existing_type=sa.String(length=old),
                    type_=sa.String(length=new),
                    existing_nullable=(table, column) not in REQUIRED,
                )
            if table == "profile":
                batch_op.add_column(sa.Column("image", sa.String(length=2048), nullable=True))
            if table == "profile_skill":
                batch_op.add_column(sa.Column("level_text", sa.String(length=200), nullable=True))
            if table == "profile_language":
                batch_op.add_column(sa.Column("level_text", sa.String(length=200), nullable=True))
                batch_op.alter_column("level", existing_type=sa.String(length=10), nullable=True)

    _section(
        "profile_volunteer",
        sa.Column("organization", sa.String(length=500), nullable=False),
        sa.Column("position", sa.String(length=500), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("start_date", sa.String(length=10), nullable=True),
        sa.Column("end_date", sa.String(length=10), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("highlights", JSONB, nullable=False),
    )
    _section(
        "profile_publication",
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("publisher", sa.String(length=500), nullable=True),
        sa.Column("release_date", sa.String(length=10), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
    )
    _section(
        "profile_interest",
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("keywords", JSONB, nullable=False),
    )
    _section(
        "profile_reference",
        sa.Column("name", sa.String(length=500), nullable=True),
        sa.Column("reference", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    for name in ("profile_reference", "profile_interest", "profile_publication", "profile_volunteer"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{name}_user_id"))
            batch_op.drop_index(batch_op.f(f"ix_{name}_profile_id"))
        op.drop_table(name)
    # A language without a level cannot go back to the older schema: it is removed.
    op.execute("DELETE FROM profile_language WHERE level IS NULL")
    for table, columns in WIDER.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == "profile":
                batch_op.drop_column("image")
            if table in ("profile_skill", "profile_language"):
                batch_op.drop_column("level_text")
            if table == "profile_language":
                batch_op.alter_column("level", existing_type=sa.String(length=10), nullable=False)
            for column, old, new in columns:
                batch_op.alter_column(
                    column,
                    existing_type=sa.String(length=new),
                    type_=sa.String(length=old),
                    existing_nullable=(table, column) not in REQUIRED,
                )
