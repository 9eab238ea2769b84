# syntax=docker/dockerfile:1
# The image of every QH service, chosen by its slug. Build from the repository root:
#   docker build --build-arg SERVICE=auth -t qh-auth .
#   docker build --build-arg SERVICE=resume-generation --build-arg SYSTEM_PACKAGES=weasyprint \
#     -t qh-resume-generation .
# Build arguments:
#   SERVICE          the slug: services/<slug>, package qh-<slug>, `qh serve <slug>` (required)
#   SYSTEM_PACKAGES  extra Debian packages for the runtime, space-separated; default none.
#                    The name `weasyprint` stands for WeasyPrint's libraries (Pango,
#                    HarfBuzz, fontconfig; the list is in the runtime stage below), which
#                    services that render or read documents need (resume-generation,
#                    cover-letters). Compose and Tilt pass it for those services.
#   PYTHON_IMAGE     the Python base image (slim; its minor version is the one in the
#                    site-packages path below and in tilt/qh.tiltfile)
# Stages: manifests (pyproject files only) -> builder (locked deps, then the code, into
# /app/.venv) -> runtime (slim, non-root). `dev` adds what Tilt's live_update needs; the
# default last stage, `production`, is runtime unchanged.

ARG PYTHON_IMAGE=python:3.12-slim-bookworm
ARG SERVICE

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

# Only the workspace manifests, so the dependency layer below is rebuilt when a
# pyproject changes, not when code does.
FROM ${PYTHON_IMAGE} AS manifests
ARG SERVICE
RUN test -n "${SERVICE}" \
 || { echo 'SERVICE is required: docker build --build-arg SERVICE=<slug> .' >&2; exit 1; }
WORKDIR /src
COPY libs libs
COPY services/${SERVICE}/pyproject.toml services/${SERVICE}/pyproject.toml
RUN find libs -type f ! -name pyproject.toml -delete

FROM ${PYTHON_IMAGE} AS builder
ARG SERVICE
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
COPY pyproject.toml uv.lock ./
COPY --from=manifests /src ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --no-install-workspace --package qh-${SERVICE}
COPY libs libs
COPY services/${SERVICE} services/${SERVICE}
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package qh-${SERVICE}

FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE
ARG SYSTEM_PACKAGES=""
# /app/.data: a service's local files in QH_ENV=dev (auth keeps a generated signing key
# there when the auth-signing-key secret is missing; mount a volume to keep it).
RUN groupadd --system --gid 10001 qh \
 && useradd --system --uid 10001 --gid qh --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin qh \
 && mkdir -p /app/.data && chown 10001:10001 /app/.data
# Extra system packages, none by default. `weasyprint`: Pango, HarfBuzz and fontconfig
# for WeasyPrint (PDF rendering); fonts ship in the packages.
RUN set -eu; \
    packages=""; \
    for name in ${SYSTEM_PACKAGES}; do \
      case "$name" in \
        weasyprint) packages="$packages libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 shared-mime-info" ;; \
        *) packages="$packages $name" ;; \
      esac; \
    done; \
    if [ -n "$packages" ]; then \
      apt-get update \
      && apt-get install -y --no-install-recommends $packages \
      && rm -rf /var/lib/apt/lists/*; \
    fi
COPY --from=builder /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    QH_PORT=8000 \
    QH_SERVICE=${SERVICE}
WORKDIR /app
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('QH_PORT', '8000'), timeout=2)"]
# `exec` hands PID 1 to qh, so it receives SIGTERM directly.
CMD ["/bin/sh", "-c", "exec qh serve \"$QH_SERVICE\""]

# For Tilt: live_update copies changed source into site-packages as the app user, and
# watchfiles (installed with uvicorn[standard]) restarts the service when it changes.
FROM runtime AS dev
USER root
RUN chown -R 10001:10001 /app/.venv/lib/python3.12/site-packages/qh
USER 10001:10001
CMD ["/bin/sh", "-c", "exec watchfiles --target-type command --filter python \"qh serve $QH_SERVICE\" /app/.venv/lib/python3.12/site-packages/qh"]

FROM runtime AS production
