"""charts/qh: lint, render with each values file, validate every manifest, reject bad
values with a clear message, and cover every existing service."""

from __future__ import annotations

import json
from typing import Any

import helm_python as helm
import pytest
from deploy_support import (
    CHART,
    VALUES_FILES,
    enabled_slugs,
    existing_slugs,
    find,
    kinds,
    load_values,
)

# The public prefix of every planned service (DESIGN.md, "Services").
DESIGN_PREFIXES = {
    "auth": "/api/v1/auth",
    "user-data": "/api/v1/profile",
    "job-data": "/api/v1/vacancies",
    "text-analysis": "/api/v1/analysis",
    "resume-generation": "/api/v1/resumes",
    "cover-letters": "/api/v1/cover-letters",
    "notification": "/api/v1/notifications",
    "doc-storage": "/api/v1/documents",
    "web": "/",
}
DAPR_DEFAULT_GRACEFUL_SHUTDOWN_SECONDS = 5
# Kubernetes objects each enabled service gets with the production values.
SERVICE_KINDS = [
    "Deployment",
    "Service",
    "ServiceAccount",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "NetworkPolicy",
]


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    return {item["name"]: item.get("value", item.get("valueFrom")) for item in container["env"]}


@pytest.mark.parametrize("values_file", VALUES_FILES)
def test_helm_lint_strict(values_file: str) -> None:
    report = helm.lint(CHART, load_values(values_file), strict=True, namespace="qh")
    problems = [m for m in report["messages"] if m["severity"] >= 2] + report["errors"]
    assert report["total_charts_linted"] == 1
    assert problems == []


@pytest.mark.parametrize("values_file", VALUES_FILES)
def test_every_rendered_manifest_is_valid(values_file, render, validate_manifest) -> None:
    manifests = render(values_file)
    assert manifests
    problems = [p for manifest in manifests for p in validate_manifest(manifest)]
    assert problems == []
    for manifest in manifests:
        assert manifest["metadata"]["namespace"] == "qh", manifest["metadata"]["name"]


def test_kafka_pubsub_renders_valid_manifests(render, validate_manifest) -> None:
    for values_file in VALUES_FILES:
        manifests = render(values_file, {"pubsub": {"kind": "kafka"}})
        assert find(manifests, "Component", "pubsub")["spec"]["type"] == "pubsub.kafka"
        assert [p for m in manifests for p in validate_manifest(m)] == []


def test_validator_is_not_vacuous(render, validate_manifest) -> None:
    deployment = next(m for m in render("values-prod.yaml") if m["kind"] == "Deployment")
    deployment["spec"]["replica"] = 3  # a typo strict validation must catch
    component = find(render(), "Component", "pubsub")
    component["spec"]["metdata"] = []
    assert validate_manifest(deployment)
    assert validate_manifest(component)
    assert validate_manifest(
        {"apiVersion": "example.com/v1", "kind": "Unknown", "metadata": {"name": "x"}}
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"pubsub": {"kind": "nats"}}, "/pubsub/kind"),
        ({"services": {"auth": {"prefix": "api/auth"}}}, "/services/auth/prefix"),
        ({"services": {"Auth_Service": {"enabled": True, "prefix": "/api/v1/x"}}}, "Auth_Service"),
        ({"services": {"auth": {"replicas": "two"}}}, "/services/auth/replicas"),
        (
            {"resiliency": {"retries": {"delivery": {"policy": "exponential", "maxRetries": -1}}}},
            "/resiliency/retries/delivery/maxRetries",
        ),
        ({"image": {"pullPolicy": "Sometimes"}}, "/image/pullPolicy"),
        ({"publicBaseUrl": "https://qh.example.com/"}, "/publicBaseUrl"),
        ({"serviceDefaults": {"components": ["statestore"]}}, "/serviceDefaults/components"),
        ({"dapr": {"gracefulShutdownSeconds": 5}}, "/dapr/gracefulShutdownSeconds"),
        ({"servicez": {}}, "servicez"),
        ({"trustedProxies": ["0.0.0.0/0"]}, "/trustedProxies/0"),
        ({"trustedProxies": []}, "/trustedProxies"),
    ],
)
def test_schema_rejects_a_wrong_value_with_a_clear_message(chart, overrides, message) -> None:
    with pytest.raises(helm.HelmValuesError) as raised:
        chart.render(values=overrides, name="qh", namespace="qh")
    text = str(raised.value)
    assert "values don't meet the specifications of the schema" in text
    assert message in text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"serviceDefaults": {"terminationGracePeriodSeconds": 20}},
            "terminationGracePeriodSeconds (20) must be longer than dapr.gracefulShutdownSeconds",
        ),
        (
            {"services": {"user-data": {"prefix": "/api/v1/auth"}}},
            "prefix /api/v1/auth is already used",
        ),
        (
            {
                "secrets": {"create": True, "database": {"password": "x"}},
                "services": {"auth": {"devSecrets": {"auth-unlisted-secret": "k"}}},
            },
            "services.auth.devSecrets.auth-unlisted-secret: not listed in services.auth.secretNames",
        ),
        (
            {"pubsub": {"rabbitmq": {"connectionStringSecret": {"name": ""}}}},
            "pubsub.rabbitmq.connectionString or pubsub.rabbitmq.connectionStringSecret.name",
        ),
    ],
)
def test_inconsistent_values_fail_with_a_clear_message(chart, overrides, message) -> None:
    with pytest.raises(helm.HelmRenderError) as raised:
        chart.render(values=overrides, name="qh", namespace="qh")
    assert message in str(raised.value)


