"""Fixtures for the deployment checks: the chart rendered offline, the existing
services and a manifest validator. Helpers shared with the test modules live in
deploy_support.py, put on sys.path here."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import helm_python as helm
import jsonschema
import kubernetes_validate.utils as kubernetes_validate
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from deploy_support import (
    CHART,
    CRD_SCHEMAS,
    KUBERNETES_VERSIONS,
    SCHEMAS,
    Manifest,
    Render,
    deep_merge,
    existing_slugs,
    load_values,
)


@pytest.fixture(scope="session")
def slugs() -> list[str]:
    return existing_slugs()


@pytest.fixture(scope="session")
def chart() -> Iterator[helm.Chart]:
    with helm.Chart.load(CHART) as loaded:
        yield loaded


@pytest.fixture(scope="session")
def render(chart: helm.Chart) -> Render:
    """render(values_file=None, overrides=None) -> the manifests `helm template` would
    print for release `qh` in namespace `qh` (NOTES.txt left out). Cached per input."""
    cache: dict[str, list[Manifest]] = {}

    def _render(
        values_file: str | None = None, overrides: dict[str, Any] | None = None
    ) -> list[Manifest]:
        key = json.dumps([values_file, overrides], sort_keys=True)
        if key not in cache:
            values = load_values(values_file) if values_file else {}
            values = deep_merge(values, overrides or {})
            rendered = chart.render(values=values, name="qh", namespace="qh", is_install=True)
            manifests = []
            for template, text in sorted(rendered.items()):
                if template.endswith("NOTES.txt"):
                    continue
                for document in yaml.safe_load_all(text):
                    if document:
                        document.setdefault("__template__", template)
                        manifests.append(document)
            cache[key] = manifests
        return [{k: v for k, v in m.items() if k != "__template__"} for m in cache[key]]

    return _render


def _crd_validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@pytest.fixture(scope="session")
def validate_manifest() -> Iterator[Callable[[Manifest], list[str]]]:
    """Returns the problems of one manifest (empty when valid): Kubernetes kinds with
    kubernetes-validate in strict mode for every version in KUBERNETES_VERSIONS, the
    CRDs in CRD_SCHEMAS against the shipped schemas, anything else is a problem.

    kubernetes-validate reads and parses its schema files (the definitions alone are over
    a megabyte) on every call; here each file is parsed once per session, and the same
    validation runs on the parsed schema."""
    crd_validators = {key: _crd_validator(name) for key, name in CRD_SCHEMAS.items()}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            kubernetes_validate,
            "schema_contents",
            functools.cache(kubernetes_validate.schema_contents),
        )
        yield _manifest_validator(crd_validators)


def _manifest_validator(
    crd_validators: dict[tuple[str, str], jsonschema.protocols.Validator],
) -> Callable[[Manifest], list[str]]:

    def _validate(manifest: Manifest) -> list[str]:
        where = f"{manifest.get('kind')}/{manifest.get('metadata', {}).get('name')}"
        key = (manifest.get("apiVersion"), manifest.get("kind"))
        if key in crd_validators:
            return [
                f"{where}: {'/'.join(map(str, error.absolute_path))}: {error.message}"
                for error in crd_validators[key].iter_errors(manifest)
            ]
        problems = []
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(manifest, version, strict=True)
            except kubernetes_validate.SchemaNotFoundError as error:
                problems.append(f"{where}: no schema ({error.message}); add one to CRD_SCHEMAS")
            except kubernetes_validate.ValidationError as error:
                path = "/".join(map(str, error.absolute_path))
                problems.append(f"{where} (k8s {version}): {path}: {error.message}")
        return problems

    return _validate
