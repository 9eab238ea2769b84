"""doc-storage throughput and memory: uploading and downloading a 1 MB and a 50 MB file
through the service, against writing and reading the same bytes straight to the store, in
one run.

The service runs in a child process under uvicorn (one worker, SQLite, the store named by
``--store``); the client streams each file over loopback in 256 KiB chunks (a multipart
upload, as a browser sends it) and reads each download in chunks, so neither side holds a
whole file. "direct" is this process putting the same bytes to the same store through the
same ``ObjectStorage`` (obstore, multipart) and reading them back: the floor the service
can approach. Memory: the server's peak RSS during one request minus its RSS just before
(``/proc/<pid>/clear_refs`` resets the peak), after warm-up requests of the same size.

    uv run python benchmarks/storage.py [--store local|s3] [--rounds 3]

``--store s3`` starts moto's S3 server on 127.0.0.1 (what the tests use); a slow store
hides the service's own cost, so ``local`` (a folder) is the harsher comparison.
"""

from __future__ import annotations

import argparse
import asyncio
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

    def _status(self, field: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        raise KeyError(field)


async def multipart(data: bytes, boundary: str) -> AsyncIterator[bytes]:
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="cv.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    view = memoryview(data)
    for start in range(0, len(data), CHUNK):
        yield bytes(view[start : start + CHUNK])
    yield f"\r\n--{boundary}--\r\n".encode()


async def upload(client: httpx.AsyncClient, headers: dict[str, str], data: bytes) -> str:
    boundary = uuid.uuid4().hex
    head_len = len(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="cv.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    )
    length = head_len + len(data) + len(f"\r\n--{boundary}--\r\n")
    response = await client.post(
        "/api/v1/documents/",
        content=multipart(data, boundary),
        headers={
            **headers,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(length),
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def download(client: httpx.AsyncClient, headers: dict[str, str], document_id: str) -> int:
    received = 0
    async with client.stream(
        "GET", f"/api/v1/documents/{document_id}/content", headers=headers
    ) as response:
        assert response.status_code == 200
        async for chunk in response.aiter_raw(CHUNK):
            received += len(chunk)
    return received


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

    def close(self) -> None:
        self.child.terminate()
        self.child.wait(timeout=20)
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
    results: dict[str, Any] = {"machine": machine(), "store": args.store, "sizes": {}}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
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
        for label, size in SIZES.items():
            data = text_file(size)
            # Warm-up: one of each at this size.
            document_id = await upload(client, headers, data)
            await download(client, headers, document_id)
            key = await direct_put(storage, data)
            await direct_get(storage, key)
            timings: dict[str, list[float]] = {
                "upload": [],
                "direct put": [],
                "download": [],
                "direct get": [],
            }
            memory: dict[str, list[int]] = {"upload": [], "download": []}
            for _ in range(args.rounds):
                before = server.rss()
                server.reset_peak()
                started = time.perf_counter()
                document_id = await upload(client, headers, data)
                timings["upload"].append(time.perf_counter() - started)
                memory["upload"].append(server.peak() - before)

                started = time.perf_counter()
                key = await direct_put(storage, data)
                timings["direct put"].append(time.perf_counter() - started)

                before = server.rss()
                server.reset_peak()
                started = time.perf_counter()
                assert await download(client, headers, document_id) == size
                timings["download"].append(time.perf_counter() - started)
                memory["download"].append(server.peak() - before)

                started = time.perf_counter()
                assert await direct_get(storage, key) == size
                timings["direct get"].append(time.perf_counter() - started)
                await client.delete(f"/api/v1/documents/{document_id}", headers=headers)
                await storage.delete(key)
            results["sizes"][label] = {
                "MB/s": {k: mb_per_s(size, statistics.median(v)) for k, v in timings.items()},
                "peak RSS delta MiB": {k: max(v) / 2**20 for k, v in memory.items()},
            }
    return results


def report(results: dict[str, Any]) -> None:
    print(f"machine: {results['machine']}; store: {results['store']}")
    print(
        "| file | upload, service | put, direct | ratio | download, service | get, direct | ratio "
        "| server peak RSS Δ upload | download |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for label, row in results["sizes"].items():
        speed, memory = row["MB/s"], row["peak RSS delta MiB"]
        print(
            f"| {label} | {speed['upload']:.0f} MB/s | {speed['direct put']:.0f} MB/s "
            f"| {speed['upload'] / speed['direct put']:.2f} "
            f"| {speed['download']:.0f} MB/s | {speed['direct get']:.0f} MB/s "
            f"| {speed['download'] / speed['direct get']:.2f} "
            f"| {memory['upload']:.1f} MiB | {memory['download']:.1f} MiB |"
        )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        port, workdir, jwks_file, store, endpoint = sys.argv[2:7]
        serve(int(port), workdir, jwks_file, store, endpoint or None)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=["local", "s3"], default="local")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    setup = Setup(args.store)
    try:
        report(asyncio.run(measure(args, setup)))
    finally:
        setup.close()


if __name__ == "__main__":
    main()
