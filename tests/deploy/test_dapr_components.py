"""Dapr components: compose (components/) and the chart define the same components,
under the same names, scoped to the same app-ids, with the same policies; only the
specs that must differ per environment (secret store type, broker address) do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from deploy_support import REPO, Manifest, enabled_slugs, existing_slugs, find, load_yaml

COMPONENTS = REPO / "components"
BROKERS = ["rabbitmq", "kafka"]
DAPR_KINDS = {"Component", "Configuration", "Resiliency"}
# Secret store and broker connection are the parts allowed to differ between the two.
ENVIRONMENT_SPECIFIC = {("secretstore", "type"), ("pubsub", "connectionString")}


def compose_resources(broker: str) -> list[Manifest]:
    """What a compose sidecar loads: components/common, the broker's folder and the
    Configuration passed with --config."""
    files = [
        *sorted((COMPONENTS / "common").glob("*.yaml")),
        *sorted((COMPONENTS / broker).glob("*.yaml")),
        COMPONENTS / "config" / "qh-config.yaml",
    ]
    return [load_yaml(path) for path in files]


def chart_resources(render, broker: str) -> list[Manifest]:
    return [m for m in render(None, {"pubsub": {"kind": broker}}) if m["kind"] in DAPR_KINDS]


def identity(resources: list[Manifest]) -> dict[tuple[str, str], list[str] | None]:
    return {(r["kind"], r["metadata"]["name"]): r.get("scopes") for r in resources}


def metadata_items(component: Manifest) -> dict[str, Any]:
    return {
        item["name"]: item.get("value", item.get("secretKeyRef"))
        for item in component["spec"]["metadata"]
    }


@pytest.mark.parametrize("broker", BROKERS)
def test_compose_components_are_valid(broker, validate_manifest) -> None:
    problems = [p for resource in compose_resources(broker) for p in validate_manifest(resource)]
    assert problems == []


def test_component_files_sit_where_the_sidecars_load_them() -> None:
    folders = {path.parent.name for path in COMPONENTS.rglob("*.yaml")}
    assert folders == {"common", "config", *BROKERS}
    for broker in BROKERS:
        (pubsub,) = [load_yaml(p) for p in (COMPONENTS / broker).glob("*.yaml")]
        assert pubsub["metadata"]["name"] == "pubsub"
        assert pubsub["spec"]["type"] == f"pubsub.{broker}"


@pytest.mark.parametrize("broker", BROKERS)
def test_names_and_scopes_equal_the_charts(broker, render) -> None:
    assert identity(compose_resources(broker)) == identity(chart_resources(render, broker))


@pytest.mark.parametrize("broker", BROKERS)
def test_pubsub_settings_equal_the_charts(broker, render) -> None:
    compose = find(compose_resources(broker), "Component", "pubsub")
    chart = find(chart_resources(render, broker), "Component", "pubsub")
    assert compose["spec"]["type"] == chart["spec"]["type"]
    compose_items, chart_items = metadata_items(compose), metadata_items(chart)
    assert compose_items.keys() == chart_items.keys()
    for name in compose_items:
        if ("pubsub", name) not in ENVIRONMENT_SPECIFIC:
            assert compose_items[name] == chart_items[name], name


def test_rabbitmq_delivery_is_durable_confirmed_and_bounded() -> None:
    items = metadata_items(find(compose_resources("rabbitmq"), "Component", "pubsub"))
    assert items["durable"] == "true"
    assert items["deletedWhenUnused"] == "false"
    assert items["autoAck"] == "false"
    assert items["deliveryMode"] == "2"
    assert items["publisherConfirm"] == "true"
    assert 0 < int(items["prefetchCount"]) <= 1000
    assert items["enableDeadLetter"] == "true"


def test_secret_store_is_kubernetes_in_the_chart_and_a_file_in_compose(render) -> None:
    chart = find(chart_resources(render, "rabbitmq"), "Component", "secretstore")
    compose = find(compose_resources("rabbitmq"), "Component", "secretstore")
    assert chart["spec"]["type"] == "secretstores.kubernetes"
    assert compose["spec"]["type"] == "secretstores.local.file"


@pytest.mark.parametrize(
    "kind_name", [("Resiliency", "qh-resiliency"), ("Configuration", "qh-config")]
)
def test_policies_and_configuration_equal_the_charts(kind_name, render) -> None:
    kind, name = kind_name
    compose = find(compose_resources("rabbitmq"), kind, name)
    chart = find(chart_resources(render, "rabbitmq"), kind, name)
    assert compose["spec"] == chart["spec"]


@pytest.mark.parametrize("source", ["compose", "chart"])
def test_resiliency_is_finite_and_complete(source, render) -> None:
    resources = (
        compose_resources("rabbitmq")
        if source == "compose"
        else chart_resources(render, "rabbitmq")
    )
    spec = find(resources, "Resiliency", "qh-resiliency")["spec"]
    policies, targets = spec["policies"], spec["targets"]
    for name, retry in policies["retries"].items():
        assert 0 <= retry["maxRetries"] <= 100, f"retry policy {name} must be finite"
    assert policies["circuitBreakers"], "circuit breakers are part of the contract"
    references = [*targets["apps"].values()]
    for component in targets["components"].values():
        references += component.values()
    for reference in references:
        assert reference.get("timeout", next(iter(policies["timeouts"]))) in policies["timeouts"]
        assert reference.get("retry", next(iter(policies["retries"]))) in policies["retries"]
        breaker = reference.get("circuitBreaker")
        assert breaker is None or breaker in policies["circuitBreakers"]
    inbound = targets["components"]["pubsub"]["inbound"]
    assert "retry" in inbound, "event delivery is retried, then dead-lettered"
    assert set(targets["apps"]) >= set(enabled_slugs())


def test_every_service_is_in_scope() -> None:
    for broker in BROKERS:
        for resource in compose_resources(broker):
            if "scopes" in resource:
                missing = set(existing_slugs()) - set(resource["scopes"])
                assert not missing, f"{resource['metadata']['name']} does not scope {missing}"


def test_the_secret_file_is_flat_name_to_value() -> None:
    secrets = load_yaml(REPO / "deploy" / "compose" / "secrets.json")
    assert isinstance(secrets, dict)
    assert all(isinstance(value, str) for value in secrets.values())


def test_configuration_is_not_in_a_resources_path() -> None:
    # daprd takes a Configuration only through --config in self-hosted mode.
    for folder in ["common", *BROKERS]:
        for path in Path(COMPONENTS / folder).glob("*.yaml"):
            assert load_yaml(path)["kind"] != "Configuration", path
