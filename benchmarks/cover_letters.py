"""Speed of cover-letters: p50/p99 of the offline draft (evidence picked by relevance, the
letter composed, fitted to 250 words and checked by grounding) and of each export format
(TXT, DOCX, PDF) of the same letter, in both languages.

    uv run python benchmarks/cover_letters.py [--runs 60]
"""

from __future__ import annotations

import argparse
import runpy
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from qh.cover_letters.domain.letters.composing import (
    facts_for,
    fit,
    ground,
    letter_facts,
    offline_draft,
)
from qh.cover_letters.domain.letters.documents import LetterRenderer, sheet

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = runpy.run_path(str(ROOT / "services/cover-letters/tests/samples.py"))
CASES = {
    "en": (SAMPLES["PROFILE_EN"], SAMPLES["VACANCY"]),
    "ru": (SAMPLES["PROFILE_RU"], SAMPLES["VACANCY_RU"]),
}


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    runs = parser.parse_args().runs
    renderer = LetterRenderer()
    print(f"{'what':<34}{'p50 ms':>9}{'p99 ms':>9}")
    for language, (profile, vacancy) in CASES.items():

        def draft(
            profile: dict = profile, vacancy: dict = vacancy, language: str = language
        ) -> str:  # type: ignore[type-arg]
            facts, _ = letter_facts(profile, vacancy, None)
            text, _ = fit(offline_draft(facts, language=language, tone="formal", recruiter=None),
                          250, None)  # fmt: skip
            ground(text, facts_for(profile, vacancy), language)
            return text

        text = draft()
        facts, _ = letter_facts(profile, vacancy, None)
        data = sheet(text, profile=profile, company=facts.company, role=facts.role,
                     language=language, today=date(2026, 12, 1))  # fmt: skip
        rows: dict[str, Callable[[], object]] = {
            "offline draft (fit + grounding)": draft,
            "export txt": lambda: renderer.txt(text),  # noqa: B023
            "export docx": lambda: renderer.docx(data, language=language, title="Letter"),  # noqa: B023
            "export pdf": lambda: renderer.pdf(data, language=language),  # noqa: B023
        }
        for name, fn in rows.items():
            p50, p99 = timed(fn, runs)
            print(f"{language} {name:<31}{p50:>9.2f}{p99:>9.2f}")


if __name__ == "__main__":
    main()
