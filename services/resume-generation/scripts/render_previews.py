"""Render the first page of every template in both languages as PNG for the README:
``docs/templates/<template>-<language>.png`` (needs pdftoppm from poppler-utils), and the
240-pixel thumbnails the service serves (``templates/<template>/thumbnail-<language>.png``).

    uv run python services/resume-generation/scripts/render_previews.py
"""

from __future__ import annotations

import runpy
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from qh.resume_generation.domain.resumes.documents import ResumeRenderer
from qh.resume_generation.domain.resumes.tailoring import build_content

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = runpy.run_path(str(ROOT / "services/resume-generation/tests/samples.py"))
OUT = ROOT / "docs" / "templates"
THUMBNAIL_WIDTH = 240


def main() -> None:
    renderer = ResumeRenderer()
    OUT.mkdir(parents=True, exist_ok=True)
    profiles = {"ru": SAMPLES["PROFILE_RU"], "en": SAMPLES["PROFILE_EN"]}
    with tempfile.TemporaryDirectory() as tmp:
        for name, template in renderer.library.templates.items():
            for language, profile in profiles.items():
                content, _ = build_content(profile, SAMPLES["VACANCY"], language)
                pdf = renderer.pdf(
                    template, content, language=language, page_size="A4", show_photo=False
                )
                source = Path(tmp) / f"{name}-{language}.pdf"
                source.write_bytes(pdf.content)
                target = OUT / f"{name}-{language}"
                subprocess.run(  # noqa: S603 - pdftoppm with our own file names
                    ["pdftoppm",  # noqa: S607 - poppler-utils from PATH "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                     str(source), str(target)],
                    check=True,
                )  # fmt: skip
                print(f"{target}.png")
                with Image.open(f"{target}.png") as page:
                    height = round(page.height * THUMBNAIL_WIDTH / page.width)
                    small = page.convert("RGB").resize((THUMBNAIL_WIDTH, height), Image.LANCZOS)
                    small.save(template.folder / f"thumbnail-{language}.png", optimize=True)


if __name__ == "__main__":
    main()
