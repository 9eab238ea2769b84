"""doc-storage throughput and memory: uploading and downloading a 1 MB and a 50 MB file
through the service, against writing and reading the same bytes straight to the store, in
one run.

The service runs in a child process under uvicorn (one worker, SQLite, the store named by
``--store``). Its client is ``curl`` in a process of its own, so the client is not the
bottleneck: each upload is ``curl -F file=@…`` (a streamed multipart body, as a browser
sends it), each download ``curl -o /dev/null``; the time is curl's own ``time_total``
(connect to last byte, without starting the process). "direct" is this process putting the
same bytes to the same store through the same ``ObjectStorage`` the service uses (256 KiB
chunks from memory) and reading them back: an in-process call with no HTTP and no client
at all, the floor the service can approach. Rounds alternate (upload, put, download, get)
after a warm-up of each size; medians, with the range over the rounds. Memory: the
server's peak RSS during one request minus its RSS just before (``/proc/<pid>/clear_refs``
resets the peak), the largest of the rounds; server CPU: what its threads ran during one
request (``/proc/<pid>/task/*/schedstat``).

What bounds the ratios is measured in the same run: a bare uvloop HTTP server (no
framework, no checks, no store) receiving and sending the same files to the same curl,
SHA-256 and the content check alone in one thread, and a 100-byte upload and download.

    uv run python benchmarks/storage.py [--store local|s3] [--rounds 5] [--json FILE]

``--store s3`` starts moto's S3 server on 127.0.0.1 (what the tests use), in this process; a
slow store hides the service's own cost, so ``local`` (a folder) is the harsher comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

CHUNK = 256 * 1024
SIZES = {"1 MB": 1_000_000, "50 MB": 50_000_000}
BUCKET = "qh-bench"
CREDENTIALS_SECRET = "doc-storage-store-credentials"


def machine() -> str:
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def text_file(size: int) -> bytes:
    """UTF-8 text (Russian and English lines) of exactly ``size`` bytes."""
    line = "Опыт работы: Python, PostgreSQL, Kubernetes — 6 лет. Experience: 6 years.\n".encode()
    data = line * (size // len(line) + 1)
    return data[:size].rsplit(b"\n", 1)[0].ljust(size, b" ")


# --- the server (child process) --------------------------------------------------------------


def serve(port: int, workdir: str, jwks_file: str, store: str, endpoint: str | None) -> None:
    import uvicorn
    from litestar import Litestar, get

    from qh.doc_storage.app import service
    from qh.kit.context import JWKS_PATH
    from qh.kit.runtime import LocalRuntime
    from qh.kit.testing import TEST_ISSUER

    jwks = json.loads(Path(jwks_file).read_text())

    @get(JWKS_PATH, sync_to_thread=False)
    def keys() -> dict[str, Any]:
        return jwks  # type: ignore[no-any-return]

    runtime = LocalRuntime()
    runtime.attach("auth", Litestar([keys], openapi_config=None, logging_config=None))
    store_settings: dict[str, Any] = {}
    if store == "s3":
        os.environ["QH_SECRET_DOC_STORAGE_STORE_CREDENTIALS"] = json.dumps(
            {"access_key_id": "bench", "secret_access_key": "bench"}
        )
        store_settings = {
            "store_url": f"s3://{BUCKET}",
            "store_endpoint": endpoint,
            "store_allow_http": True,
            "store_credentials_secret": CREDENTIALS_SECRET,
        }
    settings = service.load_settings(
        environ={},
        env="test",
        data_dir=workdir,
        database_url=f"sqlite+aiosqlite:///{workdir}/doc_storage.db",
        migrate_on_start=True,
        auth_issuer=TEST_ISSUER,
        log_level="WARNING",
        outbox_poll_seconds=60.0,
        **store_settings,
    )
    app = service.create_app(settings, runtime=runtime)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def serve_bare(port: int) -> None:
    """The loopback ceiling: a bare uvloop HTTP server, no framework, no checks, no store.
    A POST reads the body and drops it (201); a GET of ``/<n>`` answers ``n`` bytes from
    memory in 1 MiB writes, as the service's download does."""
    import uvloop

    block = b"x" * 2**20

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                method, target = head.split(b" ", 2)[:2]
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                while length:
                    chunk = await reader.read(min(length, 2**20))
                    if not chunk:
                        raise ConnectionError
                    length -= len(chunk)
                if method == b"POST":
                    writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}")
                    continue
                size = int(target.strip(b"/"))
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size)
                view = memoryview(block)
                while size:
                    writer.write(view[: min(size, len(block))])
                    size -= min(size, len(block))
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port)
        await server.serve_forever()

    uvloop.run(main())


