"""HTTP details the controllers share."""

from __future__ import annotations

# Public routes: an empty security requirement, so OpenAPI (and Swagger) show that no
# token is needed.
PUBLIC: list[dict[str, list[str]]] = [{}]

# Token responses must not be cached (RFC 6749 §5.1).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
