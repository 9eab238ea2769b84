"""Rendering speed of resume-generation: p50/p99 of the preview HTML, a one- and a two-page
PDF, DOCX and Markdown for the same person, and RenderCV rendering the same CV in a
throwaway venv (python -m venv + pip install rendercv 2.3; its CLI, a process per render,
and its Python API in one process, each render alternating with one of our one-page PDF;
reported as not run when that fails here).

    uv run python benchmarks/render.py [--runs 60] [--no-rendercv]
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pypdf

from qh.resume_generation.domain.resumes.documents import ResumeRenderer
from qh.resume_generation.domain.resumes.tailoring import build_content

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = runpy.run_path(str(ROOT / "services/resume-generation/tests/samples.py"))


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    for _ in range(3):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


RENDERCV_YAML = """cv:
  name: Anna Kuznetsova
  location: Saint Petersburg
  email: anna.kuznetsova@example.com
  sections:
    summary:
      - I build data warehouses and streaming pipelines.
    experience:
{jobs}
    skills:
      - label: Skills
        details: Kafka, ClickHouse, Spark, Airflow, Excel, Python, SQL, Tableau
"""


# RenderCV 2.3 is the last release for Python 3.11. Its CLI imports click, which the newest
# typer no longer brings (the CLI then fails with "cannot import name 'app' from
# 'rendercv.cli'"), so typer is pinned to 0.20.0, the oldest its extra accepts.
RENDERCV_PINS = ("rendercv[full]==2.3", "typer==0.20.0")
# Its themes import the Typst package @preview/fontawesome, which Typst downloads from
# packages.typst.org on first use. With no network here, a local stand-in of that package
# (fa-icon draws an empty box of the icon's width) is put where Typst looks for packages.
FONTAWESOME_STUB = "#let fa-icon(name, ..args) = box(width: 0.9em)[]\n"
FONTAWESOME_TOML = """[package]
name = "fontawesome"
version = "0.5.0"
entrypoint = "lib.typ"
authors = ["offline stand-in"]
license = "MIT"
description = "offline stand-in: icons drawn as empty boxes"
"""
# In-process timing through RenderCV's Python API (rendercv.api), run inside its venv: one
# render per line read from stdin, its milliseconds written back, so the benchmark can
# alternate RenderCV's renders with ours and both see the same load on a shared machine.
RENDERCV_API_WORKER = """
import json, pathlib, sys, time
from rendercv import api
source, out = pathlib.Path(sys.argv[1]).read_text("utf-8"), pathlib.Path(sys.argv[2])
for _ in sys.stdin:
    started = time.perf_counter()
    errors = api.create_a_pdf_from_a_yaml_string(source, out)
    took = (time.perf_counter() - started) * 1000
    print(json.dumps(errors)[:300] if errors else took, flush=True)
