"""Rendering speed of resume-generation: p50/p99 of the preview HTML, a one- and a two-page
PDF, DOCX and Markdown for the same person, and RenderCV rendering the same CV in a
throwaway venv (python -m venv + pip install rendercv; reported as not run when that
fails here).

    uv run python benchmarks/render.py [--runs 60] [--no-rendercv]
"""

from __future__ import annotations

import argparse
import json
import runpy
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

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


def rendercv(runs: int) -> str:
    profile = SAMPLES["PROFILE_EN"]
    jobs = "".join(
        f"      - company: {j['company']}\n        position: {j['position']}\n"
        f"        start_date: {j['start_date']}\n        end_date: {j.get('end_date') or 'present'}\n"
        "        highlights:\n" + "".join(f"          - {h}\n" for h in j["highlights"])
        for j in profile["experience"]
    )
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        try:
            subprocess.run(
                [sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True
            )
            pip = subprocess.run(
                [str(venv / "bin/pip"), "install", "-q", "rendercv[full]"],
                capture_output=True, text=True, timeout=600,
            )  # fmt: skip
            if pip.returncode != 0:
                return f"RenderCV: not run here (pip install failed: {pip.stderr.strip()[-300:]})"
            source = Path(tmp) / "Anna_CV.yaml"
            source.write_text(RENDERCV_YAML.format(jobs=jobs), encoding="utf-8")
            command = [str(venv / "bin/rendercv"), "render", str(source),
                       "--dont-generate-markdown", "--dont-generate-html", "--dont-generate-png"]  # fmt: skip
            times = []
            for _ in range(max(3, runs // 10)):
                started = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True, cwd=tmp, timeout=300)
                times.append((time.perf_counter() - started) * 1000)
                if done.returncode != 0:
                    return f"RenderCV: not run here (render failed: {(done.stdout + done.stderr).strip()[-300:]})"
            return (
                f"RenderCV CLI (process start, YAML, Typst, PDF): p50 {statistics.median(times):.0f} ms "
                f"over {len(times)} runs"
            )
        except (OSError, subprocess.SubprocessError) as exc:
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
        line = rendercv(args.runs)
        print(line)
        if "p50" in line:
            theirs = float(line.split("p50 ")[1].split(" ms")[0])
            print(f"ratio RenderCV / QH one-page PDF: {theirs / target:.1f}x "
                  "(RenderCV's time includes starting its process)")  # fmt: skip
    print(
        json.dumps({k: {"p50": round(v[0], 1), "p99": round(v[1], 1)} for k, v in results.items()})
    )


if __name__ == "__main__":
    main()
