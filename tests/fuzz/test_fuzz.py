"""Schemathesis over every service's OpenAPI document, against the running platform, as a
signed-in user (admin routes as an admin): valid and invalid data for each operation, then
sequences that follow the documents' links (create, then read, change and delete what was
created). No answer may be a server error, and every answer must be one the document
declares: its status, its media type and its body's schema; invalid data must be refused
with a 4xx.

``QH_FUZZ_EXAMPLES`` (default 2) is the number of examples per operation and generation
mode, ``QH_FUZZ_SCENARIOS`` (default 4) the number of stateful scenarios per service,
``QH_FUZZ_STEPS`` (default 6) the most steps in one, and ``QH_FUZZ_SEED`` (default 2026)
the seed; see ``tests/fuzz/README.md``."""

from __future__ import annotations

import contextlib
import os
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import FlakyStrategyDefinition, Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import SERVICES, Site

EXAMPLES = int(os.environ.get("QH_FUZZ_EXAMPLES", "2"))
SCENARIOS = int(os.environ.get("QH_FUZZ_SCENARIOS", "4"))
STEPS = int(os.environ.get("QH_FUZZ_STEPS", "6"))
SEED = int(os.environ.get("QH_FUZZ_SEED", "2026"))

PREFIXES = {
    "auth": "/api/v1/auth",
    "user-data": "/api/v1/profile",
    "job-data": "/api/v1/vacancies",
    "text-analysis": "/api/v1/analysis",
    "doc-storage": "/api/v1/documents",
    "resume-generation": "/api/v1/resumes",
    "cover-letters": "/api/v1/cover-letters",
    "notification": "/api/v1/notifications",
}

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
NEGATIVE_CHECKS = [*CHECKS, negative_data_rejection]

CONFIG = {
    # Scenarios send valid data, so what one step creates the next can use.
    "phases": {"stateful": {"generation": {"mode": "positive"}}},
    "checks": {
        # A body over the route's limit is refused before it is read (413).
        "negative_data_rejection": {
            "expected-statuses": [
                "400",
                "401",
                "403",
                "404",
                "405",
                "406",
                "409",
                "413",
                "415",
                "416",
                "422",
                "428",
                "429",
            ]
        }
    },
}

# Schemathesis's strategies draw from `random` (its own code, not ours).
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")

# Routes that answer a stream that does not end (a live feed) are left to their own tests.
SKIPPED: dict[str, set[str]] = {}


@dataclass
class Findings:
    """What the run found, one entry per operation, check and status."""

    seen: set[tuple[str, str, int]] = field(default_factory=set)
    entries: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def add(self, label: str, error: BaseException, response: Any, curl: str) -> None:
        for title, message in _failures(error):
            key = (label, title, response.status_code)
            if key in self.seen:
                continue
            self.seen.add(key)
            self.entries.append(
                f"{label}: {title}\n  {message[:800]}\n"
                f"  -> {response.status_code} {_text(response)[:400]}\n  {curl}"
            )


def _text(response: Any) -> str:
    content = getattr(response, "content", None) or b""
    return content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content)


def _failures(error: BaseException) -> list[tuple[str, str]]:
    inner = getattr(error, "exceptions", None)
    if inner:
        return [found for exc in inner for found in _failures(exc)]
    title = str(getattr(error, "title", None) or type(error).__name__)
    return [(title, str(getattr(error, "message", None) or error))]


def _load(site: Site, slug: str) -> Any:
    document = site.request("GET", f"{PREFIXES[slug]}/openapi.json").json()
    return schemathesis.openapi.from_dict(document, config=SchemathesisConfig.from_dict(CONFIG))


def _headers_for(site: Site, operation: Any) -> dict[str, str]:
    admin = f"{operation.method.upper()} {operation.path}" in site.admin_operations
    account = site.admin_account() if admin else site.user
    return account.headers


def _send(site: Site, case: Any, headers: dict[str, str]) -> requests.Response:
    return case.call(  # type: ignore[no-any-return]
        base_url=site.base, session=site.session, headers=headers, timeout=30
    )


