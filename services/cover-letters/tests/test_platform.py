from qh.kit.testing.checks import *  # noqa: F403
