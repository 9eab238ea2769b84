"""docker-compose.yml: valid for Compose, and every existing service has its app, its
daprd sidecar and its one-shot migration (built from the one Dockerfile with
SERVICE=<slug>), a database, a scrape target and a route."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Any

import pytest
from deploy_support import DOCKERFILE, REPO, load_values, load_yaml, system_packages_needed

COMPOSE_FILE = REPO / "docker-compose.yml"
DEPLOY = REPO / "deploy" / "compose"


def volume_source(volume: str) -> str:
    """The host side of a short-syntax volume: ./a/${X:-b}:/target:ro -> ./a/${X:-b}."""
    return volume.removesuffix(":ro").rsplit(":", 1)[0]


def compose_command() -> list[str] | None:
    """`docker compose` when the plugin answers, else the standalone `docker-compose`."""
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run(
            [docker, "compose", "version"], capture_output=True, text=True, timeout=30, check=False
        )
        if probe.returncode == 0:
            return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone else None


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_yaml(COMPOSE_FILE)


@pytest.fixture(scope="module")
def services(compose) -> dict[str, Any]:
    return compose["services"]


@pytest.mark.parametrize(
    ("env", "args"),
    [({}, []), ({"QH_PUBSUB": "kafka"}, ["--profile", "kafka"])],
    ids=["rabbitmq", "kafka"],
)
def test_compose_config_is_valid(env, args) -> None:
    command = compose_command()
    if command is None:
        if os.environ.get("CI"):
            pytest.fail("neither `docker compose` nor `docker-compose` is installed")
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    result = subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), *args, "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={**os.environ, **env},
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_each_service_has_app_sidecar_and_migration(services, slugs) -> None:
    for slug in slugs:
        database_env = f"QH_{slug.upper().replace('-', '_')}_DATABASE_URL"
        app, sidecar, migrate = (
            services[slug],
            services[f"{slug}-dapr"],
            services[f"{slug}-migrate"],
        )

        args = {"SERVICE": slug}
        if system_packages_needed(slug):
            args["SYSTEM_PACKAGES"] = system_packages_needed(slug)
        assert app["build"] == {"context": ".", "dockerfile": DOCKERFILE, "args": args}, (
            "every image is built from the one Dockerfile with SERVICE=<slug>"
        )
        assert migrate["build"] == app["build"]
        assert app["image"] == migrate["image"] == f"qh-{slug}:dev"
        assert "command" not in app, "the image's CMD is `qh serve <slug>`"
        assert app["environment"]["QH_RUNTIME"] == "dapr"
        assert app["environment"]["QH_PORT"] == "8000"
        assert app["environment"][database_env].endswith("/" + slug.replace("-", "_"))
        assert app["depends_on"][f"{slug}-migrate"] == {
            "condition": "service_completed_successfully"
        }

        assert migrate["command"] == ["qh", "db", "upgrade", slug]
        assert migrate["environment"][database_env] == app["environment"][database_env]
        assert migrate["depends_on"]["postgres"] == {"condition": "service_healthy"}

        assert sidecar["network_mode"] == f"service:{slug}"
        flags = sidecar["command"]
        assert flags[0] == "./daprd"
        assert f"--app-id={slug}" in flags
        assert "--app-port=8000" in flags
        assert "--config=/dapr/config/qh-config.yaml" in flags
        assert "--log-as-json" in flags
        assert {"--resources-path=/dapr/components", "--resources-path=/dapr/pubsub"} <= set(flags)


def test_images_are_built_only_from_the_one_dockerfile(services) -> None:
    for name, service in services.items():
        if "build" in service:
            assert service["build"]["dockerfile"] == DOCKERFILE, name
            assert service["build"]["context"] == ".", name
            assert set(service["build"]["args"]) <= {"SERVICE", "SYSTEM_PACKAGES"}, name
    assert (REPO / DOCKERFILE).is_file()


def test_only_existing_services_are_in_compose(services, slugs) -> None:
    apps = sorted(
        name
        for name, service in services.items()
        if "build" in service and not name.endswith("-migrate")
    )
    assert apps == slugs


def test_sidecars_mount_the_component_folders(services) -> None:
    sidecars = [
        s for s in services.values() if str(s.get("network_mode", "")).startswith("service:")
    ]
    assert sidecars
    for sidecar in sidecars:
        sources = {volume_source(volume) for volume in sidecar["volumes"]}
        assert sources == {
            "./components/common",
            "./components/${QH_PUBSUB:-rabbitmq}",
            "./components/config",
            "./deploy/compose/secrets.json",
        }


def test_mounted_files_exist(services) -> None:
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume_source(volume)
            if source.startswith("./"):
                for broker in ["rabbitmq", "kafka"]:
                    path = REPO / source.replace("${QH_PUBSUB:-rabbitmq}", broker)
                    assert path.exists(), f"{name} mounts missing {path}"


def test_backing_services_are_all_there(services) -> None:
    for name in [
        "postgres",
        "rabbitmq",
        "kafka",
        "redis",
        "minio",
        "minio-bucket",
        "mailpit",
        "prometheus",
        "grafana",
        "gateway",
    ]:
        assert name in services, name
    assert services["kafka"]["profiles"] == ["kafka"]
    assert services["minio-bucket"]["depends_on"]["minio"] == {"condition": "service_healthy"}
    assert "mc mb" in services["minio-bucket"]["command"][0]


def test_postgres_creates_a_database_per_service(services) -> None:
    databases = services["postgres"]["environment"]["QH_DATABASES"].split(",")
    assert sorted(databases) == sorted(
        slug.replace("-", "_") for slug in load_values("values.yaml")["services"]
    )
    assert os.access(DEPLOY / "postgres" / "create-databases.sh", os.X_OK)


def test_prometheus_scrapes_every_service_and_sidecar(slugs) -> None:
    config = load_yaml(DEPLOY / "prometheus.yml")
    targets = {
        job["job_name"]: [t for static in job["static_configs"] for t in static["targets"]]
        for job in config["scrape_configs"]
    }
    assert sorted(targets["qh"]) == sorted(f"{slug}:8000" for slug in slugs)
    assert sorted(targets["dapr"]) == sorted(f"{slug}:9090" for slug in slugs)


def test_grafana_provisions_the_shared_dashboard(services) -> None:
    volumes = services["grafana"]["volumes"]
    assert "./charts/qh/dashboards:/var/lib/grafana/dashboards:ro" in volumes
    datasources = load_yaml(DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml")
    assert datasources["datasources"][0]["url"] == "http://prometheus:9090"
    providers = load_yaml(DEPLOY / "grafana" / "provisioning" / "dashboards" / "qh.yml")
    assert providers["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"


def test_gateway_routes_each_prefix_like_the_ingress() -> None:
    config = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    routes = dict(re.findall(r"~\^(/api/v1/[a-z-]+)\(/\|\$\)\s+([a-z-]+);", config))
    # The web client (prefix /) gets every other path, as the ingress's / rule does.
    root = re.search(r"location / \{[^}]*set \$qh_web ([a-z-]+);", config)
    if root:
        routes["/"] = root.group(1)
    values = load_values("values.yaml")["services"]
    assert routes == {block["prefix"]: slug for slug, block in values.items()}
    assert "rewrite" not in config


def _default(value: str) -> str:
    """``${NAME:-default}`` -> ``default`` (a plain value stays as it is)."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def test_the_services_believe_only_the_gateways_forwarded_address(compose, services, slugs):
    """Per-IP limits (sign-in attempts) must see the browser's address, not nginx's: the
    gateway has a fixed address on a fixed subnet, and it is the one proxy each app trusts."""
    import ipaddress

    subnet = ipaddress.ip_network(
        _default(compose["networks"]["default"]["ipam"]["config"][0]["subnet"])
    )
    gateway = ipaddress.ip_address(
        _default(services["gateway"]["networks"]["default"]["ipv4_address"])
    )
    assert gateway in subnet
    nginx = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx
    for slug in slugs:
        trusted = _default(services[slug]["environment"]["QH_FORWARDED_ALLOW_IPS"]).split(",")
        assert trusted == ["127.0.0.1", str(gateway)], slug
