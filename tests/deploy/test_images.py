"""Dockerfiles: one per existing service, following the image rules (built from the
repo root, multi-stage with uv, locked dependency layer first, slim non-root runtime
with WeasyPrint's libraries, a health check and `qh serve <slug>`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pytest
from deploy_support import REPO, existing_slugs

WEASYPRINT_LIBRARIES = [
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "libharfbuzz0b",
    "libfontconfig1",
    "shared-mime-info",
]
ROOT_USERS = {"root", "0", "0:0", "root:root"}


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [arguments for instruction, arguments in self.instructions if instruction == keyword]


def parse(text: str) -> tuple[dict[str, str], list[Stage]]:
    """Global ARGs and the stages of a Dockerfile (continuations joined, comments dropped)."""
    logical, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in logical:
        instruction, _, arguments = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            match = re.fullmatch(
                r"(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", arguments.strip(), re.IGNORECASE
            )
            assert match, line
            base = re.sub(
                r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), match.group(1)
            )
            stages.append(Stage(base=base, name=match.group(2)))
        elif not stages and instruction == "ARG":
            name, _, default = arguments.partition("=")
            args[name.strip()] = default.strip()
        else:
            stages[-1].instructions.append((instruction, arguments.strip()))
    return args, stages


def dockerfile_problems(text: str, slug: str) -> list[str]:
    problems: list[str] = []
    _, stages = parse(text)
    by_name = {stage.name: stage for stage in stages if stage.name}
    if len(stages) < 2:
        return ["not multi-stage"]

    uv_bases = [s.base for s in stages if s.base.startswith("ghcr.io/astral-sh/uv:")]
    installs_uv_with_pip = any(
        "pip install" in run and "uv" in run for s in stages for run in s.all("RUN")
    )
    if not uv_bases and not installs_uv_with_pip:
        problems.append("uv comes neither from ghcr.io/astral-sh/uv nor from pip")
    if any(base.endswith(":latest") or base.count(":") == 0 for base in uv_bases):
        problems.append("the uv image is not pinned")

    syncs = [
        (i, s, run)
        for s in stages
        for i, (kw, run) in enumerate(s.instructions)
        if kw == "RUN" and "uv sync" in run
    ]
    if len(syncs) < 2:
        problems.append("expected a dependency `uv sync` and a project `uv sync`")
    for _, _, run in syncs:
        for flag in ["--frozen", "--no-editable", f"--package qh-{slug}"]:
            if flag not in run:
                problems.append(f"`uv sync` without {flag}")
    if syncs:
        first_index, builder, first_run = syncs[0]
        if "--no-install-workspace" not in first_run:
            problems.append(
                "the first `uv sync` must install dependencies only (--no-install-workspace)"
            )
        copies = builder.all("COPY")
        source_copy = next(
            (c for c in copies if re.fullmatch(rf"services/{slug}\s+services/{slug}/?", c)), None
        )
        if source_copy is None:
            problems.append(f"the builder never copies services/{slug}")
        else:
            copy_index = builder.instructions.index(("COPY", source_copy))
            if copy_index < first_index:
                problems.append("the service source is copied before the dependency layer")
        allowed = {
            "pyproject.toml",
            "uv.lock",
            "libs",
            f"services/{slug}",
            f"services/{slug}/pyproject.toml",
        }
        for copy in copies:
            if copy.startswith("--from="):
                continue
            sources = copy.split()[:-1]
            if not set(sources) <= allowed:
                problems.append(
                    f"copies more than the workspace manifests, libs and the service: {copy}"
                )

    runtime = by_name.get("runtime")
    if runtime is None:
        return [*problems, "no stage named runtime"]
    if "slim" not in runtime.base:
        problems.append(f"runtime base {runtime.base} is not a slim image")
    installed = " ".join(runtime.all("RUN"))
    problems += [f"runtime lacks {lib}" for lib in WEASYPRINT_LIBRARIES if lib not in installed]
    users = runtime.all("USER")
    if not users or users[-1] in ROOT_USERS or users[-1].split(":")[0] in {"root", "0"}:
        problems.append("runtime does not switch to a non-root USER")
    healthchecks = runtime.all("HEALTHCHECK")
    if not healthchecks or "/health/live" not in healthchecks[-1]:
        problems.append("runtime has no HEALTHCHECK on /health/live")
    elif "curl" in healthchecks[-1] or "wget" in healthchecks[-1]:
        problems.append("the HEALTHCHECK needs curl/wget; use python's urllib")
    commands = runtime.all("CMD")
    if not commands or not commands[-1].startswith("["):
        problems.append("runtime CMD is not in exec (JSON) form")
    elif json.loads(commands[-1]) != ["qh", "serve", slug]:
        problems.append(f'runtime CMD is not ["qh", "serve", "{slug}"]')
    if any("uv" in copy.split()[0] for copy in runtime.all("COPY") if copy.startswith("--from=uv")):
        problems.append("uv is copied into the runtime image")

    final = stages[-1]
    if final is not runtime and final.base != "runtime":
        problems.append("the last (default) stage is not the runtime image")
    if final is not runtime and final.all("USER") and final.all("USER")[-1] in ROOT_USERS:
        problems.append("the final stage runs as root")
    return problems


def test_every_existing_service_has_a_dockerfile(slugs) -> None:
    missing = [slug for slug in slugs if not (REPO / "services" / slug / "Dockerfile").is_file()]
    assert missing == []


@pytest.mark.parametrize("slug", existing_slugs())
def test_dockerfile_follows_the_image_rules(slug) -> None:
    text = (REPO / "services" / slug / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile_problems(text, slug) == []
    assert f"docker build -f services/{slug}/Dockerfile" in text, (
        "say how to build it from the root"
    )


def test_the_rule_checks_catch_a_bad_dockerfile() -> None:
    bad = """
FROM python:3.12 AS builder
RUN pip install uv
COPY . .
RUN uv sync --package qh-auth
FROM python:3.12 AS runtime
COPY --from=builder /app /app
CMD qh serve auth
"""
    problems = " | ".join(dockerfile_problems(bad, "auth"))
    for expected in [
        "--frozen",
        "--no-editable",
        "non-root USER",
        "HEALTHCHECK",
        "slim",
        "CMD",
        "libpango-1.0-0",
        "copies more than",
    ]:
        assert expected in problems


def test_dockerfiles_agree_on_python_and_site_packages(slugs) -> None:
    tilt_helper = (REPO / "tilt" / "qh.tiltfile").read_text(encoding="utf-8")
    site = re.search(
        r"SITE_PACKAGES = '(/app/\.venv/lib/python(\d+\.\d+)/site-packages/qh)'", tilt_helper
    )
    assert site, "tilt/qh.tiltfile names where the qh packages are installed"
    for slug in slugs:
        text = (REPO / "services" / slug / "Dockerfile").read_text(encoding="utf-8")
        args, _ = parse(text)
        assert re.fullmatch(rf"python:{re.escape(site.group(2))}-slim(-\w+)?", args["PYTHON_IMAGE"])
        assert site.group(1) in text, "the dev stage chowns what Tilt syncs into"


def test_dockerignore_keeps_the_context_small() -> None:
    lines = set((REPO / ".dockerignore").read_text(encoding="utf-8").split())
    assert {"**/.git", "**/.venv", "**/__pycache__", "**/tests"} <= lines
