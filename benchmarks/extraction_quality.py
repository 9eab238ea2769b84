"""Required-skill extraction quality of job-data's plain-text analyser, and its speed.

    uv run python benchmarks/extraction_quality.py [-v]

Quality: every vacancy in ``benchmarks/data/vacancy_skills.json`` carries the required skills
a person labelled (see the file's ``guideline``). Labels and predictions are compared by the
taxonomy's canonical name; a label the taxonomy doesn't know is kept as written, so it can
only be missed: it is counted, and listed as a taxonomy gap. Precision and recall are
micro-averaged per language. ``-v`` lists the misses and the false positives per vacancy.

Speed: ``analyse_text`` on a ~5 kB description (consecutive data-set texts of one language,
cut at a line), after a warm-up; median time and the rate it gives, per language.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from qh import nlp
from qh.job_data.parsing.text import analyse_text

DATA = Path(__file__).parent / "data" / "vacancy_skills.json"


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    fn_unknown: int = 0  # misses whose label the taxonomy lacks
    details: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def recall_known(self) -> float:
        known = self.tp + self.fn - self.fn_unknown
        return self.tp / known if known else 1.0


def _label(name: str) -> tuple[str, bool]:
    canonical = nlp.taxonomy().canonical(name)
    return (canonical, True) if canonical else (name, False)


def score(vacancies: list[dict]) -> tuple[dict[str, Score], set[str]]:
    scores: dict[str, Score] = {}
    gaps: set[str] = set()
    for vacancy in vacancies:
        gold: dict[str, bool] = {}
        for name in vacancy["required"]:
            canonical, known = _label(name)
            gold[canonical] = known
            if not known:
                gaps.add(name)
        found = {s.canonical or s.name for s in analyse_text(vacancy["text"]).skills if s.required}
        s = scores.setdefault(vacancy["language"], Score())
        s.tp += len(found & gold.keys())
        s.fp += len(found - gold.keys())
        missed = sorted(gold.keys() - found)
        s.fn += len(missed)
        s.fn_unknown += sum(not gold[m] for m in missed)
        s.details.append((vacancy["id"], missed, sorted(found - gold.keys())))
    return scores, gaps


def five_kb(vacancies: list[dict], language: str) -> str:
    text = ""
    for vacancy in vacancies:
        if vacancy["language"] == language:
            text += vacancy["text"] + "\n\n"
        if len(text) >= 5000:
            break
    return text[:5000].rsplit("\n", 1)[0]


def throughput(text: str, runs: int = 300) -> tuple[float, float]:
    for _ in range(20):
        analyse_text(text)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        analyse_text(text)
        times.append(time.perf_counter() - start)
    p50 = statistics.median(times)
    return p50 * 1000, 1 / p50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="list misses and false positives"
    )
    args = parser.parse_args()
    data = json.loads(DATA.read_text(encoding="utf-8"))
    vacancies = data["vacancies"]

    print(f"machine: {os.cpu_count()} CPUs, {platform.platform()}, {platform.processor() or '?'}")
    print(f"python: {sys.version.split()[0]}; taxonomy: {len(nlp.taxonomy())} skills")
    print()
    scores, gaps = score(vacancies)
    print("required skills   vacancies  labels  precision  recall  recall (known labels)")
    for language in sorted(scores):
        s = scores[language]
        count = sum(v["language"] == language for v in vacancies)
        print(
            f"{language:17} {count:9}  {s.tp + s.fn:6}  {s.precision:9.3f}  {s.recall:6.3f}"
            f"  {s.recall_known:.3f} ({s.fn_unknown} labels unknown to the taxonomy)"
        )
    if args.verbose:
        for language in sorted(scores):
            print(f"\n[{language}]")
            for vacancy_id, missed, extra in scores[language].details:
                if missed or extra:
                    print(f"  {vacancy_id}: missed {missed}; false positives {extra}")
        print(f"\nlabels unknown to the taxonomy: {sorted(gaps)}")
    print()
    print("analyse_text on a ~5 kB description (median of 300 runs after 20 warm-up runs)")
    for language in ("ru", "en"):
        text = five_kb(vacancies, language)
        ms, rate = throughput(text)
        print(f"  {language}: {len(text)} chars  p50 {ms:.2f} ms  {rate:.0f}/s")


if __name__ == "__main__":
    main()