# --- the client --------------------------------------------------------------------------------


class Server:
    def __init__(self, pid: int) -> None:
        self.pid = pid

    def rss(self) -> int:
        return self._status("VmRSS")

    def peak(self) -> int:
        return self._status("VmHWM")

    def reset_peak(self) -> None:
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")

    def cpu(self) -> float:
        """Seconds of CPU the server's threads have run (``/proc/<pid>/task/*/schedstat``,
        nanoseconds): what a request costs the server, whatever else runs on the machine."""
        total = 0
        for task in Path(f"/proc/{self.pid}/task").iterdir():
            with contextlib.suppress(OSError):
                total += int((task / "schedstat").read_text().split()[0])
        return total / 1e9

    def _status(self, field: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        raise KeyError(field)


async def curl(*args: str) -> tuple[int, float, int, bytes]:
    """Run curl: the HTTP status, curl's ``time_total`` (seconds), the bytes it received and
    the body it wrote to stdout."""
    process = await asyncio.create_subprocess_exec(
        "curl",
        "--silent",
        "--show-error",
        "--max-time",
        "120",
        "--write-out",
        "\n%{http_code} %{time_total} %{size_download}",
        *args,
        stdout=subprocess.PIPE,
    )
    out, _ = await process.communicate()
    if process.returncode:
        raise RuntimeError(f"curl failed ({process.returncode})")
    body, _, trailer = out.rpartition(b"\n")
    status, seconds, received = trailer.split()
    return int(status), float(seconds), int(received), body


async def upload(base: str, auth: str, path: Path) -> tuple[str, float]:
    # No "Expect: 100-continue": the body goes at once, as a browser sends it.
    status, seconds, _, body = await curl(
        "--header",
        auth,
        "--header",
        "Expect:",
        "--form",
        f"file=@{path};type=text/plain;filename=cv.txt",
        f"{base}/api/v1/documents/",
    )
    assert status == 201, body
    return str(json.loads(body)["id"]), seconds


async def download(base: str, auth: str, document_id: str, size: int) -> float:
    status, seconds, received, _ = await curl(
        "--header",
        auth,
        "--output",
        "/dev/null",
        f"{base}/api/v1/documents/{document_id}/content",
    )
    assert status == 200, status
    assert received == size, received
    return seconds


async def bare_upload(port: int, path: Path) -> float:
    status, seconds, _, _ = await curl(
        "--header",
        "Expect:",
        "--form",
        f"file=@{path};type=text/plain",
        f"http://127.0.0.1:{port}/",
    )
    assert status == 201, status
    return seconds


async def bare_download(port: int, size: int) -> float:
    status, seconds, received, _ = await curl(
        "--output", "/dev/null", f"http://127.0.0.1:{port}/{size}"
    )
    assert status == 200, status
    assert received == size, received
    return seconds


def checks(data: bytes) -> tuple[float, float]:
    """The work every upload does on every byte, each alone in one thread, over the blocks
    the service uses: SHA-256, and the content check (for this text: UTF-8, no NUL)."""
    from qh.doc_storage.domain.documents.content import ContentInspector
    from qh.doc_storage.domain.documents.upload import BLOCK

    view = memoryview(data)
    blocks = [bytes(view[start : start + BLOCK]) for start in range(0, len(data), BLOCK)]
    started = time.perf_counter()
    hasher = hashlib.sha256()
    for block in blocks:
        hasher.update(block)
    hasher.hexdigest()
    hashed = time.perf_counter()
    inspector = ContentInspector()
    for block in blocks:
        inspector.feed(block)
    inspector.finish(filename="cv.txt")
    return hashed - started, time.perf_counter() - hashed


async def direct_put(storage: Any, data: bytes) -> str:
    key = f"direct/{uuid.uuid4().hex}"

    async def chunks() -> AsyncIterator[bytes]:
        view = memoryview(data)
        for start in range(0, len(data), CHUNK):
            yield bytes(view[start : start + CHUNK])

    await storage.put(key, chunks())
    return key


async def direct_get(storage: Any, key: str) -> int:
    received = 0
    async for chunk in await storage.read(key):
        received += len(chunk)
    return received


def mb_per_s(size: int, seconds: float) -> float:
    return size / seconds / 1e6


class Setup:
    """The store and the server, started before the event loop (blocking calls)."""

    def __init__(self, store: str) -> None:
        from qh.kit.testing import TokenFactory

        self.store = store
        self.workdir = tempfile.mkdtemp(prefix="qh-bench-storage-")
        self.tokens = TokenFactory()
        jwks_file = Path(self.workdir) / "jwks.json"
        jwks_file.write_text(json.dumps(self.tokens.jwks()))
        self.endpoint: str | None = None
        self.moto: Any = None
        if store == "s3":
            import logging

            from moto.server import ThreadedMotoServer

            logging.getLogger("werkzeug").setLevel(logging.WARNING)

            self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
            self.moto.start()
            host, moto_port = self.moto.get_host_and_port()
            self.endpoint = f"http://{host}:{moto_port}"
            httpx.put(f"{self.endpoint}/{BUCKET}").raise_for_status()
        self.port = free_port()
        self.child = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve",
                str(self.port),
                self.workdir,
                str(jwks_file),
                store,
                self.endpoint or "",
            ],
            stdout=subprocess.DEVNULL,
        )
        self.bare_port = free_port()
        self.bare = subprocess.Popen(
            [sys.executable, __file__, "--bare", str(self.bare_port)], stdout=subprocess.DEVNULL
        )

    def close(self) -> None:
        for child in (self.child, self.bare):
            child.terminate()
            child.wait(timeout=20)
        if self.moto is not None:
            self.moto.stop()


