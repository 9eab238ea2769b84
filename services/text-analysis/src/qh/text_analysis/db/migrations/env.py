from qh.kit.db import run_migrations_env
from qh.text_analysis.db.models import Base

run_migrations_env(Base.metadata)