def test_values_cover_the_planned_services_with_their_design_prefixes() -> None:
    services = load_values("values.yaml")["services"]
    assert {slug: block["prefix"] for slug, block in services.items()} == DESIGN_PREFIXES


def test_every_existing_service_has_an_enabled_values_block(slugs) -> None:
    services = load_values("values.yaml")["services"]
    missing = [slug for slug in slugs if not services.get(slug, {}).get("enabled")]
    assert missing == [], "add an enabled block under services.<slug> in charts/qh/values.yaml"


def test_only_existing_services_are_enabled() -> None:
    assert enabled_slugs() == existing_slugs(), (
        "an enabled service must have services/<slug>/pyproject.toml"
    )


@pytest.mark.parametrize("values_file", VALUES_FILES)
def test_each_service_gets_its_objects_and_dapr_sidecar(values_file, render) -> None:
    slugs = enabled_slugs()
    manifests = render(values_file)
    values = load_values("values.yaml")
    overrides = load_values(values_file)
    grace = overrides.get("dapr", {}).get(
        "gracefulShutdownSeconds", values["dapr"]["gracefulShutdownSeconds"]
    )
    assert grace > DAPR_DEFAULT_GRACEFUL_SHUTDOWN_SECONDS
    for slug in slugs:
        deployment = find(manifests, "Deployment", slug)
        pod = deployment["spec"]["template"]
        annotations = pod["metadata"]["annotations"]
        assert annotations["dapr.io/enabled"] == "true"
        assert annotations["dapr.io/app-id"] == slug
        assert annotations["dapr.io/app-port"] == "8000"
        assert annotations["dapr.io/config"] == "qh-config"
        assert annotations["dapr.io/log-as-json"] == "true"
        assert int(annotations["dapr.io/graceful-shutdown-seconds"]) == grace
        assert pod["spec"]["terminationGracePeriodSeconds"] > grace
        assert pod["spec"]["serviceAccountName"] == slug
        assert pod["spec"]["securityContext"]["runAsNonRoot"] is True

        (container,) = pod["spec"]["containers"]
        assert container["image"].split("/")[-1].startswith(f"qh-{slug}:")
        assert container["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
        assert container["startupProbe"]["httpGet"]["path"] == "/health/live"
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        assert container["resources"]["requests"]
        assert container["resources"]["limits"]
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        env = env_of(container)
        assert env["QH_RUNTIME"] == "dapr"
        assert env["QH_PORT"] == "8000"
        assert env["QH_LOG_FORMAT"] == "json"
        assert env["QH_DAPR_PUBSUB"] == "pubsub"
        assert env["QH_DAPR_SECRET_STORE"] == "secretstore"
        assert env["QH_AUTH_ISSUER"] == env["QH_PUBLIC_BASE_URL"] + "/api/v1/auth"
        assert env["QH_ENV"] == ("dev" if values_file == "values-kind.yaml" else "prod")
        database_env = f"QH_{slug.upper().replace('-', '_')}_DATABASE_URL"
        assert env[database_env] == {"secretKeyRef": {"name": slug, "key": "database-url"}}

        service = find(manifests, "Service", slug)
        assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
        find(manifests, "ServiceAccount", slug)

        job = find(manifests, "Job", f"{slug}-migrate")
        (migrate,) = job["spec"]["template"]["spec"]["containers"]
        assert migrate["command"] == ["qh", "db", "upgrade", slug]
        assert migrate["image"] == container["image"]
        assert env_of(migrate)[database_env] == env[database_env]


def test_numbers_render_as_plain_integers(render) -> None:
    overrides = {
        "env": {"QH_MAX_BODY_SIZE": 10485760, "QH_RATIO": 0.5},
        "pubsub": {"kind": "kafka", "kafka": {"maxMessageBytes": 4194304}},
    }
    manifests = render(None, overrides)
    deployment = next(m for m in manifests if m["kind"] == "Deployment")
    env = env_of(deployment["spec"]["template"]["spec"]["containers"][0])
    assert env["QH_MAX_BODY_SIZE"] == "10485760"
    assert env["QH_RATIO"] == "0.5"
    pubsub = find(manifests, "Component", "pubsub")
    items = {item["name"]: item.get("value") for item in pubsub["spec"]["metadata"]}
    assert items["maxMessageBytes"] == "4194304"


def test_production_has_autoscaling_budgets_policies_and_hooks(render) -> None:
    slugs = enabled_slugs()
    manifests = render("values-prod.yaml")
    for slug in slugs:
        for kind in SERVICE_KINDS:
            find(manifests, kind, slug)
        deployment = find(manifests, "Deployment", slug)
        assert "replicas" not in deployment["spec"], "the HPA owns the replica count"
        hpa = find(manifests, "HorizontalPodAutoscaler", slug)
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": slug,
        }
        job = find(manifests, "Job", f"{slug}-migrate")
        assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
        policy = find(manifests, "NetworkPolicy", slug)
        assert (
            policy["spec"]["podSelector"]["matchLabels"]
            == deployment["spec"]["selector"]["matchLabels"]
        )
    assert "ServiceMonitor" in {m["kind"] for m in manifests}
    assert not kinds(manifests, "Secret"), "production Secrets come from outside the chart"


