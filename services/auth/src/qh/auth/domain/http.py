"""HTTP details the controllers share: the OpenAPI security of public routes, the
no-store headers of token answers, and whose address a request counts as."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from litestar import Request

from qh.auth.throttle import client_address as peer_address
from qh.auth.throttle import forwarded_for
from qh.kit.auth import InvalidToken, bearer_token

if TYPE_CHECKING:
    from qh.auth.context import AuthContext

# Public routes: an empty security requirement, so OpenAPI (and Swagger) show that no
# token is needed.
PUBLIC: list[dict[str, list[str]]] = [{}]

# Token responses must not be cached (RFC 6749 §5.1).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


async def from_platform_service(request: Request[Any, Any, Any], context: AuthContext) -> bool:
    """Whether the request carries a valid access token of a platform service (role
    ``service``, from the ``client_credentials`` grant), checked against this service's
    own keys. Any other token on a public route, or a bad one, is simply not one."""
    token = bearer_token(request.scope)
    if token is None:
        return False
    try:
        principal = await context.verifier.verify(token)
    except InvalidToken:
        return False
    return principal.is_service


async def client_address(request: Request[Any, Any, Any], context: AuthContext) -> str:
    """The address of the person behind a request: what per-address limits count and what
    sign-in records name.

    A platform service acting for a person (the web client) authenticates with its service
    token and states the person's address as the first entry of ``X-Forwarded-For``: it
    writes that header itself and never passes on one it received, and every hop between
    it and this service only appends (Dapr's service invocation appends the calling pod's
    address). That entry is believed only with the service token. Anyone else is the TCP
    peer, or behind a configured trusted proxy the rightmost address that is not one of
    ours (:func:`qh.auth.throttle.client_address`)."""
    entries = forwarded_for(request)
    if entries and await from_platform_service(request, context):
        try:
            stated = ipaddress.ip_address(entries[0])
        except ValueError:
            pass  # not an address: count the request as the service's own
        else:  # one key per person: ::ffff:192.0.2.1 is 192.0.2.1
            mapped = getattr(stated, "ipv4_mapped", None)
            return str(mapped or stated)
    return peer_address(request, context.settings)


__all__ = ["NO_STORE", "PUBLIC", "client_address", "from_platform_service"]
