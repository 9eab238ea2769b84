"""``qh dev`` on a fresh data folder: it becomes ready (migrations run, every service
started; the wait is generous because a loaded CI machine is slow), every service listed at
``/services``, the web client at ``/``."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from qh.kit.host import discover_services

# How long a start may take before the test gives up: not a speed target (startup time
# belongs in benchmarks), a bound so a hung start fails instead of hanging.
READY_WITHIN = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_qh_dev_serves_every_service_from_a_fresh_data_dir(tmp_path: Path) -> None:
    port = free_port()
    qh = Path(sys.executable).with_name("qh")
    log = (tmp_path / "qh-dev.log").open("w")
    started = time.monotonic()
    process = subprocess.Popen(
        [str(qh), "dev", "--port", str(port), "--data-dir", str(tmp_path / "data")],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    try:
        ready = None
        while time.monotonic() - started < READY_WITHIN:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, (tmp_path / "qh-dev.log").read_text()
            time.sleep(0.25)
        assert ready is not None
        assert ready.status_code == 200, (tmp_path / "qh-dev.log").read_text()
        services = discover_services()
        assert set(ready.json()["services"]) == set(services)
        index = httpx.get(f"http://127.0.0.1:{port}/services", timeout=5)
        assert index.status_code == 200
        home = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        if "web" in services:  # the web client serves / and the host keeps its own paths
            assert home.status_code == 200
            assert home.headers["content-type"].startswith("text/html")
            assert "/static/" in home.text
        else:
            assert home.status_code == 307
            assert home.headers["location"] == "/services"
        for slug, definition in services.items():
            assert slug in index.text
            base = definition.prefix.rstrip("/")
            docs = httpx.get(f"http://127.0.0.1:{port}{base}/openapi.json", timeout=5)
            assert docs.status_code == 200
            assert docs.json()["info"]["title"] == definition.title
        assert (tmp_path / "data").is_dir()
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
