"""``qh serve <slug>`` finds its service without importing the others."""

from __future__ import annotations

import subprocess
import sys

import pytest

from qh.kit.host import UnknownService, service


def test_a_service_is_found_by_its_slug() -> None:
    assert service("auth").slug == "auth"


def test_an_unknown_slug_names_the_installed_services() -> None:
    with pytest.raises(UnknownService, match="auth"):
        service("no-such-service")


def test_finding_one_service_imports_no_other() -> None:
    probe = (
        "import sys; from qh.kit.host import service; service('auth'); "
        "print(sorted(m for m in sys.modules if m.startswith('qh.') and m.count('.') == 1))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = result.stdout.strip()
    assert "qh.auth" in loaded
    assert "qh.doc_storage" not in loaded
    assert "qh.resume_generation" not in loaded
