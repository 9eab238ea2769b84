"""The whole repository's test run: ``uv run pytest`` runs in two worker processes
(pytest-xdist, ``-n 2 --dist loadgroup`` in pyproject.toml; ``-n 0`` runs in this one).

Each package's tests (``libs/kit``, ``services/auth``, ``tests/browser``, ...) are one
group: a group runs whole in one worker, in the order one process would run it, so a
package's session-, package- and module-scoped fixtures (a shared app, a platform per
module, the databases' templates) are made once and their parameters are walked as
without workers. The two workers share only what the tests already keep apart:
PostgreSQL (every database name has a random part), Redis (channels of random users),
ports (each test takes a free one) and temporary folders (one tree per worker).
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not hasattr(config, "workerinput"):  # not a pytest-xdist worker: nothing to group
        return
    for item in items:
        item.add_marker(pytest.mark.xdist_group(package_of(config.rootpath, item)))


def package_of(root: Path, item: pytest.Item) -> str:
    """``libs/kit`` for ``libs/kit/tests/test_app.py::test_x``: the first two folders."""
    parts = item.path.relative_to(root).parts
    return "/".join(parts[:2]) if len(parts) > 2 else parts[0]
