"""The one Dockerfile every service's image is built from, chosen by the build argument
SERVICE (the slug): built from the repo root, multi-stage with uv, locked dependency
layer first, slim non-root runtime with a health check, `qh serve <slug>`, extra system
packages only through SYSTEM_PACKAGES, a `dev` stage for Tilt and `production` last."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pytest
from deploy_support import (
    DOCKERFILE,
    REPO,
    existing_slugs,
    load_toml,
    locked_dependencies,
    locked_packages,
    service_entry_points,
)

WEASYPRINT_LIBRARIES = [
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "libharfbuzz0b",
    "libfontconfig1",
    "shared-mime-info",
]
ROOT_USERS = {"root", "0", "0:0", "root:root"}
APP_USER = "10001:10001"
SLUG = "${SERVICE}"


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [arguments for instruction, arguments in self.instructions if instruction == keyword]

    def args(self) -> dict[str, str | None]:
        """The stage's ARGs: name -> default (None when it has none)."""
        declared: dict[str, str | None] = {}
        for argument in self.all("ARG"):
            name, has_default, default = argument.partition("=")
            declared[name.strip()] = default.strip().strip('"') if has_default else None
        return declared


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


def served_variable(command: str) -> str | None:
    """The environment variable an exec-form `sh -c "exec ... qh serve $VAR"` CMD serves."""
    match = re.search(r'qh serve \\?"?\$\{?(\w+)\}?', command)
    return match.group(1) if match else None


def dockerfile_problems(text: str) -> list[str]:
    problems: list[str] = []
    _, stages = parse(text)
    by_name = {stage.name: stage for stage in stages if stage.name}
    if len(stages) < 2:
        return ["not multi-stage"]

    # The slug comes only from the build argument: no service is named in the file.
    for stage in stages:
        body = " ".join(arguments for _, arguments in stage.instructions)
        if SLUG in body and "SERVICE" not in stage.args():
            problems.append(f"stage {stage.name} uses {SLUG} without declaring ARG SERVICE")
        for literal in re.findall(r"services/(?!\$\{SERVICE\})[\w-]+|qh-(?!\$\{)[a-z][\w-]*", body):
            problems.append(f"stage {stage.name} names a service literally ({literal}); use {SLUG}")

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
        for flag in ["--frozen", "--no-dev", "--no-editable", f"--package qh-{SLUG}"]:
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
            (
                c
                for c in copies
                if re.fullmatch(rf"services/{re.escape(SLUG)}\s+services/{re.escape(SLUG)}/?", c)
            ),
            None,
        )
        # The dependency layer sees manifests only: the root pyproject.toml and uv.lock,
        # and a stage holding libs/ and the service with every other file deleted.
        for kw, arguments in builder.instructions[:first_index]:
            if kw != "COPY":
                continue
            origin = re.match(r"--from=(\S+)\s", arguments)
            if origin is None:
                manifests_only = set(arguments.split()[:-1]) <= {"pyproject.toml", "uv.lock"}
            elif origin.group(1) == "uv":
                manifests_only = True
            else:
                source = by_name.get(origin.group(1))
                manifests_only = source is not None and any(
                    "! -name pyproject.toml -delete" in run for run in source.all("RUN")
                )
            if not manifests_only:
                problems.append(f"the dependency layer depends on more than manifests: {arguments}")
        if source_copy is None:
            problems.append(f"the builder never copies services/{SLUG}")
        else:
            copy_index = builder.instructions.index(("COPY", source_copy))
            if copy_index < first_index:
                problems.append("the service source is copied before the dependency layer")
        allowed = {
            "pyproject.toml",
            "uv.lock",
            "libs",
            f"services/{SLUG}",
            f"services/{SLUG}/pyproject.toml",
        }
        for stage in stages:
            for copy in stage.all("COPY"):
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

    # System packages: none by default, only those SYSTEM_PACKAGES asks for.
    if runtime.args().get("SYSTEM_PACKAGES", "missing") not in {None, ""}:
        problems.append("runtime has no ARG SYSTEM_PACKAGES defaulting to none")
    installs = [run for run in runtime.all("RUN") if "apt-get install" in run]
    if any("SYSTEM_PACKAGES" not in run for run in installs):
        problems.append("runtime installs system packages nobody asked for (SYSTEM_PACKAGES)")
    weasyprint = re.search(r"\bweasyprint\)([^;]*);", " ".join(installs))
    if weasyprint is None:
        problems.append("SYSTEM_PACKAGES does not know `weasyprint`")
    else:
        named = weasyprint.group(1).replace('"', " ").split()
        problems += [
            f"`weasyprint` lacks {lib}" for lib in WEASYPRINT_LIBRARIES if lib not in named
        ]

    setup = " ".join(runtime.all("RUN"))
    if not re.search(r"useradd\b.*--uid 10001", setup):
        problems.append("runtime does not create the app user 10001")
    if not re.search(r"mkdir -p /app/\.data && chown 10001:10001 /app/\.data", setup):
        problems.append("runtime does not give /app/.data to the app user")
    users = runtime.all("USER")
    if not users or users[-1] in ROOT_USERS or users[-1].split(":")[0] in {"root", "0"}:
        problems.append("runtime does not switch to a non-root USER")
    elif users[-1] != APP_USER:
        problems.append(f"runtime runs as {users[-1]}, not {APP_USER}")
    healthchecks = runtime.all("HEALTHCHECK")
    if not healthchecks or "/health/live" not in healthchecks[-1]:
        problems.append("runtime has no HEALTHCHECK on /health/live")
    elif "curl" in healthchecks[-1] or "wget" in healthchecks[-1]:
        problems.append("the HEALTHCHECK needs curl/wget; use python's urllib")
    env = " ".join(runtime.all("ENV"))
    commands = runtime.all("CMD")
    if not commands or not commands[-1].startswith("["):
        problems.append("runtime CMD is not in exec (JSON) form")
    else:
        command = json.loads(commands[-1])
        variable = served_variable(" ".join(command))
        if command[:2] != ["/bin/sh", "-c"] or not command[2].startswith("exec qh serve "):
            problems.append("runtime CMD is not `exec qh serve <slug>` (qh must be PID 1)")
        if variable is None or not re.search(rf"\b{variable}={re.escape(SLUG)}(\s|$)", env):
            problems.append(f"runtime CMD does not serve the slug from {SLUG}")
    if any("uv" in copy.split()[0] for copy in runtime.all("COPY") if copy.startswith("--from=uv")):
        problems.append("uv is copied into the runtime image")

    dev = by_name.get("dev")
    if dev is None or dev.base != "runtime":
        problems.append("no `dev` stage built on runtime (Tilt's target)")
    else:
        dev_users = dev.all("USER")
        if not dev_users or dev_users[-1] != APP_USER:
            problems.append("the dev stage does not run as the app user")
        dev_commands = dev.all("CMD")
        dev_command = " ".join(json.loads(dev_commands[-1])) if dev_commands else ""
        if "watchfiles" not in dev_command or served_variable(dev_command) is None:
            problems.append("the dev stage does not run `qh serve` under watchfiles")

    final = stages[-1]
    if final.name != "production" or final.base != "runtime" or final.instructions:
        problems.append("the last (default) stage is not `production`, the runtime unchanged")
    return problems


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (REPO / DOCKERFILE).read_text(encoding="utf-8")


