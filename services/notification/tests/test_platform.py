"""The kit's checks: migrations build exactly the models' schema, every operation sits
under the prefix and documents its problem responses."""

from qh.kit.testing.checks import *  # noqa: F403
