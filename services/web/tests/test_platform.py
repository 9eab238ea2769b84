"""The kit's free checks: the migrations build exactly the models' schema, and every
documented operation (the pages) declares its problem responses and stays out of /api/."""

from qh.kit.testing.checks import *  # noqa: F403
