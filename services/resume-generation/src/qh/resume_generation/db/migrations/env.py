from qh.kit.db import run_migrations_env
from qh.resume_generation.db.models import Base

run_migrations_env(Base.metadata)
