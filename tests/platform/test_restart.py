"""``qh dev`` / ``qh serve`` start again at once after being killed, and ``qh dev`` without
``--reload`` says nothing about reloading."""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click
import httpx
import pytest
from click.testing import CliRunner

from qh.kit import cli


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def leave_time_wait(port: int) -> None:
    """A closed connection on ``port`` whose server side closed first (TIME_WAIT)."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen()
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
        accepted.close()  # the server closes first: its side ends in TIME_WAIT
        client.recv(1)
        client.close()
    time.sleep(0.05)


def test_probe_without_reuseaddr_is_refused_by_time_wait() -> None:
    """What the old probe hit: a plain bind fails while the port has TIME_WAIT entries."""
    port = free_port()
    leave_time_wait(port)
    with socket.socket() as plain, pytest.raises(OSError) as caught:
        plain.bind(("127.0.0.1", port))
    assert caught.value.errno == errno.EADDRINUSE


def test_probe_accepts_a_port_in_time_wait() -> None:
    port = free_port()
    leave_time_wait(port)
    cli._ensure_port_free("127.0.0.1", port)


def test_probe_refuses_a_port_something_listens_on() -> None:
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(click.ClickException, match="in use"):
            cli._ensure_port_free("127.0.0.1", port)


def _start(port: int, data: Path, log: Path) -> subprocess.Popen[bytes]:
    qh = Path(sys.executable).with_name("qh")
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(qh), "dev", "--port", str(port), "--data-dir", str(data)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=data.parent,
        )


def _wait_ready(process: subprocess.Popen[bytes], port: int, log: Path, within: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < within:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"not ready within {within}s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_qh_dev_starts_again_at_once_after_sigkill_with_a_keep_alive_client(
    tmp_path: Path,
) -> None:
    port = free_port()
    data, log = tmp_path / "data", tmp_path / "qh-dev.log"
    first = _start(port, data, log)
    try:
        _wait_ready(first, port, log, within=60)
        # A client that keeps its connection open across the kill.
        keep_alive = socket.create_connection(("127.0.0.1", port))
        keep_alive.sendall(b"GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert keep_alive.recv(4096).startswith(b"HTTP/1.1 200")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        _stop(first)
    second = _start(port, data, log)
    try:
        # Refused, the command would exit at once saying the port is in use; a start
        # that waits for the port to be released would also take over a minute.
        _wait_ready(second, port, log, within=60)
        assert "in use" not in log.read_text()
    finally:
        keep_alive.close()
        _stop(second)
    assert "reload" not in log.read_text().lower()


def _run_dev(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str) -> dict[str, Any]:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append(kw))
    for name in ("QH_DATA_DIR", "QH_PUBLIC_BASE_URL", "QH_LOG_FORMAT", "QH_ENV"):
        monkeypatch.delenv(name, raising=False)
    port = str(free_port())
    environ = dict(os.environ)
    try:
        result = CliRunner().invoke(
            cli.main, ["dev", "--port", port, "--data-dir", str(tmp_path / "d"), *args]
        )
    finally:  # `qh dev` sets its defaults (QH_DATA_DIR, ...) in this process's environment
        os.environ.clear()
        os.environ.update(environ)
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    return calls[0]


def test_qh_dev_without_reload_passes_no_reload_dirs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    kwargs = _run_dev(monkeypatch, tmp_path)
    assert "reload_dirs" not in kwargs
    assert not kwargs.get("reload")


def test_qh_dev_with_reload_watches_the_sources(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(Path(__file__).parents[2])
    kwargs = _run_dev(monkeypatch, tmp_path, "--reload")
    assert kwargs["reload"] is True
    assert any(path.endswith("libs") for path in kwargs["reload_dirs"])
