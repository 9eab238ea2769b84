"""Reading the caller's profile (user-data) and a saved vacancy (job-data): the kit's
shared readers (``qh.kit.peers``), with the caller's token forwarded."""

from __future__ import annotations

from qh.kit.peers import fetch_profile, fetch_vacancy

__all__ = ["fetch_profile", "fetch_vacancy"]
