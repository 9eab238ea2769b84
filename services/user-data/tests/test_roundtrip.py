"""The JSON Resume round trip is lossless: a document that validates against the official
schema, imported and exported, comes back equal apart from the normalisations the README
lists (and which :func:`normalised` below applies, one line each). Documents are generated
from the schema with hypothesis-jsonschema: once from the official schema as it is (any
answer is 200 or 422, a 200 round-trips), once from the schema with values a profile
accepts (every document is imported, and round-trips)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import anyio
import anyio.from_thread
import jsonschema
import phonenumbers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from qh.user_data.domain.exchange.jsonresume import REQUIRED, SECTIONS
from qh.user_data.domain.profiles.rules import normalise_email, text_problem

SCHEMA = json.loads(
    (Path(__file__).parent / "fixtures" / "jsonresume" / "schema.json").read_text("utf-8")
)
EXAMPLES = 25
SECTION_KEYS = {jr: qh for qh, (jr, _) in SECTIONS.items()}


def _blank(value: Any) -> bool:
    return value in (None, "", [], {}) or (isinstance(value, str) and not value.strip())


def _clean(source: dict[str, Any], known: set[str]) -> dict[str, Any]:
    """Keys the schema names, empty values and blank list entries left out."""
    out = {}
    for key, value in source.items():
        if key not in known:
            continue
        if isinstance(value, list):
            value = [v for v in value if not _blank(v)]
        if not _blank(value):
            out[key] = value
    return out


def normalised(document: dict[str, Any]) -> dict[str, Any]:
    """What QH gives back for ``document``: the README's list of normalisations."""
    props = SCHEMA["properties"]
    basics_props = props["basics"]["properties"]
    basics = _clean(document.get("basics") or {}, set(basics_props) - {"location", "profiles"})
    if "phone" in basics:  # phone in E.164
        number = phonenumbers.parse(basics["phone"], None)
        basics["phone"] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if "email" in basics:  # e-mail in its canonical form
        basics["email"] = normalise_email(basics["email"])[0]
    location = _clean(
        (document.get("basics") or {}).get("location") or {},
        set(basics_props["location"]["properties"]),
    )
    if "countryCode" in location:  # country code upper case
        location["countryCode"] = location["countryCode"].upper()
    if location:
        basics["location"] = location
    links = [
        _clean(p, set(basics_props["profiles"]["items"]["properties"]))
        for p in (document.get("basics") or {}).get("profiles") or []
    ]
    if links := [link for link in links if link]:
        basics["profiles"] = links
    out: dict[str, Any] = {"basics": basics}
    for jr, qh in SECTION_KEYS.items():
        known = set(props[jr]["items"]["properties"])
        names = {q: j for j, q in SECTIONS[qh][1].items()}
        items = []
        for item in document.get(jr) or []:
            kept = _clean(item, known)
            # an item without what QH requires is left out (and reported)
            if not kept or any(names[f] not in kept for f in REQUIRED[qh]):
                continue
            items.append(kept)
        out[jr] = items
    return out  # `$schema`, `meta` and keys outside the schema: written anew / left out


def _no_additional(node: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _no_additional(v) for k, v in node.items()}
        if node.get("type") == "object" and "properties" in node:
            node["additionalProperties"] = False
        if node.get("type") == "array":
            node["maxItems"] = 3
    return node


TEXT = r"^[A-Za-zА-Яа-яЁё0-9][A-Za-zА-Яа-яЁё0-9 ,.+#&«»()-]{0,40}\Z"
VALUES = {  # values a profile accepts, per field name
    "url": {"type": "string", "pattern": r"^https://[a-z]{1,10}\.example\.com(/[a-z0-9]{0,8})?\Z"},
    "email": {
        "type": "string",
        "pattern": r"^[a-z]{1,8}(\.[a-z]{1,5})?@[a-z]{1,8}\.example\.(com|ru)\Z",
    },
    "image": {"type": "string", "pattern": r"^https://img\.example\.com/[a-z]{1,8}\.png\Z"},
    "phone": {
        "enum": ["+7 916 123-45-67", "+44 20 7183 8750", "+1 (912) 555-4321", "+79161234567"]
    },
    "countryCode": {"enum": ["RU", "ru", "US", "gb", "DE"]},
}
DATE = {"type": "string", "pattern": r"^(199[0-9]|20[01][0-9])(-(0[1-9]|1[0-2]))?\Z"}


def _acceptable(node: Any, name: str = "") -> Any:
    """The official schema with values QH's rules accept (real past dates, http URLs,
    valid phones and countries, text without control characters) and QH's required fields."""
    if isinstance(node, dict):
        if node.get("$ref") == "#/definitions/iso8601":
            return DATE
        if name in VALUES and node.get("type") == "string":
            return VALUES[name]
        node = {
            k: (
                {p: _acceptable(v, p) for p, v in node[k].items()}
                if k == "properties"
                else _acceptable(v, k)
            )
            for k, v in node.items()
        }
        if node.get("type") == "string" and "pattern" not in node:
            node["pattern"] = TEXT
    return node


def _required(schema: dict[str, Any]) -> dict[str, Any]:
    for qh, (jr, mapping) in SECTIONS.items():
        names = {q: j for j, q in mapping.items()}
        schema["properties"][jr]["items"]["required"] = [names[f] for f in REQUIRED[qh]]
    return schema


def _dates_in_order(document: dict[str, Any]) -> dict[str, Any]:
    """End ≥ start is a rule of QH (a document breaking it is refused, not mangled)."""
    for key in ("work", "volunteer", "education", "projects"):
        for item in document.get(key) or []:
            start, end = item.get("startDate"), item.get("endDate")
            if start and end and end[: len(start)] < start[: len(end)]:
                item["startDate"], item["endDate"] = end, start
    return document


OFFICIAL = _no_additional(copy.deepcopy(SCHEMA))
ACCEPTABLE = _required(_acceptable(copy.deepcopy(OFFICIAL)))
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)


def _round_trip(user: Any, document: dict[str, Any]) -> tuple[int, Any]:
    r = anyio.from_thread.run(
        lambda: user.post("/me/import?format=jsonresume&mode=replace", json=document)
    )
    if r.status_code != 200:
        return r.status_code, r.json()
    exported = anyio.from_thread.run(lambda: user.get("/me/export?format=jsonresume")).json()
    exported.pop("$schema")
    exported.pop("meta")
    return 200, exported


def _check(user: Any, strategy: Any, *, must_import: bool) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(document=strategy)
    def check(document: dict[str, Any]) -> None:
        assert not list(VALIDATOR.iter_errors(document))
        status, body = _round_trip(user, document)
        if not must_import and status == 422:
            assert body["errors"], body  # refused for a value a profile cannot hold
            return
        assert status == 200, (document, body)
        assert body == normalised(document), document

    check()


async def test_documents_with_acceptable_values_round_trip(alice) -> None:
    strategy = from_schema(ACCEPTABLE).map(_dates_in_order)
    await anyio.to_thread.run_sync(lambda: _check(alice, strategy, must_import=True))


async def test_any_schema_valid_document_round_trips_or_is_refused_whole(alice) -> None:
    await anyio.to_thread.run_sync(lambda: _check(alice, from_schema(OFFICIAL), must_import=False))


def test_the_text_pattern_is_text_a_profile_accepts() -> None:
    strings = st.from_regex(TEXT)

    @settings(max_examples=50, database=None, derandomize=True)
    @given(value=strings)
    def check(value: str) -> None:
        assert text_problem(value, multiline=False) is None

    check()
