"""Render a sample letter in both languages as PNG for the README:
``docs/templates/cover-letter-<language>.png`` (needs pdftoppm from poppler-utils).

    uv run python services/cover-letters/scripts/render_previews.py
"""

from __future__ import annotations

import runpy
import subprocess
import tempfile
from datetime import date
from pathlib import Path

from qh.cover_letters.domain.letters.composing import fit, letter_facts, offline_draft
from qh.cover_letters.domain.letters.documents import LetterRenderer, sheet

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = runpy.run_path(str(ROOT / "services/cover-letters/tests/samples.py"))
OUT = ROOT / "docs" / "templates"
CASES = {
    "en": (SAMPLES["PROFILE_EN"], SAMPLES["VACANCY"], "Olga Smirnova"),
    "ru": (SAMPLES["PROFILE_RU"], SAMPLES["VACANCY_RU"], "Смирнова Ольга Петровна"),
}


def main() -> None:
    renderer = LetterRenderer()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for language, (profile, vacancy, recruiter) in CASES.items():
            facts, _ = letter_facts(profile, vacancy, None)
            draft = offline_draft(facts, language=language, tone="formal", recruiter=recruiter)
            text, _ = fit(draft, None, None)
            data = sheet(text, profile=profile, company=facts.company, role=facts.role,
                         language=language, today=date(2026, 12, 1))  # fmt: skip
            source = Path(tmp) / f"{language}.pdf"
            source.write_bytes(renderer.pdf(data, language=language).content)
            target = OUT / f"cover-letter-{language}"
            subprocess.run(  # noqa: S603 - pdftoppm with our own file names
                ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",  # noqa: S607
                 str(source), str(target)],
                check=True,
            )  # fmt: skip
            print(f"{target}.png")


if __name__ == "__main__":
    main()
