"""The kit's free checks: the migrations build the models' schema on SQLite and PostgreSQL;
every operation sits under the prefix and documents its problem responses."""

from qh.kit.testing.checks import *  # noqa: F403