class Ids:
    """Ids the service gave back for what a POST created, by the path it was posted to.
    Half of the valid cases of an operation on one item (``/things/{thing_id}...``) get a
    real one instead of a random id, so they reach the handler instead of stopping at 404."""

    def __init__(self) -> None:
        self.created: dict[str, list[str]] = {}

    def keep(self, path: str, response: requests.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            return
        if isinstance(body, dict) and isinstance(body.get("id"), str):
            kept = self.created.setdefault(path.rstrip("/"), [])
            kept[:] = [*kept[-9:], body["id"]]

    def use(self, path: str, case: Any) -> None:
        collection, brace, rest = path.partition("/{")
        kept = self.created.get(collection)
        if not brace or not kept or not case.path_parameters:
            return
        name = rest.partition("}")[0]
        digest = zlib.crc32(repr(sorted(case.path_parameters.items())).encode())
        if name in case.path_parameters and digest % 2 == 0:
            case.path_parameters[name] = kept[digest // 2 % len(kept)]


def _fuzz_operation(
    slug: str,
    site: Site,
    operation: Any,
    mode: GenerationMode,
    findings: Findings,
    checks: list[Any],
    ids: Ids,
) -> None:
    label = f"{operation.method.upper()} {operation.path} [{mode.value}]"

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        headers = _headers_for(site, operation)
        if mode is GenerationMode.POSITIVE:
            ids.use(operation.path, case)
        response = _send(site, case, headers)
        if operation.method.upper() == "POST" and response.status_code in (200, 201):
            ids.keep(operation.path, response)
        if slug == "auth" and operation.method.upper() != "GET":
            site.suspect = True  # it may have deleted the account or ended the session
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except (Exception, FailureGroup) as error:  # every finding is kept; the run goes on
            findings.add(label, error, response, case.as_curl_command(headers=headers))

    started = time.monotonic()
    with contextlib.suppress(Unsatisfiable):  # e.g. nothing invalid to send
        check()
    findings.timings[label] = time.monotonic() - started


# Creating first and deleting last, so the operations on one item find some to work on.
METHOD_ORDER = {"POST": 0, "PUT": 1, "GET": 2, "PATCH": 3, "DELETE": 4}


def _operations(schema: Any, slug: str) -> list[Any]:
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if f"{operation.method.upper()} {operation.path}" in SKIPPED.get(slug, set()):
            continue
        found.append(operation)
    return sorted(
        found, key=lambda op: ("{" in op.path, METHOD_ORDER.get(op.method.upper(), 5), op.path)
    )


@pytest.mark.parametrize("slug", SERVICES)
def test_every_operation_answers_as_documented(site: Site, slug: str) -> None:
    schema = _load(site, slug)
    findings = Findings()
    started = time.monotonic()
    operations = _operations(schema, slug)
    assert operations, f"{slug} documents no operation"
    ids = Ids()
    for operation in operations:
        _fuzz_operation(slug, site, operation, GenerationMode.POSITIVE, findings, CHECKS, ids)
        _fuzz_operation(
            slug, site, operation, GenerationMode.NEGATIVE, findings, NEGATIVE_CHECKS, ids
        )
    elapsed = time.monotonic() - started
    print(f"{slug}: {len(operations)} operations in {elapsed:.1f} s")
    for label, seconds in sorted(findings.timings.items(), key=lambda x: -x[1])[:8]:
        print(f"  {seconds:6.2f} s  {label}")
    assert not findings.entries, f"{len(findings.entries)} findings:\n\n" + "\n\n".join(
        findings.entries
    )


@pytest.mark.parametrize("slug", SERVICES)
def test_sequences_along_the_links_answer_as_documented(site: Site, slug: str) -> None:
    """Scenarios that create something and then read, change, list and delete it, following
    the links schemathesis infers from the documents (an id in a response body feeds the
    path parameter of the operations on that item)."""
    schema = _load(site, slug)
    findings = Findings()
    base: Any = schema.as_state_machine()
    calls: Counter[str] = Counter()

    class Scenario(base):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {
                "base_url": site.base,
                "session": site.session,
                "headers": _headers_for(site, case.operation),
                "timeout": 30,
            }

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            calls[f"{case.method.upper()} {case.operation.path} {response.status_code}"] += 1
            if slug == "auth" and case.method.upper() != "GET":
                site.suspect = True

        def validate_response(
            self,
            response: Any,
            case: Any,
            additional_checks: Any = None,
            **kwargs: Any,
        ) -> None:
            label = f"{case.method.upper()} {case.operation.path} [stateful]"
            headers = kwargs.get("headers")
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, FailureGroup) as error:
                findings.add(label, error, response, case.as_curl_command(headers=headers))

    started = time.monotonic()
    # The platform's state moves on between scenarios, so Hypothesis may find that replaying
    # a scenario draws differently (FlakyStrategyDefinition) and stop there; what ran until
    # then has been checked.
    try:
        _run_scenarios(Scenario)
    except FlakyStrategyDefinition:
        print(f"{slug}: Hypothesis stopped the scenarios early (the state moved on)")
    elapsed = time.monotonic() - started
    print(f"{slug}: {sum(calls.values())} calls in scenarios, {elapsed:.1f} s")
    for call, times in sorted(calls.items()):
        print(f"  {times:3}  {call}")
    assert not findings.entries, f"{len(findings.entries)} findings:\n\n" + "\n\n".join(
        findings.entries
    )


def _run_scenarios(machine: Any) -> None:
    machine.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
        )
    )
