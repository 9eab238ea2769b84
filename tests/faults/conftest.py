"""What the fault tests share: a private PostgreSQL cluster that a test may stop and start
(never the shared server), a child ``qh serve`` process, and a free port."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import httpx
import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def unavailable(reason: str) -> None:
    """A fault test that cannot run: a failure under CI=true, a skip elsewhere."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the fault tests must run)")
    pytest.skip(reason)


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    if found:
        return found[0].parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


class PrivateCluster:
    """A throwaway PostgreSQL cluster in a temporary folder, on a port of its own, with
    trust authentication. Run as the ``postgres`` OS user when the tests run as root
    (initdb refuses root). Stopping it touches no other server."""

    def __init__(self, bin_dir: Path, root: Path, user: str | None) -> None:
        self.bin_dir = bin_dir
        self.root = root
        self.data = root / "data"
        self.log = root / "postgres.log"
        self.user = user
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def database_url(self, name: str, driver: str = "+asyncpg") -> str:
        return f"postgresql{driver}://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / argv[0]), *argv[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, cwd=self.root
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(argv[:2])} failed ({result.returncode}):\n{result.stdout}"
                f"\n{result.stderr}\n{self.log_tail()}"
            )
        return result

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def init(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
            "--no-sync", "--no-instructions",
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=100"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w",
                  "-t", "30", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """``fast``: the server ends every session and shuts down cleanly; ``immediate``:
        as a crash (recovery from the log at the next start)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def create_database(self, name: str) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)


@pytest.fixture
def private_postgres() -> Iterator[PrivateCluster]:
    """A PostgreSQL server of the test's own, started; stopped and removed after."""
    bin_dir = _postgres_bin()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        unavailable("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
    assert bin_dir is not None
    user: str | None = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            unavailable("running as root and there is no postgres OS user to run initdb as")
        user = "postgres"
    root = Path(tempfile.mkdtemp(prefix="qh-faults-pg-"))
    if user is not None:
        shutil.chown(root, user=user)
    cluster = PrivateCluster(bin_dir, root, user)
    try:
        try:
            cluster.init()
            cluster.start()
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            unavailable(f"a private PostgreSQL cluster could not be started: {exc}")
        yield cluster
    finally:
        if cluster.data.exists():
            with contextlib.suppress(RuntimeError, OSError, subprocess.TimeoutExpired):
                cluster.stop("immediate")  # unless it is not running
        shutil.rmtree(root, ignore_errors=True)


class Child:
    """One ``qh serve <slug>`` (or any ``qh`` command) in a child process, with its log."""

    def __init__(self, argv: list[str], environ: Mapping[str, str], workdir: Path) -> None:
        self.port = free_port()
        self.argv = [str(Path(sys.executable).with_name("qh")), *argv, "--port", str(self.port)]
        self.environ = dict(environ)
        self.workdir = workdir
        self.log_path = workdir / f"{argv[0]}-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:] if self.log_path.exists() else ""

    def start(self, ready_within: float = 120) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                env=self.environ,
            )
        deadline = time.monotonic() + ready_within
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                if httpx.get(f"{self.base_url}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError("the service did not become ready:\n" + self.log())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Child]]:
    """``serve("auth", environ)``: a started ``qh serve auth``, stopped after the test."""
    children: list[Child] = []

    def start(slug: str, environ: Mapping[str, str], ready_within: float = 120) -> Child:
        child = Child(["serve", slug, "--host", "127.0.0.1"], environ, tmp_path)
        children.append(child)
        child.start(ready_within)
        return child

    try:
        yield start
    finally:
        for child in children:
            child.stop()
