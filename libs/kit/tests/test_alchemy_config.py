"""Many services' database configs in one process (tests, a long-lived host): each gets
keys of its own, however many were built before it."""

from __future__ import annotations

import sys
from pathlib import Path

from qh.kit.db import alchemy_config
from qh.kit.settings import ServiceSettings


def test_a_process_builds_more_configs_than_the_stack_is_deep(tmp_path: Path) -> None:
    settings = ServiceSettings(
        slug="many", database_url=f"sqlite+aiosqlite:///{tmp_path / 'many.db'}"
    )
    keys = set()
    for _ in range(sys.getrecursionlimit() + 50):
        config = alchemy_config(settings)
        keys.add(config.session_scope_key)
        config.get_engine().sync_engine.dispose()
    assert len(keys) == sys.getrecursionlimit() + 50
