"""The SSRF-guarded fetcher against a real HTTP server on the loopback.

Every connection the fetcher opens is recorded (and refused unless it goes to 127.0.0.1), so
a refused target is proven never contacted, and a broken guard could not reach a real
private address from the test machine.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpcore
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import qh.kit.fetch as fetching
from qh.kit.fetch import (
    FetchError,
    FetchFailed,
    FetchRefused,
    FetchSettings,
    check_address,
    fetch,
    parse_ip_literal,
)
from qh.kit.problems import Problem

BIG = 50 * 1024 * 1024
PAGE = "<html><head><title>Вакансия</title></head><body><h1>Python developer</h1></body></html>"


@dataclass
class Stub:
    port: int = 0
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    big_sent: int = 0
    big_broken: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def count(self) -> int:
        with self.lock:
            return len(self.requests)


def _handler(stub: Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            with stub.lock:
                stub.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            route = getattr(self, "route_" + parts.path.strip("/").replace("-", "_"), None)
            if route is None:
                self.send_error(404)
                return
            route(query)

        def _send(self, body: bytes, content_type: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def route_page(self, query: dict[str, list[str]]) -> None:
            self._send(PAGE.encode(), "text/html; charset=utf-8")

        def route_json(self, query: dict[str, list[str]]) -> None:
            self._send(b'{"id": "1"}', "application/json")

        def route_cp1251(self, query: dict[str, list[str]]) -> None:
            self._send("Бухгалтер".encode("cp1251"), 'text/plain; charset="windows-1251"')

        def route_image(self, query: dict[str, list[str]]) -> None:
            self._send(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")

        def route_redirect(self, query: dict[str, list[str]]) -> None:
            self.send_response(302)
            self.send_header("Location", query["to"][0])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def route_loop(self, query: dict[str, list[str]]) -> None:
            n = int(query.get("n", ["0"])[0])
            self.send_response(301)
            self.send_header("Location", f"/loop?n={n + 1}")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def route_big(self, query: dict[str, list[str]]) -> None:
            # No Content-Length: the cap must hold while streaming.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            chunk = b"a" * 65536
            try:
                while stub.big_sent < BIG:
                    self.wfile.write(chunk)
                    stub.big_sent += len(chunk)
                self.wfile.flush()
            except OSError:
                stub.big_broken.set()

        def route_big_declared(self, query: dict[str, list[str]]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(BIG))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(b"a" * 65536)

        def route_slow(self, query: dict[str, list[str]]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(100):  # ten seconds of one byte at a time, at most
                    self.wfile.write(b"<")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass

        def route_missing(self, query: dict[str, list[str]]) -> None:
            self.send_error(404)

    return Handler


@pytest.fixture(scope="module")
def stub() -> Iterator[Stub]:
    state = Stub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@dataclass
class TlsStub:
    port: int
    client_context: ssl.SSLContext  # trusts the stub's self-signed certificate
    server_names: list[str | None]


@pytest.fixture(scope="module")
def tls_stub(stub: Stub, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsStub]:
    """The same routes over TLS, with a certificate for jobs.example only."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jobs.example")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("jobs.example")]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server_names: list[str | None] = []
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_file, key_file)
    server_context.sni_callback = lambda sock, sni, ctx: server_names.append(sni)  # type: ignore[assignment,misc,func-returns-value]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    server.daemon_threads = True
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client_context = ssl.create_default_context(cafile=str(cert_file))
    yield TlsStub(server.server_address[1], client_context, server_names)
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every socket the fetcher opens; anything but the loopback stub fails the test."""
    opened: list[tuple[str, int]] = []
    real = fetching._open_stream

    async def guarded(
        address: str, port: int, *, timeout: float | None, backend: Any
    ) -> httpcore.AsyncNetworkStream:
        opened.append((address, port))
        if address != "127.0.0.1":
            pytest.fail(f"the fetcher tried to connect to {address}:{port}")
        return await real(address, port, timeout=timeout, backend=backend)

    monkeypatch.setattr(fetching, "_open_stream", guarded)
    return opened


def resolver_for(mapping: dict[str, Sequence[str]]) -> fetching.Resolver:
    async def resolve(host: str, port: int) -> Sequence[str]:
        if host not in mapping:
            raise OSError(f"no such host {host}")
        return mapping[host]

    return resolve


LOOPBACK_STUB = ("127.0.0.1/32",)
FAKE_DNS = {
    "jobs.example": ["127.0.0.1"],
    "intranet.example": ["192.168.1.10"],
    "split.example": ["93.184.215.14", "10.1.2.3"],
    "metadata.example": ["169.254.169.254"],
}


def stub_settings(**overrides: Any) -> FetchSettings:
    values: dict[str, Any] = {
        "allow_private_networks": LOOPBACK_STUB,
        "resolver": resolver_for(FAKE_DNS),
        "user_agent": "QH/test (+https://qh.dev/bot)",
    }
    values.update(overrides)
    return FetchSettings(**values)


# -- fetching what is allowed -----------------------------------------------------------


async def test_fetches_a_page_with_our_user_agent(stub: Stub) -> None:
    before = stub.count()
    page = await fetch(stub.url("/page"), settings=stub_settings())
    assert page.status == 200
    assert page.content_type == "text/html"
    assert page.charset == "utf-8"
    assert page.text() == PAGE
    assert page.url == stub.url("/page")
    path, headers = stub.requests[before]
    assert path == "/page"
    assert headers["user-agent"] == "QH/test (+https://qh.dev/bot)"
    assert "text/html" in headers["accept"]


async def test_default_user_agent_names_qh_and_a_contact() -> None:
    agent = FetchSettings().user_agent
    assert agent.startswith("QH/")
    assert "(+https://" in agent


async def test_decodes_with_the_declared_charset(stub: Stub) -> None:
    page = await fetch(stub.url("/cp1251"), settings=stub_settings())
    assert page.charset == "windows-1251"
    assert page.text() == "Бухгалтер"


async def test_connects_to_the_checked_address_with_the_hostname_in_host(
    stub: Stub, connections: list[tuple[str, int]]
) -> None:
    # jobs.example resolves only through the test resolver: the system resolver would fail,
    # so this succeeds only because the socket goes to the address that was checked.
    before = stub.count()
    page = await fetch(stub.url("/page", host="jobs.example"), settings=stub_settings())
    assert page.status == 200
    assert stub.requests[before][1]["host"] == f"jobs.example:{stub.port}"
    assert connections == [("127.0.0.1", stub.port)]


async def test_tls_uses_the_hostname_for_sni_and_the_certificate(
    tls_stub: TlsStub, connections: list[tuple[str, int]]
) -> None:
    settings = stub_settings(verify=tls_stub.client_context)
    page = await fetch(f"https://jobs.example:{tls_stub.port}/page", settings=settings)
    assert "Python developer" in page.text()
    assert tls_stub.server_names[-1] == "jobs.example"
    assert connections == [("127.0.0.1", tls_stub.port)]


async def test_tls_refuses_a_certificate_for_another_name(tls_stub: TlsStub) -> None:
    dns = {**FAKE_DNS, "other.example": ["127.0.0.1"]}
    settings = stub_settings(verify=tls_stub.client_context, resolver=resolver_for(dns))
    with pytest.raises(FetchFailed) as failed:
        await fetch(f"https://other.example:{tls_stub.port}/page", settings=settings)
    assert failed.value.reason == "network"
    assert tls_stub.server_names[-1] == "other.example"


async def test_follows_a_safe_redirect(stub: Stub) -> None:
    page = await fetch(
        stub.url("/redirect?to=/page", host="jobs.example"), settings=stub_settings()
    )
    assert page.url == stub.url("/page", host="jobs.example")
    assert "Python developer" in page.text()


# -- refused targets --------------------------------------------------------------------

REFUSED_HOSTS = [
    "127.0.0.1",
    "[::1]",
    "169.254.169.254",
    "10.0.0.1",
    "0x7f.1",
    "2130706433",
    "017700000001",
    "127.1",
    "0.0.0.0",
    "localhost",
    "LOCALHOST.",
    "[::ffff:127.0.0.1]",
    "[::ffff:a9fe:a9fe]",
    "[64:ff9b::a9fe:a9fe]",
    "[2002:7f00:1::]",
    "[fd00:ec2::254]",
    "[fe80::1]",
    "100.100.100.200",
    "100.64.0.1",
    "172.16.5.4",
    "192.168.0.1",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "metadata.google.internal",
    "intranet.example",
    "split.example",
]


@pytest.mark.parametrize("host", REFUSED_HOSTS)
async def test_refuses_non_public_targets(
    host: str, stub: Stub, connections: list[tuple[str, int]]
) -> None:
    before = stub.count()
    settings = stub_settings(allow_private_networks=())
    with pytest.raises(FetchRefused) as refused:
        await fetch(f"http://{host}:{stub.port}/page", settings=settings)
    assert refused.value.status == 400
    assert refused.value.reason in {"private_address", "metadata"}
    assert connections == []
    assert stub.count() == before


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://100.100.100.200/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://metadata.example/",
    ],
)
async def test_metadata_is_refused_even_where_private_networks_are_allowed(
    url: str, connections: list[tuple[str, int]]
) -> None:
    settings = stub_settings(allow_private_networks=("0.0.0.0/0", "::/0"))
    with pytest.raises(FetchRefused) as refused:
        await fetch(url, settings=settings)
    assert refused.value.reason == "metadata"
    assert connections == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "scheme"),
        ("gopher://127.0.0.1:6379/_INFO", "scheme"),
        ("ftp://jobs.example/vacancy.txt", "scheme"),
        ("data:text/html,<h1>hi</h1>", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("http://user:pass@jobs.example/page", "credentials"),
        ("http://user@jobs.example/page", "credentials"),
        ("http://[fe80::1%25eth0]/", "invalid_url"),
        ("not a url", "scheme"),
    ],
)
async def test_refuses_other_schemes_and_credentials(
    url: str, reason: str, connections: list[tuple[str, int]]
) -> None:
    with pytest.raises(FetchRefused) as refused:
        await fetch(url, settings=stub_settings())
    assert refused.value.reason == reason
    assert connections == []


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.2:{port}/page",
        "http://[::1]:{port}/page",
        "http://localhost:{port}/page",
        "http://intranet.example/",
        "file:///etc/passwd",
    ],
)
async def test_redirect_targets_are_checked_again(
    target: str, stub: Stub, connections: list[tuple[str, int]]
) -> None:
    # The first hop is allowed (jobs.example is the loopback stub, exempted for the test);
    # where it redirects is checked by the same rules and refused before any connection.
    before = stub.count()
    start = stub.url(f"/redirect?to={target.format(port=stub.port)}", host="jobs.example")
    with pytest.raises(FetchRefused):
        await fetch(start, settings=stub_settings())
    assert stub.count() == before + 1
    assert stub.requests[before][0].startswith("/redirect")
    assert connections == [("127.0.0.1", stub.port)]


async def test_gives_up_after_three_redirects(stub: Stub) -> None:
    before = stub.count()
    with pytest.raises(FetchFailed) as failed:
        await fetch(stub.url("/loop"), settings=stub_settings())
    assert failed.value.reason == "redirects"
    assert failed.value.status == 422
    assert stub.count() - before == 4  # the first request and three redirects


# -- refused answers --------------------------------------------------------------------


async def test_a_50_mb_body_is_cut_off_at_the_cap(stub: Stub) -> None:
    with pytest.raises(FetchFailed) as failed:
        await fetch(stub.url("/big"), settings=stub_settings())
    assert failed.value.reason == "too_large"
    assert failed.value.status == 422
    assert stub.big_broken.wait(5), "the server should see the connection closed early"
    assert stub.big_sent < BIG // 4


async def test_a_declared_length_over_the_cap_is_refused_before_reading(stub: Stub) -> None:
    with pytest.raises(FetchFailed) as failed:
        await fetch(stub.url("/big-declared"), settings=stub_settings())
    assert failed.value.reason == "too_large"


async def test_a_slow_body_times_out(stub: Stub) -> None:
    started = time.monotonic()
    with pytest.raises(FetchFailed) as failed:
        await fetch(stub.url("/slow"), settings=stub_settings(timeout_seconds=0.5))
    assert failed.value.reason == "timeout"
    assert time.monotonic() - started < 2


async def test_an_image_is_refused(stub: Stub) -> None:
    with pytest.raises(FetchFailed) as failed:
        await fetch(stub.url("/image"), settings=stub_settings())
    assert failed.value.reason == "content_type"
    assert "image/png" in str(failed.value.detail)


async def test_accept_narrows_the_content_types(stub: Stub) -> None:
    fetched = await fetch(stub.url("/json"), settings=stub_settings(), accept=["application/json"])
    assert fetched.body == b'{"id": "1"}'
    with pytest.raises(FetchFailed):
        await fetch(stub.url("/page"), settings=stub_settings(), accept=["application/json"])


async def test_an_error_status_fails(stub: Stub) -> None:
    with pytest.raises(FetchFailed) as failed:
        await fetch(stub.url("/missing"), settings=stub_settings())
    assert failed.value.reason == "status"
    assert "404" in str(failed.value.detail)


async def test_an_unknown_host_fails_cleanly() -> None:
    with pytest.raises(FetchFailed) as failed:
        await fetch("http://nowhere.example/", settings=stub_settings())
    assert failed.value.reason == "dns"


# -- the rules alone --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("0x7f.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("0xa9fea9fe", "169.254.169.254"),
        ("::1", "::1"),
        ("jobs.example", None),
        ("face.bad", None),
        ("08.1", None),
    ],
)
def test_reads_numeric_hosts_as_a_resolver_does(host: str, address: str | None) -> None:
    parsed = parse_ip_literal(host)
    assert (str(parsed) if parsed else None) == address


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2a00:1450:4010:c05::64"])
def test_public_addresses_pass(address: str) -> None:
    check_address(ipaddress.ip_address(address), FetchSettings())


def test_errors_are_problems_with_statuses() -> None:
    assert issubclass(FetchRefused, FetchError)
    assert issubclass(FetchFailed, FetchError)
    assert issubclass(FetchError, Problem)
    assert FetchRefused("x", reason="scheme").status == 400
    assert FetchFailed("x", reason="timeout").status == 422
