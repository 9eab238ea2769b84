"""The checks every service gets from the kit, run on the demo service."""

from qh.kit.testing.checks import *  # noqa: F403
