from qh.auth.db.models import Base
from qh.kit.db import run_migrations_env
from qh.kit.tables import add_messaging_tables

add_messaging_tables(Base.metadata)
run_migrations_env(Base.metadata)
