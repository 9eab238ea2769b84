"""Password hashing: argon2id with a bound on concurrent hashes, and the password policy."""

from __future__ import annotations

import asyncio
import functools
import gzip
import hashlib
import re
import secrets
import unicodedata
from importlib import resources

import anyio.to_thread
import httpx
import structlog
from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from qh.auth.settings import AuthSettings
from qh.kit.problems import InvalidValue

log = structlog.get_logger("qh.auth.passwords")

# What a refused password is told, in words a user understands (the 422's ``password``).
TOO_SHORT = "Use at least {n} characters."
TOO_LONG = "Use at most {n} characters."
TOO_MANY_BYTES = "This password is too long; use fewer or simpler characters."
REPEATED = "A password made of one repeated character is easy to guess; choose another."
COMMON = (
    "This is one of the most common passwords, so it is among the first an attacker tries. "
    "Choose another, for example a few unrelated words."
)
PERSONAL = (
    "This password is built from your e-mail address or name, which others can guess. "
    "Choose one that has nothing to do with them."
)
BREACHED = "This password has appeared in a data breach, so attackers try it. Choose another one."

# The characters read as letters in "l33t" spellings, for the common and personal checks.
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_SEPARATORS = re.compile(r"[\W_]+")


def normalize_password(password: str) -> str:
    """NFKC (NIST SP 800-63B 5.1.1.2): a password typed as NFC once and NFD later, or with
    full-width digits, is the same password."""
    return unicodedata.normalize("NFKC", password)


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list (``data/common-passwords.txt.gz``, lower-case, see
    ``data/README.md``), read once, on first use."""
    raw = resources.files("qh.auth").joinpath("data/common-passwords.txt.gz").read_bytes()
    text = gzip.decompress(raw).decode("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _bases(password: str) -> set[str]:
    """What a guesser would try the password as: lower-cased, with digits and symbols
    around it stripped ("Summer2024!" → "summer"), and read as leet ("P@ssw0rd" →
    "password")."""
    lowered = password.lower()
    bases = {lowered, _EDGES.sub("", lowered)}
    bases |= {b.translate(_LEET) for b in list(bases)}
    bases |= {_EDGES.sub("", lowered.translate(_LEET))}
    return {b for b in bases if b}


def _personal_words(email: str | None, full_name: str | None) -> set[str]:
    words: set[str] = set()
    if email:
        local, _, domain = email.lower().rpartition("@")
        local = local.split("+", 1)[0]
        words |= {local, _SEPARATORS.sub("", local), email.lower()}
        words |= set(_SEPARATORS.split(local))
        words |= set(domain.split(".")[:-1])
    if full_name:
        name = full_name.lower()
        words |= {_SEPARATORS.sub("", name)}
        words |= set(_SEPARATORS.split(name))
    return {w for w in words if len(w) >= 3}


def password_problem(
    password: str,
    settings: AuthSettings,
    email: str | None = None,
    full_name: str | None = None,
) -> str | None:
    """Why ``password`` is refused, in words for the user, or ``None``. Length counts
    characters of the NFKC form; its UTF-8 bytes are bounded too."""
    password = normalize_password(password)
    if len(password) < settings.password_min_length:
        return TOO_SHORT.format(n=settings.password_min_length)
    if len(password) > settings.password_max_length:
        return TOO_LONG.format(n=settings.password_max_length)
    if len(password.encode("utf-8")) > settings.password_max_bytes:
        return TOO_MANY_BYTES
    if len(set(password)) == 1:
        return REPEATED
    bases = _bases(password)
    personal = _personal_words(email, full_name)
    if personal:
        squeezed = {_SEPARATORS.sub("", b) for b in bases}
        if (bases | squeezed) & personal or any(
            len(word) >= 4 and word in base and len(base) - len(word) <= 4
            for word in personal
            for base in squeezed
        ):
            return PERSONAL
    common = common_passwords()
    if any(base in common for base in bases):
        return COMMON
    return None


class BreachedPasswords:
    """The Have I Been Pwned range API with k-anonymity: only the first five hex digits of
    the password's SHA-1 leave the service, and ``Add-Padding`` hides the answer's size.
    Off unless ``breached_password_check`` is set; a slow or failing API lets the password
    through (with a log line) rather than blocking sign-ups."""

    def __init__(
        self, settings: AuthSettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self.transport = transport

    async def is_breached(self, password: str) -> bool:
        if not self.settings.breached_password_check:
            return False
        sha1 = hashlib.sha1(normalize_password(password).encode("utf-8")).hexdigest().upper()  # noqa: S324
        prefix, suffix = sha1[:5], sha1[5:]
        url = self.settings.breached_password_api_url.rstrip("/") + "/" + prefix
        try:
            async with httpx.AsyncClient(
                transport=self.transport, timeout=self.settings.breached_password_timeout_seconds
            ) as client:
                response = await client.get(
                    url, headers={"Add-Padding": "true", "User-Agent": "qh-auth"}
                )
                response.raise_for_status()
        except (httpx.HTTPError, OSError) as error:
            log.warning("breached_password_check_unavailable", error=type(error).__name__)
            return False
        for line in response.text.splitlines():
            candidate, _, count = line.strip().partition(":")
            if candidate.upper() == suffix:
                return count.strip() not in ("", "0")  # padding lines have a count of 0
        return False


class PasswordPolicy:
    """The whole policy: the rules above, then (when on) the breach check."""

    def __init__(self, settings: AuthSettings, breached: BreachedPasswords) -> None:
        self.settings = settings
        self.breached = breached

    async def problem(
        self, password: str, email: str | None = None, full_name: str | None = None
    ) -> str | None:
        problem = password_problem(password, self.settings, email, full_name)
        if problem is None and await self.breached.is_breached(password):
            problem = BREACHED
        return problem

    async def check(
        self, password: str, email: str | None = None, full_name: str | None = None
    ) -> None:
        """422 with the reason in the field ``password``."""
        problem = await self.problem(password, email, full_name)
        if problem:
            raise InvalidValue.field("password", problem)


class PasswordHasher:
    """argon2id hashing off the event loop. At most ``concurrency`` hashes run at once, so
    a burst of logins waits its turn instead of allocating ``m`` MiB per request."""

    def __init__(self, settings: AuthSettings) -> None:
        self._hasher = Argon2Hasher(
            time_cost=settings.password_hash_time_cost,
            memory_cost=settings.password_hash_memory_kib,
            parallelism=settings.password_hash_parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        self._concurrency = settings.password_hash_concurrency
        self._semaphore: asyncio.Semaphore | None = None
        self._dummy: str | None = None

    @property
    def semaphore(self) -> asyncio.Semaphore:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self._concurrency)
        return self._semaphore

    async def hash(self, password: str) -> str:
        """The hash of the password's NFKC form."""
        async with self.semaphore:
            return await anyio.to_thread.run_sync(self._hasher.hash, normalize_password(password))

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        return (await self.check(stored_hash, password))[0]

    async def check(self, stored_hash: str | None, password: str) -> tuple[bool, bool]:
        """Whether ``password`` matches, and whether the stored hash should be replaced.

        The NFKC form is tried first; a hash made before passwords were normalised matches
        the form as typed, and is then replaced. Without a stored hash (an unknown e-mail,
        a social-only account) a dummy hash is checked the same way, so the answer takes
        as long."""
        target = stored_hash or await self._dummy_hash()
        normal = normalize_password(password)
        async with self.semaphore:
            ok = await anyio.to_thread.run_sync(self._verify, target, normal)
            legacy = False
            if not ok and normal != password:
                legacy = ok = await anyio.to_thread.run_sync(self._verify, target, password)
        if stored_hash is None or not ok:
            return False, False
        return True, legacy or self.needs_rehash(stored_hash)

    def _verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True

    async def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = await self.hash(secrets.token_urlsafe(16))
        return self._dummy

    async def warm_up(self) -> None:
        await self._dummy_hash()