"""


def rendercv(runs: int, ours: Callable[[], object]) -> dict[str, float] | str:
    """RenderCV's p50 for the same person's CV: its CLI (a process per render) and its
    Python API in one process after 3 warm-ups, each API render alternating with one of
    ``ours`` (timed too); a reason string when it cannot run."""
    profile = SAMPLES["PROFILE_EN"]
    jobs = "".join(
        f"      - company: {j['company']}\n        position: {j['position']}\n"
        f"        start_date: {j['start_date']}\n        end_date: {j.get('end_date') or 'present'}\n"
        "        highlights:\n" + "".join(f"          - {h}\n" for h in j["highlights"])
        for j in profile["experience"]
    )
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        data = Path(tmp) / "data"
        package = data / "typst/packages/preview/fontawesome/0.5.0"
        package.mkdir(parents=True)
        (package / "typst.toml").write_text(FONTAWESOME_TOML, encoding="utf-8")
        (package / "lib.typ").write_text(FONTAWESOME_STUB, encoding="utf-8")
        env = {**os.environ, "XDG_DATA_HOME": str(data), "XDG_CACHE_HOME": str(data / "cache")}
        try:
            subprocess.run(
                [sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True
            )
            pip = subprocess.run(
                [str(venv / "bin/pip"), "install", "-q", *RENDERCV_PINS],
                capture_output=True, text=True, timeout=900,
            )  # fmt: skip
            if pip.returncode != 0:
                return f"RenderCV: not run here (pip install failed: {pip.stderr.strip()[-300:]})"
            source = Path(tmp) / "Anna_CV.yaml"
            source.write_text(RENDERCV_YAML.format(jobs=jobs), encoding="utf-8")
            command = [str(venv / "bin/rendercv"), "render", str(source),
                       "--dont-generate-markdown", "--dont-generate-html", "--dont-generate-png"]  # fmt: skip
            cli = []
            for _ in range(max(5, runs // 6)):
                started = time.perf_counter()
                done = subprocess.run(
                    command, capture_output=True, text=True, cwd=tmp, timeout=300, env=env
                )
                cli.append((time.perf_counter() - started) * 1000)
                pdf = Path(tmp) / "rendercv_output/Anna_Kuznetsova_CV.pdf"
                if done.returncode != 0 or not pdf.exists():
                    return f"RenderCV: not run here (render failed: {(done.stdout + done.stderr).strip()[-300:]})"
            worker_file = Path(tmp) / "worker.py"
            worker_file.write_text(RENDERCV_API_WORKER, encoding="utf-8")
            worker = subprocess.Popen(
                [str(venv / "bin/python"), str(worker_file), str(source), str(Path(tmp) / "api.pdf")],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=tmp, env=env,
            )  # fmt: skip
            assert worker.stdin is not None
            assert worker.stdout is not None
            in_process, alongside = [], []
            try:
                for i in range(runs + 3):
                    started = time.perf_counter()
                    ours()
                    mine = (time.perf_counter() - started) * 1000
                    worker.stdin.write("\n")
                    worker.stdin.flush()
                    answer = worker.stdout.readline().strip()
                    try:
                        theirs = float(answer)
                    except ValueError:
                        return f"RenderCV: API run failed: {answer or 'no answer'}"
                    if i >= 3:
                        in_process.append(theirs)
                        alongside.append(mine)
            finally:
                worker.stdin.close()
                worker.wait(timeout=60)
            in_process.sort()
            return {
                "cli_p50": statistics.median(cli),
                "cli_runs": len(cli),
                "api_p50": statistics.median(in_process),
                "api_p99": in_process[min(len(in_process) - 1, int(len(in_process) * 0.99))],
                "api_runs": len(in_process),
                "ours_p50": statistics.median(alongside),
                "pages": float(len(pypdf.PdfReader(Path(tmp) / "api.pdf").pages)),
            }
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            return f"RenderCV: not run here ({exc})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--no-rendercv", action="store_true")
    args = parser.parse_args()
    renderer = ResumeRenderer()
    one, _ = build_content(SAMPLES["PROFILE_RU"], SAMPLES["VACANCY"], "ru")
    two, _ = build_content(
        SAMPLES["long_profile"](SAMPLES["PROFILE_RU"], 7), SAMPLES["VACANCY"], "ru"
    )
    classic = renderer.template("classic")
    assert classic is not None
    common = {"language": "ru", "page_size": "A4", "show_photo": False}
    pages_two = renderer.pdf(classic, two, **common).pages  # type: ignore[arg-type]
    cases = {
        "preview HTML": lambda: renderer.html(classic, one, **common),  # type: ignore[arg-type]
        "PDF, 1 page": lambda: renderer.pdf(classic, one, **common),  # type: ignore[arg-type]
        f"PDF, {pages_two} pages": lambda: renderer.pdf(classic, two, **common),  # type: ignore[arg-type]
        "DOCX": lambda: renderer.docx(classic, one, language="ru", title="CV"),
        "Markdown": lambda: renderer.markdown(one, language="ru", title="CV"),
    }
    results = {}
    print(f"classic template, Russian profile, {args.runs} runs each after 3 warm-ups")
    for name, fn in cases.items():
        p50, p99 = timed(fn, args.runs)
        results[name] = (p50, p99)
        print(f"{name:14} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms")
    target = results["PDF, 1 page"][0]
    print(
        f"PDF one page p50 {target:.1f} ms: target ≤ 100 ms {'met' if target <= 100 else 'NOT met'}"
    )
    if not args.no_rendercv:
        theirs = rendercv(args.runs, cases["PDF, 1 page"])
        if isinstance(theirs, str):
            print(theirs)
        else:
            print(
                f"RenderCV 2.3 ({theirs['pages']:.0f} page, English sample, Typst): "
                f"Python API in one process p50 {theirs['api_p50']:.1f} ms "
                f"p99 {theirs['api_p99']:.1f} ms over {theirs['api_runs']:.0f} runs; "
                f"CLI (process start, YAML, Typst, PDF) p50 {theirs['cli_p50']:.0f} ms "
                f"over {theirs['cli_runs']:.0f} runs"
            )
            print(
                f"alternating with it, QH one-page PDF p50 {theirs['ours_p50']:.1f} ms: "
                f"ratio RenderCV API / QH {theirs['api_p50'] / theirs['ours_p50']:.2f}x; "
                f"RenderCV CLI / QH {theirs['cli_p50'] / theirs['ours_p50']:.2f}x"
            )
    print(
        json.dumps({k: {"p50": round(v[0], 1), "p99": round(v[1], 1)} for k, v in results.items()})
    )


if __name__ == "__main__":
    main()
