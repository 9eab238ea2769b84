"""Settings of the job-data service (env ``QH_JOB_DATA_<FIELD>``, then ``QH_<FIELD>``)."""

from __future__ import annotations

import ipaddress

from qh.kit.settings import MiB, ServiceSettings


class JobDataSettings(ServiceSettings, kw_only=True):  # type: ignore[call-arg]
    """What the job-data service can be told beyond the platform's common settings."""

    hh_base_url: str = "https://api.hh.ru"
    """The hh.ru API (tests point it at a local stub)."""

    hh_user_agent: str = "QH/0.1 (+https://qh.dev/bot)"
    """Sent as ``HH-User-Agent``: hh asks every client to name itself and a contact."""

    hh_token: str | None = None
    """An hh.ru application token; when unset, the secret ``job-data-hh-token`` is read
    through the Secrets port, and without either the API is called anonymously."""

    hh_timeout_seconds: float = 10.0
    hh_areas_ttl_seconds: float = 24 * 3600.0
    """How long hh's area dictionary (used to search by area name) is kept."""

    fetch_timeout_seconds: float = 10.0
    """One deadline for a whole page import: DNS, connects, at most three redirects, body."""

    fetch_max_bytes: int = 2 * MiB
    """The largest page ``POST /import`` reads (counted while streaming)."""

    fetch_user_agent: str | None = None
    """The user agent of page imports; the kit's polite default when unset."""

    fetch_allow_private_networks: tuple[str, ...] = ()
    """Tests only (refused unless ``env`` is ``test``): networks exempt from the fetcher's
    public-address rule, e.g. ``127.0.0.1/32`` for a local stub server."""

    parse_max_bytes: int = 2 * MiB
    """The largest ``content`` ``POST /parse`` takes (UTF-8 bytes; larger answers 413)."""

    snapshot_max_bytes: int = 512 * 1024
    """The raw source kept beside an imported vacancy; a larger source is not kept."""

    max_vacancies_per_user: int = 5000
    """Vacancies one user may keep; one more answers 409."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.fetch_allow_private_networks and self.env != "test":
            raise ValueError("fetch_allow_private_networks is for tests only (env=test)")
        for network in self.fetch_allow_private_networks:
            ipaddress.ip_network(network)  # raises on a malformed network
        if self.fetch_max_bytes < 1024 or self.parse_max_bytes < 1024:
            raise ValueError("fetch_max_bytes and parse_max_bytes must be at least 1024")
        if self.snapshot_max_bytes < 0 or self.max_vacancies_per_user < 1:
            raise ValueError("snapshot_max_bytes >= 0 and max_vacancies_per_user >= 1")
        if self.fetch_timeout_seconds <= 0 or self.hh_timeout_seconds <= 0:
            raise ValueError("timeouts must be positive")
