"""The kit's checks: migrations match the models, every operation documents its problems."""

from qh.kit.testing.checks import *  # noqa: F403
