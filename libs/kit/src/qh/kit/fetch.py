"""Fetch a URL a user gave us without letting it reach our own network (SSRF guard).

Every service that fetches a user-supplied URL goes through :func:`fetch`:

- only ``http`` and ``https``, no credentials in the URL;
- the host is resolved once and refused if *any* address is not public (loopback, private,
  link-local, multicast, reserved, unspecified, shared 100.64/10, IPv4 embedded in IPv6, cloud
  metadata); numeric IPv4 oddities (``0x7f.1``, ``2130706433``, ``017700000001``, ``127.1``)
  are read the way a resolver reads them;
- the connection is pinned to the address that was checked (no second DNS lookup, so no
  rebinding), while the Host header, TLS SNI and certificate check use the hostname;
- redirects are followed by hand, each target checked again;
- one deadline for the whole fetch, a byte cap enforced while streaming, and the content
  type checked against what the caller accepts.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import anyio
import httpcore
import httpx

from qh.kit.problems import Problem

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

DEFAULT_ACCEPT: tuple[str, ...] = (
    "text/html",
    "application/xhtml+xml",
    "application/json",
    "application/ld+json",
    "text/plain",
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# Refused even where private networks are allowed (tests): the instance metadata services.
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.170.2")
)
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog", "metadata"})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_NUMERIC_V4 = re.compile(r"^(0x[0-9a-f]*|\d+)(\.(0x[0-9a-f]*|\d+)){0,3}$", re.IGNORECASE)


class FetchError(Problem):
    """A URL could not be fetched; ``reason`` names why, for logs and callers."""

    status, kind = 422, "fetch-failed"

    def __init__(self, detail: str, *, reason: str, url: str | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.url = url


class FetchRefused(FetchError):
    """The URL or the address it leads to is not one we fetch (400 for the client)."""

    status, kind, title = 400, "unsafe-url", "URL refused"


class FetchFailed(FetchError):
    """The target answered badly: timeout, too large, wrong type, an error status (422)."""

    status, kind, title = 422, "fetch-failed", "The page could not be fetched"


def _default_user_agent() -> str:
    try:
        release = version("qh-kit")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        release = "0"
    return f"QH/{release} (+https://qh.dev/bot)"


@dataclass(frozen=True, kw_only=True)
class FetchSettings:
    timeout_seconds: float = 10.0  # for the whole fetch: DNS, connects, redirects, body
    max_bytes: int = 2 * 1024 * 1024
    max_redirects: int = 3
    user_agent: str = field(default_factory=_default_user_agent)
    # Networks exempt from the public-address rule. Empty in every deployment: only tests set
    # it (to ``("127.0.0.1/32",)``) so they can reach a stub server on the loopback while every
    # other private address, and the cloud metadata addresses always, stay refused.
    allow_private_networks: tuple[str, ...] = ()
    # Tests only: resolve a hostname without DNS, ``async (host, port) -> [ip, ...]``.
    resolver: Resolver | None = None
    verify: ssl.SSLContext | bool = True


@dataclass(frozen=True, kw_only=True)
class Fetched:
    url: str  # the final URL, after redirects
    status: int
    content_type: str  # the media type alone, lower case
    charset: str | None
    body: bytes
    headers: Mapping[str, str]

    def text(self) -> str:
        """The body decoded with the declared charset (UTF-8 when none or unknown)."""
        try:
            return self.body.decode(self.charset or "utf-8", errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


# -- address policy ---------------------------------------------------------------------


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64 or address in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(address))
    return None


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None and not _is_public(embedded):
            return False
        if address.is_site_local:
            return False
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not address.is_link_local
        and not address.is_loopback
        and not address.is_unspecified
        and not address.is_private
    )


def _allowed_networks(
    settings: FetchSettings,
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n, strict=False) for n in settings.allow_private_networks]


def check_address(address: IPAddress, settings: FetchSettings) -> None:
    """Raise :class:`FetchRefused` unless ``address`` may be connected to."""
    embedded = _embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    if address in METADATA_ADDRESSES or (embedded is not None and embedded in METADATA_ADDRESSES):
        raise FetchRefused("The URL points at a cloud metadata address.", reason="metadata")
    if _is_public(address):
        return
    if any(address in network for network in _allowed_networks(settings)):
        return
    raise FetchRefused(
        f"The URL leads to a non-public address ({address}); only public web pages are fetched.",
        reason="private_address",
    )


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a host names literally, read as a resolver would (``0x7f.1`` is
    127.0.0.1, ``2130706433`` too); ``None`` for a hostname."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_V4.match(host):  # the C inet_aton, as getaddrinfo reads numeric hosts
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


# -- URL checks -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    url: httpx.URL
    host: str  # as the connection pool will name it (IDNA, IPs in canonical form)
    port: int
    addresses: tuple[IPAddress, ...]


def _refuse(detail: str, reason: str, url: str) -> FetchRefused:
    return FetchRefused(detail, reason=reason, url=url)


def _parse_url(raw: str | httpx.URL) -> httpx.URL:
    text = str(raw)
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise _refuse(f"Not a valid URL: {exc}", "invalid_url", text) from exc
    if url.scheme not in ("http", "https"):
        raise _refuse("Only http and https URLs can be fetched.", "scheme", text)
    if url.userinfo:
        raise _refuse("URLs with a user name or password are not fetched.", "credentials", text)
    if not url.host:
        raise _refuse("The URL has no host.", "invalid_url", text)
    return url


async def _system_resolver(host: str, port: int) -> Sequence[str]:
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def _resolve(url: httpx.URL, settings: FetchSettings) -> _Target:
    text = str(url)
    host = url.raw_host.decode("ascii").lower().rstrip(".")
    port = url.port or (443 if url.scheme == "https" else 80)
    if "%" in host:
        raise _refuse("IPv6 zone identifiers are not allowed in URLs.", "invalid_url", text)
    if host in METADATA_HOSTS:
        raise _refuse("The URL points at a cloud metadata service.", "metadata", text)
    if host == "localhost" or host.endswith(".localhost"):
        raise _refuse("The URL points at this machine.", "private_address", text)
    literal = parse_ip_literal(host)
    if literal is not None:
        try:
            check_address(literal, settings)
        except FetchRefused as exc:
            exc.url = text
            raise
        canonical = str(literal)
        url = url.copy_with(host=canonical)
        return _Target(url=url, host=url.raw_host.decode("ascii"), port=port, addresses=(literal,))
    resolver = settings.resolver or _system_resolver
    try:
        answers = await resolver(host, port)
    except OSError as exc:
        raise FetchFailed(
            f"The host {host} could not be resolved.", reason="dns", url=text
        ) from exc
    addresses: list[IPAddress] = []
    for answer in answers:
        address = ipaddress.ip_address(answer.split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchFailed(f"The host {host} has no address.", reason="dns", url=text)
    for address in addresses:
        try:
            check_address(address, settings)
        except FetchRefused as exc:
            exc.url = text
            raise
    return _Target(
        url=url, host=url.raw_host.decode("ascii"), port=port, addresses=tuple(addresses)
    )


# -- the pinned connection --------------------------------------------------------------


async def _open_stream(
    address: str, port: int, *, timeout: float | None, backend: httpcore.AsyncNetworkBackend
) -> httpcore.AsyncNetworkStream:
    """The one place a socket is opened (tests wrap it to see every connection)."""
    return await backend.connect_tcp(address, port, timeout=timeout)


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects a hostname only to the addresses that were checked for it; anything else
    (a host the fetcher did not check) is refused."""

    def __init__(self) -> None:
        self.pins: dict[tuple[str, int], tuple[IPAddress, ...]] = {}
        self._inner = httpcore.AnyIOBackend()

    def pin(self, target: _Target) -> None:
        self.pins[(target.host, target.port)] = target.addresses

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = self.pins.get((host, port))
        if not addresses:
            raise httpcore.ConnectError(f"refusing to connect to unchecked host {host}:{port}")
        error: Exception | None = None
        for address in addresses:
            try:
                return await _open_stream(str(address), port, timeout=timeout, backend=self._inner)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are never used by the fetcher")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool whose sockets go only to pinned addresses.

    httpx 0.28 has no public way to hand the pool a network backend, so the pool that
    ``AsyncHTTPTransport`` made is replaced by one built with ours (httpcore's public API);
    httpx's request and response mapping is kept as is.
    """

    def __init__(self, backend: _PinnedBackend, verify: ssl.SSLContext | bool) -> None:
        super().__init__(verify=verify, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=4,
            max_keepalive_connections=0,
            network_backend=backend,
        )


# -- fetching ---------------------------------------------------------------------------


def _media_type(value: str | None) -> tuple[str, str | None]:
    if not value:
        return "", None
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.strip().partition("=")
        if key.lower() == "charset" and val:
            charset = val.strip().strip('"').lower()
    return media.strip().lower(), charset


async def fetch(
    url: str,
    *,
    settings: FetchSettings | None = None,
    accept: Sequence[str] = DEFAULT_ACCEPT,
    headers: Mapping[str, str] | None = None,
) -> Fetched:
    """GET ``url`` safely. Raises :class:`FetchRefused` (unsafe URL or address) or
    :class:`FetchFailed` (timeout, too large, wrong content type, error status)."""
    settings = settings or FetchSettings()
    try:
        with anyio.fail_after(settings.timeout_seconds):
            return await _fetch(url, settings, tuple(a.lower() for a in accept), headers or {})
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise FetchFailed(
            f"The page did not arrive within {settings.timeout_seconds:g} seconds.",
            reason="timeout",
            url=url,
        ) from exc
    except httpx.HTTPError as exc:
        raise FetchFailed(
            f"The page could not be fetched: {exc or type(exc).__name__}.",
            reason="network",
            url=url,
        ) from exc


async def _fetch(
    raw_url: str, settings: FetchSettings, accept: tuple[str, ...], extra: Mapping[str, str]
) -> Fetched:
    backend = _PinnedBackend()
    request_headers = httpx.Headers(
        {k: v for k, v in extra.items() if k.lower() not in ("host", "cookie")}
    )
    request_headers["User-Agent"] = settings.user_agent
    request_headers.setdefault("Accept", ", ".join(accept) if accept else "*/*")
    timeout = httpx.Timeout(settings.timeout_seconds)
    async with httpx.AsyncClient(
        transport=_PinnedTransport(backend, settings.verify),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    ) as client:
        url = _parse_url(raw_url)
        for hop in range(settings.max_redirects + 1):
            target = await _resolve(url, settings)
            backend.pin(target)
            async with client.stream("GET", target.url, headers=request_headers) as response:
                if response.status_code in REDIRECT_STATUSES:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchFailed(
                            "The page redirected nowhere.", reason="redirect", url=str(target.url)
                        )
                    if hop == settings.max_redirects:
                        raise FetchFailed(
                            f"The page redirected more than {settings.max_redirects} times.",
                            reason="redirects",
                            url=raw_url,
                        )
                    url = _parse_url(target.url.join(location))
                    continue
                return await _read(response, target.url, settings, accept)
    raise AssertionError("unreachable")  # pragma: no cover


async def _read(
    response: httpx.Response, url: httpx.URL, settings: FetchSettings, accept: tuple[str, ...]
) -> Fetched:
    text_url = str(url)
    if response.status_code >= 400:
        raise FetchFailed(
            f"The page answered {response.status_code} {response.reason_phrase}.",
            reason="status",
            url=text_url,
        )
    media, charset = _media_type(response.headers.get("content-type"))
    if accept and media not in accept:
        raise FetchFailed(
            f"The page is {media or 'of no declared type'}, not one of: {', '.join(accept)}.",
            reason="content_type",
            url=text_url,
        )
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.max_bytes:
        raise _too_large(settings, text_url)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():  # decoded, so a compression bomb counts too
        size += len(chunk)
        if size > settings.max_bytes:
            raise _too_large(settings, text_url)
        chunks.append(chunk)
    return Fetched(
        url=text_url,
        status=response.status_code,
        content_type=media,
        charset=charset,
        body=b"".join(chunks),
        headers={k.lower(): v for k, v in response.headers.items()},
    )


def _too_large(settings: FetchSettings, url: str) -> FetchFailed:
    return FetchFailed(
        f"The page is larger than {settings.max_bytes // 1024} KiB.", reason="too_large", url=url
    )


__all__ = [
    "DEFAULT_ACCEPT",
    "FetchError",
    "FetchFailed",
    "FetchRefused",
    "FetchSettings",
    "Fetched",
    "Resolver",
    "check_address",
    "fetch",
    "parse_ip_literal",
]
