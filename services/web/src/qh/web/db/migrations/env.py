from qh.kit.db import run_migrations_env
from qh.web.db.models import Base

run_migrations_env(Base.metadata)
