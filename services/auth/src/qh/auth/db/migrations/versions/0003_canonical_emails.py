"""e-mail addresses in the canonical form (qh.kit.email): punycode domains decoded

Revision ID: 0003
Revises: 0002

Accounts registered before stored the domain as typed (``xn--80a1acny.xn--p1ai``); they
are rewritten to the Unicode form, so the account is found by either spelling. A row whose
canonical form another account already holds is left as it is (and logged).
"""

import sqlalchemy as sa
from alembic import op

from qh.kit.email import InvalidEmail, canonical_email

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    users = sa.table("auth_user", sa.column("id"), sa.column("email", sa.String))
    rows = bind.execute(sa.select(users.c.id, users.c.email).where(users.c.email.like("%xn--%")))
    taken = {e for (e,) in bind.execute(sa.select(users.c.email))}
    for user_id, email in rows.all():
        try:
            canonical = canonical_email(email)
        except InvalidEmail:
            continue
        if canonical == email or canonical in taken:
            if canonical != email:
                print(f"auth 0003: {email!r} kept: {canonical!r} is another account")  # noqa: T201
            continue
        bind.execute(sa.update(users).where(users.c.id == user_id).values(email=canonical))
        taken.add(canonical)


def downgrade() -> None:
    pass  # the Unicode form is a valid address; nothing to undo
