"""Serving an app in a child process and loading it with ``wrk`` over loopback: what the
HTTP benchmarks share."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served(NamedTuple):
    url: str
    token: str
    pid: int


def cpu_seconds(pid: int) -> float:
    """Seconds of CPU every thread of process ``pid`` has run so far
    (``/proc/<pid>/task/*/schedstat``): a cost the machine's other load barely moves."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            total += int((task / "schedstat").read_text().split()[0])
    return total / 1e9


@contextmanager
def served(script: str, arguments: Sequence[str], url_path: str) -> Iterator[Served]:
    """Run ``script --port P --token-file F *arguments`` until it answers ``url_path`` with
    200 to the bearer token it wrote to F; yield the URL, the token and the server's pid."""
    port = free_port()
    token_file = tempfile.mktemp()
    child = subprocess.Popen(
        [sys.executable, script, "--port", str(port), "--token-file", token_file, *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}{url_path}"
        deadline = time.monotonic() + 30
        while True:
            try:
                token = Path(token_file).read_text()
                request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or child.poll() is not None:
                    raise SystemExit(f"{' '.join(arguments)}: the server did not start") from None
                time.sleep(0.2)
        yield Served(url, token, child.pid)
    finally:
        child.terminate()
        child.wait(timeout=10)
        if os.path.exists(token_file):
            os.unlink(token_file)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, token: str, *, seconds: int, connections: int) -> dict[str, float]:
    """Requests per second and p50/p99 latency (ms) of ``wrk -t1`` against ``url``."""
    output = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        raise SystemExit(f"wrk saw error responses from {url}\n{output}")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"\s50%\s+([\d.]+)(us|ms|s)", output)
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", output)
    if not (rps and p50 and p99):
        raise SystemExit(f"could not read wrk's output\n{output}")
    requests = re.search(r"(\d+) requests in", output)
    return {
        "rps": float(rps.group(1)),
        "p50": _ms(*p50.groups()),
        "p99": _ms(*p99.groups()),
        "requests": float(requests.group(1)) if requests else 0.0,
    }
