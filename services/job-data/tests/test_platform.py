"""The checks every service gets from the kit: migrations match the models (SQLite and
PostgreSQL) and every operation sits under the prefix with its problem responses."""

from qh.kit.testing.checks import *  # noqa: F403