def test_kind_values_make_a_self_contained_dev_cluster(render) -> None:
    slugs = enabled_slugs()
    manifests = render("values-kind.yaml")
    for name in ["postgres", "rabbitmq", "redis", "minio", "mailpit"]:
        find(manifests, "Deployment", name)
    init_sql = find(manifests, "ConfigMap", "postgres-init")["data"]["01-databases.sql"]
    for slug in load_values("values.yaml")["services"]:
        assert f"CREATE DATABASE {slug.replace('-', '_')};" in init_sql
    for slug in slugs:
        secret = find(manifests, "Secret", slug)
        assert secret["stringData"]["database-url"].endswith("/" + slug.replace("-", "_"))
        job = find(manifests, "Job", f"{slug}-migrate")
        assert "annotations" not in job["metadata"], "Tilt orders the Job itself; no Helm hook"
        assert "HorizontalPodAutoscaler" not in {m["kind"] for m in manifests}


def test_ingress_routes_each_prefix_to_its_service_unchanged(render) -> None:
    slugs = enabled_slugs()
    services = load_values("values.yaml")["services"]
    for values_file in VALUES_FILES:
        ingress = find(render(values_file), "Ingress", "qh")
        assert "nginx.ingress.kubernetes.io/rewrite-target" not in ingress["metadata"].get(
            "annotations", {}
        )
        (rule,) = ingress["spec"]["rules"]
        routes = {p["path"]: p["backend"]["service"]["name"] for p in rule["http"]["paths"]}
        assert all(p["pathType"] == "Prefix" for p in rule["http"]["paths"])
        assert routes == {services[slug]["prefix"]: slug for slug in slugs}


def test_grafana_dashboard_configmap_is_the_shared_dashboard(render) -> None:
    configmap = find(render("values-prod.yaml"), "ConfigMap", "qh-grafana-dashboard")
    shipped = json.loads((CHART / "dashboards" / "qh-overview.json").read_text(encoding="utf-8"))
    assert json.loads(configmap["data"]["qh-overview.json"]) == shipped
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"


def test_dashboard_shows_requests_latency_errors_and_events() -> None:
    dashboard = json.loads((CHART / "dashboards" / "qh-overview.json").read_text(encoding="utf-8"))
    expressions = " ".join(
        target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])
    )
    for metric in [
        "qh_http_requests_total",
        "qh_http_request_duration_seconds_bucket",
        'status=~"5.."',
        "qh_events_published_total",
        "qh_events_consumed_total",
        "qh_events_dead_lettered_total",
    ]:
        assert metric in expressions
    assert "by (service" in expressions


@pytest.mark.parametrize("values_file", VALUES_FILES)
def test_every_service_trusts_forwarded_headers_only_from_the_ingress(values_file, render) -> None:
    """uvicorn believes X-Forwarded-For only from ``trustedProxies`` (the ingress
    controller's pods), so per-IP limits see the client behind the ingress."""
    values = load_values("values.yaml")
    expected = ",".join(load_values(values_file).get("trustedProxies", values["trustedProxies"]))
    assert "10.244.0.0/16" in values["trustedProxies"]  # kind's pod network by default
    manifests = render(values_file)
    for slug in enabled_slugs():
        pod = find(manifests, "Deployment", slug)["spec"]["template"]["spec"]
        container = next(c for c in pod["containers"] if c["name"] == slug)
        assert env_of(container)["QH_FORWARDED_ALLOW_IPS"] == expected


def test_trusted_proxies_are_set_from_values(render) -> None:
    manifests = render(None, {"trustedProxies": ["10.42.0.0/16", "192.168.1.10"]})
    for slug in enabled_slugs():
        pod = find(manifests, "Deployment", slug)["spec"]["template"]["spec"]
        container = next(c for c in pod["containers"] if c["name"] == slug)
        assert env_of(container)["QH_FORWARDED_ALLOW_IPS"] == "10.42.0.0/16,192.168.1.10"