async def measure(args: argparse.Namespace, setup: Setup) -> dict[str, Any]:
    from qh.doc_storage.storage import open_storage

    workdir, tokens, endpoint, port, child = (
        setup.workdir,
        setup.tokens,
        setup.endpoint,
        setup.port,
        setup.child,
    )
    server = Server(child.pid)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, Any] = {
        "machine": machine(),
        "store": args.store,
        "rounds": args.rounds,
        "sizes": {},
    }
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        for _ in range(100):
            try:
                if (await client.get("/health/ready")).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
        else:
            raise RuntimeError("the service did not start")
        if args.store == "s3":

            class Secrets:
                async def get(self, key: str) -> str | None:
                    return json.dumps({"access_key_id": "bench", "secret_access_key": "bench"})

            storage = await open_storage(
                url=f"s3://{BUCKET}",
                prefix="documents",
                data_dir=workdir,
                endpoint=endpoint,
                allow_http=True,
                credentials_secret=CREDENTIALS_SECRET,
                secrets=Secrets(),  # type: ignore[arg-type]
            )
        else:
            storage = await open_storage(url=None, prefix="documents", data_dir=workdir)
        headers = tokens.headers(uuid.uuid4())
        auth = f"Authorization: {headers['Authorization']}"
        # The cost of a request whatever its size: a 100-byte text up and down.
        tiny = Path(workdir) / "tiny.txt"
        tiny.write_bytes(text_file(100))
        fixed: dict[str, list[float]] = {"upload": [], "download": []}
        for _ in range(args.rounds + 1):
            document_id, seconds = await upload(base, auth, tiny)
            fixed["upload"].append(seconds)
            fixed["download"].append(await download(base, auth, document_id, 100))
            await client.delete(f"/api/v1/documents/{document_id}", headers=headers)
        results["fixed ms"] = {
            k: (statistics.median(v[1:]) * 1000, min(v[1:]) * 1000, max(v[1:]) * 1000)
            for k, v in fixed.items()
        }
        for label, size in SIZES.items():
            data = text_file(size)
            path = Path(workdir) / f"upload-{size}.txt"
            path.write_bytes(data)
            # Warm-up: one of each at this size.
            document_id, _ = await upload(base, auth, path)
            await download(base, auth, document_id, size)
            key = await direct_put(storage, data)
            await direct_get(storage, key)
            timings: dict[str, list[float]] = {
                "upload": [],
                "direct put": [],
                "download": [],
                "direct get": [],
                "bare HTTP upload": [],
                "bare HTTP download": [],
                "SHA-256": [],
                "content check": [],
            }
            memory: dict[str, list[int]] = {"upload": [], "download": []}
            cpu: dict[str, list[float]] = {"upload": [], "download": []}
            for _ in range(args.rounds):
                before, used = server.rss(), server.cpu()
                server.reset_peak()
                document_id, seconds = await upload(base, auth, path)
                timings["upload"].append(seconds)
                cpu["upload"].append(server.cpu() - used)
                memory["upload"].append(server.peak() - before)

                started = time.perf_counter()
                key = await direct_put(storage, data)
                timings["direct put"].append(time.perf_counter() - started)

                before, used = server.rss(), server.cpu()
                server.reset_peak()
                timings["download"].append(await download(base, auth, document_id, size))
                cpu["download"].append(server.cpu() - used)
                memory["download"].append(server.peak() - before)

                started = time.perf_counter()
                assert await direct_get(storage, key) == size
                timings["direct get"].append(time.perf_counter() - started)

                timings["bare HTTP upload"].append(await bare_upload(setup.bare_port, path))
                timings["bare HTTP download"].append(await bare_download(setup.bare_port, size))
                hashing, checking = checks(data)
                timings["SHA-256"].append(hashing)
                timings["content check"].append(checking)
                await client.delete(f"/api/v1/documents/{document_id}", headers=headers)
                await storage.delete(key)
            results["sizes"][label] = {
                "MB/s": {k: mb_per_s(size, statistics.median(v)) for k, v in timings.items()},
                "MB/s range": {
                    k: (mb_per_s(size, max(v)), mb_per_s(size, min(v))) for k, v in timings.items()
                },
                "ratio range": {
                    side: (
                        min(d / s for s, d in zip(timings[side], timings[floor], strict=True)),
                        max(d / s for s, d in zip(timings[side], timings[floor], strict=True)),
                    )
                    for side, floor in (("upload", "direct put"), ("download", "direct get"))
                },
                "peak RSS delta MiB": {k: max(v) / 2**20 for k, v in memory.items()},
                "server CPU ms": {
                    k: (statistics.median(v) * 1000, min(v) * 1000, max(v) * 1000)
                    for k, v in cpu.items()
                },
            }
    return results


