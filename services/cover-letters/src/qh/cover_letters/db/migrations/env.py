from qh.cover_letters.db.models import Base
from qh.kit.db import run_migrations_env

run_migrations_env(Base.metadata)