def test_the_one_dockerfile_follows_the_image_rules(dockerfile) -> None:
    assert dockerfile_problems(dockerfile) == []


def test_the_dockerfile_says_how_to_build_a_service(dockerfile) -> None:
    assert "docker build --build-arg SERVICE=auth -t qh-auth ." in dockerfile
    assert "SYSTEM_PACKAGES=weasyprint" in dockerfile


def test_there_is_no_other_dockerfile() -> None:
    found = [
        path.relative_to(REPO).as_posix()
        for path in REPO.rglob("*Dockerfile*")
        if not {".git", ".venv", "node_modules"} & set(path.relative_to(REPO).parts)
    ]
    assert found == [DOCKERFILE]


@pytest.mark.parametrize("slug", existing_slugs())
def test_the_dockerfile_builds_each_existing_service(slug) -> None:
    """What the Dockerfile expects of services/<slug> with SERVICE=<slug>."""
    pyproject = load_toml(REPO / "services" / slug / "pyproject.toml")
    assert pyproject["project"]["name"] == f"qh-{slug}", "uv sync --package qh-${SERVICE}"
    assert set(service_entry_points(slug)) == {slug}, "`qh serve <slug>` finds it by this name"
    assert f"qh-{slug}" in locked_packages(), "uv sync --frozen needs it in uv.lock"
    assert "watchfiles" in locked_dependencies(f"qh-{slug}"), "the dev stage runs watchfiles"


def test_the_rule_checks_catch_a_bad_dockerfile() -> None:
    bad = """
FROM python:3.12 AS builder
RUN pip install uv
COPY . .
RUN uv sync --package qh-auth
FROM python:3.12 AS runtime
RUN apt-get update && apt-get install -y libpango-1.0-0
COPY --from=builder /app /app
CMD qh serve auth
"""
    problems = " | ".join(dockerfile_problems(bad))
    for expected in [
        "--frozen",
        "--no-dev",
        "--no-editable",
        "names a service literally (qh-auth)",
        "non-root USER",
        "HEALTHCHECK",
        "slim",
        "CMD",
        "SYSTEM_PACKAGES",
        "nobody asked for",
        "copies more than",
        "/app/.data",
        "`dev` stage",
        "`production`",
    ]:
        assert expected in problems, expected


def test_the_rule_checks_catch_a_per_service_dockerfile(dockerfile) -> None:
    """The previous per-service Dockerfiles: the one Dockerfile with the slug written in."""
    per_service = dockerfile.replace("${SERVICE}", "auth").replace("$QH_SERVICE", "auth")
    problems = " | ".join(dockerfile_problems(per_service))
    assert "names a service literally (services/auth)" in problems
    assert "--package qh-${SERVICE}" in problems
    undeclared = dockerfile.replace("ARG SERVICE\n", "")
    assert "without declaring ARG SERVICE" in " | ".join(dockerfile_problems(undeclared))


def test_dockerfile_agrees_with_tilt_on_python_and_site_packages(dockerfile) -> None:
    tilt_helper = (REPO / "tilt" / "qh.tiltfile").read_text(encoding="utf-8")
    site = re.search(
        r"SITE_PACKAGES = '(/app/\.venv/lib/python(\d+\.\d+)/site-packages/qh)'", tilt_helper
    )
    assert site, "tilt/qh.tiltfile names where the qh packages are installed"
    args, _ = parse(dockerfile)
    assert re.fullmatch(rf"python:{re.escape(site.group(2))}-slim(-\w+)?", args["PYTHON_IMAGE"])
    assert f"chown -R 10001:10001 {site.group(1)}" in dockerfile, (
        "the dev stage chowns what Tilt syncs into"
    )


def test_dockerignore_keeps_the_context_small() -> None:
    lines = set((REPO / ".dockerignore").read_text(encoding="utf-8").split())
    assert {"**/.git", "**/.venv", "**/__pycache__", "**/tests"} <= lines
    assert not {"libs", "services", "uv.lock", "pyproject.toml"} & lines, "the image copies these"
