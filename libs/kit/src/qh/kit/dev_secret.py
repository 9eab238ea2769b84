"""``qh dev`` only: a secret two services of one process share through the data folder,
so they work together with nothing configured (the web client's platform-client secret,
which auth checks). Never used outside ``env=dev``: there secrets come from the Secrets
port."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import structlog

log = structlog.get_logger("qh.dev_secret")

PLATFORM_CLIENT_SECRET_FILE = "platform-client.secret"


def dev_secret(data_dir: Path, name: str = PLATFORM_CLIENT_SECRET_FILE) -> str:
    """The secret kept in ``data_dir/name``, made (mode 0600) by whichever service asks
    first."""
    path = data_dir / name
    if not path.is_file():
        data_dir.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: the other side never reads it half made.
        draft = data_dir / f".{name}.{secrets.token_hex(8)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secrets.token_urlsafe(32))
        try:
            os.link(draft, path)
        except FileExistsError:  # the other service made it first
            pass
        else:
            log.warning("dev_secret_generated", path=str(path), note="dev only")
        finally:
            draft.unlink()
    return path.read_text("utf-8").strip()


__all__ = ["PLATFORM_CLIENT_SECRET_FILE", "dev_secret"]
