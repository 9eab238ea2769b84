"""Opaque secrets handed to clients (refresh, verification, reset tokens, OAuth state):
256 random bits, stored only as their SHA-256."""

from __future__ import annotations

import hashlib
import secrets


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
