"""Helpers for the deployment checks (tests/deploy): paths, the existing services,
values files and manifest lookups. Nothing here touches a network, a Docker engine or
a cluster, and no service code is imported."""

from __future__ import annotations

import copy
import functools
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate.utils as kubernetes_validate
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts" / "qh"
VALUES_FILES = ["values.yaml", "values-kind.yaml", "values-prod.yaml"]
SCHEMAS = Path(__file__).resolve().parent / "schemas"
# The one Dockerfile every service's image is built from (build argument SERVICE=<slug>),
# relative to the repository root, which is the build context.
DOCKERFILE = "Dockerfile"

# Custom resources the Kubernetes schemas do not know, validated against the schemas
# shipped in tests/deploy/schemas. Any other kind without a Kubernetes schema fails.
CRD_SCHEMAS = {
    ("dapr.io/v1alpha1", "Component"): "dapr-component.schema.json",
    ("dapr.io/v1alpha1", "Configuration"): "dapr-configuration.schema.json",
    ("dapr.io/v1alpha1", "Resiliency"): "dapr-resiliency.schema.json",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "servicemonitor.schema.json",
}

# The Kubernetes versions manifests must be valid for: the chart's floor
# (Chart.yaml kubeVersion) and the newest schema kubernetes-validate ships.
KUBERNETES_VERSIONS = ["1.29.0", kubernetes_validate.latest_version()]

Manifest = dict[str, Any]
Render = Callable[..., list[Manifest]]


def load_toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def service_entry_points(slug: str) -> dict[str, str]:
    """The `qh.services` entry points services/<slug>/pyproject.toml declares."""
    pyproject = REPO / "services" / slug / "pyproject.toml"
    if not pyproject.is_file():
        return {}
    project = load_toml(pyproject).get("project", {})
    return dict(project.get("entry-points", {}).get("qh.services", {}))


def existing_slugs() -> list[str]:
    """A service exists, and must be deployed, once services/<slug>/pyproject.toml
    declares a `qh.services` entry point (what `qh serve <slug>` finds). A folder
    still without one (a service being written) is not required anywhere yet."""
    return sorted(
        path.parent.name
        for path in (REPO / "services").glob("*/pyproject.toml")
        if service_entry_points(path.parent.name)
    )


@functools.cache
def locked_packages() -> dict[str, Any]:
    """uv.lock's packages by name, parsed once per test run (the lock is large)."""
    return {entry["name"]: entry for entry in load_toml(REPO / "uv.lock")["package"]}


def locked_dependencies(package: str) -> set[str]:
    """Every package `package` needs at run time in uv.lock (its dependencies and
    theirs, without dev groups), by normalised name."""
    locked = locked_packages()
    seen: set[tuple[str, str]] = set()
    pending: list[tuple[str, str]] = [(package, "")]
    while pending:
        name, extra = pending.pop()
        entry = locked.get(name, {})
        if extra:
            dependencies = entry.get("optional-dependencies", {}).get(extra, [])
        else:
            dependencies = entry.get("dependencies", [])
        for dependency in dependencies:
            for wanted in ["", *dependency.get("extra", [])]:
                if (dependency["name"], wanted) not in seen:
                    seen.add((dependency["name"], wanted))
                    pending.append((dependency["name"], wanted))
    return {name for name, _ in seen}


def system_packages_needed(slug: str) -> str:
    """The SYSTEM_PACKAGES the service's image must be built with: `weasyprint` when
    qh-<slug> depends on WeasyPrint (directly or through a library), else none."""
    return "weasyprint" if "weasyprint" in locked_dependencies(f"qh-{slug}") else ""


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_values(name: str) -> dict[str, Any]:
    return load_yaml(CHART / name) or {}


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def find(manifests: list[Manifest], kind: str, name: str) -> Manifest:
    matches = [m for m in manifests if m["kind"] == kind and m["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind}/{name}, found {len(matches)}"
    return matches[0]


def kinds(manifests: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {m["metadata"]["name"]: m for m in manifests if m["kind"] == kind}


def enabled_slugs(values_file: str = "values.yaml") -> list[str]:
    """Services the chart deploys by default (tests check these equal existing_slugs())."""
    services = load_values(values_file)["services"]
    return sorted(slug for slug, block in services.items() if block.get("enabled"))
