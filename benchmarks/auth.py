"""Auth service benchmarks: login latency (argon2id at OWASP parameters), refresh
latency, and local access-token verification as another service does it.

    uv run python benchmarks/auth.py                       # SQLite in a temp folder
    uv run python benchmarks/auth.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench_auth

Requests go through the real app (routing, validation, problems, database) over httpx's
ASGI transport, so the numbers are the service's own cost without a network hop. The
database named by --database-url must exist and be empty; it is migrated first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from qh.auth.app import create_app, service
from qh.auth.passwords import PasswordHasher
from qh.auth.settings import AuthSettings
from qh.kit import db
from qh.kit.auth import TokenVerifier
from qh.kit.runtime import EnvSecrets, LocalRuntime

PASSWORD = "Violet-Harbour-Lantern-42"


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms, n={len(ordered)}"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


async def run(database_url: str, logins: int, refreshes: int, verifications: int) -> dict[str, Any]:
    settings = service.load_settings(
        environ={}, env="test", database_url=database_url, public_base_url="http://bench"
    )
    assert isinstance(settings, AuthSettings)
    results: dict[str, Any] = {"machine": machine(), "database": database_url.split(":", 1)[0]}

    hasher = PasswordHasher(settings)
    started = time.perf_counter()
    for _ in range(10):
        await hasher.hash(PASSWORD)
    results["argon2id_hash_ms"] = (time.perf_counter() - started) / 10 * 1000

    runtime = LocalRuntime(secrets=EnvSecrets({"QH_SECRET_AUTH_SIGNING_KEY": "benchmark-secret"}))
    app = create_app(settings, runtime=runtime)
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            email = f"bench-{time.time_ns()}@example.com"
            response = await client.post(
                "/api/v1/auth/register", json={"email": email, "password": PASSWORD}
            )
            assert response.status_code == 201, response.text
            form = {"grant_type": "password", "username": email, "password": PASSWORD}

            samples = []
            for _ in range(logins):
                started = time.perf_counter()
                response = await client.post("/api/v1/auth/token", data=form)
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
            results["login"] = summary(samples)

            burst = 20
            started = time.perf_counter()
            answers = await asyncio.gather(
                *(client.post("/api/v1/auth/token", data=form) for _ in range(burst))
            )
            elapsed = time.perf_counter() - started
            assert all(a.status_code == 200 for a in answers)
            results["login_burst"] = (
                f"{burst} concurrent logins in {elapsed * 1000:.0f} ms ({burst / elapsed:.1f}/s)"
            )

            refresh_token = response.json()["refresh_token"]
            samples = []
            for _ in range(refreshes):
                started = time.perf_counter()
                response = await client.post(
                    "/api/v1/auth/token",
                    data={"grant_type": "refresh_token", "refresh_token": refresh_token},
                )
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
                refresh_token = response.json()["refresh_token"]
            results["refresh"] = summary(samples)

            jwks = (await client.get("/api/v1/auth/.well-known/jwks.json")).json()
            tokens = []
            for _ in range(min(verifications, 200)):
                response = await client.post(
                    "/api/v1/auth/token",
                    data={"grant_type": "refresh_token", "refresh_token": refresh_token},
                )
                refresh_token = response.json()["refresh_token"]
                tokens.append(response.json()["access_token"])

    async def loader() -> dict[str, Any]:
        return jwks

    # Another service's verifier: JWKS cached, each distinct token checked once (signature,
    # claims), then served from its per-token cache on later requests.
    repeats = max(1, verifications // len(tokens))
    cold: list[float] = []
    for _ in range(repeats):
        verifier = TokenVerifier(
            issuer=settings.resolved_auth_issuer, audience="qh", jwks_loader=loader
        )
        await verifier.verify(tokens[0])  # load the JWKS once
        verifier._verified.clear()
        started = time.perf_counter()
        for token in tokens:
            await verifier.verify(token)
        cold.append((time.perf_counter() - started) / len(tokens) * 1e6)
    started = time.perf_counter()
    for _ in range(repeats):
        for token in tokens:
            await verifier.verify(token)
    warm = (time.perf_counter() - started) / (repeats * len(tokens)) * 1e6
    results["verify_new_token_us"] = statistics.median(cold)
    results["rs256_verify_us"], results["ed25519_verify_us"] = _raw_signature_checks_us()
    results["verify_cached_token_us"] = warm
    results["verifications"] = repeats * len(tokens)
    return results


def _raw_signature_checks_us(rounds: int = 3000) -> tuple[float, float]:
    """The signature check alone (OpenSSL through cryptography), the floor of a new token:
    RSA-2048 as the auth service signs, and Ed25519 for comparison."""
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.hashes import SHA256

    message = b"x" * 300
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_signature = rsa_key.sign(message, padding.PKCS1v15(), SHA256())
    rsa_public = rsa_key.public_key()
    started = time.perf_counter()
    for _ in range(rounds):
        rsa_public.verify(rsa_signature, message, padding.PKCS1v15(), SHA256())
    rsa_us = (time.perf_counter() - started) / rounds * 1e6
    ed_key = Ed25519PrivateKey.generate()
    ed_signature = ed_key.sign(message)
    ed_public = ed_key.public_key()
    started = time.perf_counter()
    for _ in range(rounds):
        ed_public.verify(ed_signature, message)
    ed_us = (time.perf_counter() - started) / rounds * 1e6
    return rsa_us, ed_us


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", help="an empty database (default: SQLite in a temp folder)"
    )
    parser.add_argument("--logins", type=int, default=30)
    parser.add_argument("--refreshes", type=int, default=200)
    parser.add_argument("--verifications", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{folder}/auth.db"
        db.upgrade(service.migrations, url)
        results = asyncio.run(run(url, args.logins, args.refreshes, args.verifications))
    print(f"machine: {results['machine']}; database: {results['database']}")
    print(f"argon2id (m=19456 KiB, t=2, p=1), one hash: {results['argon2id_hash_ms']:.1f} ms")
    print(f"login (POST /token, password grant): {results['login']}")
    print(f"login burst: {results['login_burst']}")
    print(f"refresh (POST /token, refresh_token grant): {results['refresh']}")
    print(
        "token verification in another service (TokenVerifier.verify): "
        f"new token {results['verify_new_token_us']:.1f} µs, "
        f"cached {results['verify_cached_token_us']:.2f} µs "
        f"({results['verifications']} verifications); the signature check alone: "
        f"RS256 {results['rs256_verify_us']:.1f} µs, Ed25519 {results['ed25519_verify_us']:.1f} µs"
    )


if __name__ == "__main__":
    main()