def report(results: dict[str, Any]) -> None:
    print(
        f"machine: {results['machine']}; store: {results['store']}; "
        f"medians of {results['rounds']} rounds [range]"
    )
    print(
        "| file | upload, service | put, direct | ratio | download, service | get, direct | ratio "
        "| server peak RSS Δ upload | download |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for label, row in results["sizes"].items():
        speed, span, ratios = row["MB/s"], row["MB/s range"], row["ratio range"]
        memory = row["peak RSS delta MiB"]
        mbs = {
            name: f"{speed[name]:.0f} MB/s [{low:.0f}–{high:.0f}]"
            for name, (low, high) in span.items()
        }
        ratio = {
            side: f"{speed[side] / speed[floor]:.2f} [{ratios[side][0]:.2f}–{ratios[side][1]:.2f}]"
            for side, floor in (("upload", "direct put"), ("download", "direct get"))
        }
        print(
            f"| {label} | {mbs['upload']} | {mbs['direct put']} | {ratio['upload']} "
            f"| {mbs['download']} | {mbs['direct get']} | {ratio['download']} "
            f"| {memory['upload']:.1f} MiB | {memory['download']:.1f} MiB |"
        )


def report_bounds(results: dict[str, Any]) -> None:
    print()
    print(
        "| file | bare HTTP upload | bare HTTP download | SHA-256, one thread "
        "| content check, one thread |"
    )
    print("|---|---|---|---|---|")
    for label, row in results["sizes"].items():
        speed, span = row["MB/s"], row["MB/s range"]
        cells = [
            f"{speed[name]:.0f} MB/s [{span[name][0]:.0f}–{span[name][1]:.0f}]"
            for name in ("bare HTTP upload", "bare HTTP download", "SHA-256", "content check")
        ]
        print(f"| {label} | " + " | ".join(cells) + " |")
    print()
    for label, row in results["sizes"].items():
        spent = ", ".join(
            f"{side} {median:.1f} ms [{low:.1f}–{high:.1f}]"
            for side, (median, low, high) in row["server CPU ms"].items()
        )
        print(f"server CPU for one request, {label}: {spent}")
    print()
    for side, (median, low, high) in results["fixed ms"].items():
        print(f"{side} of a 100-byte file: {median:.1f} ms [{low:.1f}–{high:.1f}]")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        port, workdir, jwks_file, store, endpoint = sys.argv[2:7]
        serve(int(port), workdir, jwks_file, store, endpoint or None)
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--bare":
        serve_bare(int(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=["local", "s3"], default="local")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    setup = Setup(args.store)
    try:
        results = asyncio.run(measure(args, setup))
    finally:
        setup.close()
    report(results)
    report_bounds(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
