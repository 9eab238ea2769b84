"""The local Kubernetes loop: kind-config.yaml, the Tiltfile and its helpers."""

from __future__ import annotations

import os
import re

from deploy_support import DOCKERFILE, REPO, load_values, load_yaml, system_packages_needed

TILTFILE = REPO / "Tiltfile"
TILT_HELPER = REPO / "tilt" / "qh.tiltfile"


def tilt_lines() -> list[tuple[str, int, str]]:
    """(slug, port, system_packages) of each qh_service line in the Tiltfile."""
    text = TILTFILE.read_text(encoding="utf-8")
    return [
        (slug, int(port), packages)
        for slug, port, packages in re.findall(
            r"^qh_service\('([a-z0-9-]+)', port=(\d+)(?:, system_packages='([^']*)')?\)",
            text,
            re.M,
        )
    ]


def tilt_services() -> dict[str, int]:
    return {slug: port for slug, port, _ in tilt_lines()}


def test_every_existing_service_has_one_tiltfile_line(slugs) -> None:
    assert sorted(slug for slug, _, _ in tilt_lines()) == slugs


def test_tilt_passes_the_system_packages_a_service_needs() -> None:
    for slug, _, packages in tilt_lines():
        assert packages == system_packages_needed(slug), slug


def test_tilt_builds_every_image_from_the_one_dockerfile() -> None:
    helper = TILT_HELPER.read_text(encoding="utf-8")
    assert f"DOCKERFILE = '{DOCKERFILE}'" in helper
    assert (REPO / DOCKERFILE).is_file()
    (build,) = re.findall(r"docker_build\((.*?)\n    \)", helper, re.S)
    assert "dockerfile=DOCKERFILE," in build
    assert "build_args={'SERVICE': slug, 'SYSTEM_PACKAGES': system_packages}" in build
    assert "target='dev'" in build
    # The build context holds what the Dockerfile copies: manifests, libs, the service.
    assert "only=['pyproject.toml', 'uv.lock', 'libs', 'services/' + slug]" in build
    assert "/Dockerfile" not in helper, "no per-service Dockerfile"


def test_tilt_port_forwards_do_not_collide() -> None:
    ports = list(tilt_services().values())
    assert len(ports) == len(set(ports))
    assert not {80, 443, 5432, 8025, 9001, 15672} & set(ports), "taken by the ingress and infra"


def test_tiltfile_deploys_the_chart_with_the_kind_values() -> None:
    text = TILTFILE.read_text(encoding="utf-8")
    assert "load('./tilt/qh.tiltfile', 'qh_platform', 'qh_service')" in text
    assert "values=['charts/qh/values-kind.yaml']" in text
    assert "allow_k8s_contexts('kind-qh')" in text
    assert load_yaml(REPO / "kind-config.yaml")["name"] == "qh"


def test_tilt_helper_builds_syncs_groups_and_forwards() -> None:
    helper = TILT_HELPER.read_text(encoding="utf-8")
    for needle in [
        "docker_build(",
        "target='dev'",
        "live_update=",
        "fall_back_on(",
        "sync('services/%s/src/qh/%s'",
        "sync('libs/%s/src/qh/%s'",
        "helm(CHART",
        "labels=['services']",
        "labels=['migrations']",
        "labels=['infra']",
        "port_forwards=",
        "resource_deps=",
    ]:
        assert needle in helper, needle


def test_kind_values_leave_the_image_to_tilt() -> None:
    kind = load_values("values-kind.yaml")
    assert kind["image"]["registry"] == "", "Tilt matches and rewrites the bare qh-<slug> image"
    assert kind["migrations"]["helmHook"] is False, "Tilt applies hooks as plain objects"
    assert kind["serviceDefaults"]["readOnlyRootFilesystem"] is False, (
        "live_update writes into the pod"
    )


def test_kind_config_maps_ingress_ports_and_uses_the_local_registry() -> None:
    config = load_yaml(REPO / "kind-config.yaml")
    assert config["kind"] == "Cluster"
    assert config["apiVersion"] == "kind.x-k8s.io/v1alpha4"
    (node,) = config["nodes"]
    assert node["role"] == "control-plane"
    ports = {(m["containerPort"], m["hostPort"]) for m in node["extraPortMappings"]}
    assert {(80, 80), (443, 443)} <= ports
    assert any(
        'node-labels: "ingress-ready=true"' in patch for patch in node["kubeadmConfigPatches"]
    )
    assert any(
        'config_path = "/etc/containerd/certs.d"' in patch
        for patch in config["containerdConfigPatches"]
    )


def test_kind_up_script_wires_registry_cluster_ingress_and_dapr() -> None:
    script = REPO / "tilt" / "kind-up.sh"
    assert os.access(script, os.X_OK)
    text = script.read_text(encoding="utf-8")
    for needle in [
        "kind create cluster --config kind-config.yaml",
        "local-registry-hosting",
        "localhost:${REG_PORT}",
        "REG_PORT=5001",
        "ingress-nginx",
        "dapr init -k",
    ]:
        assert needle in text, needle
