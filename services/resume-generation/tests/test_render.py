"""Every template in both languages to PDF, DOCX and Markdown, read back as a person (and an
ATS) would; hostile profile values render as harmless text with nothing fetched."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from pypdf import PdfReader

from qh.resume_generation.domain.resumes.documents import ResumeRenderer
from qh.resume_generation.domain.resumes.schemas import Basics, LinkItem, ResumeContent
from qh.resume_generation.domain.resumes.tailoring import build_content

from .conftest import SAMPLES

PROFILES = {"ru": SAMPLES["PROFILE_RU"], "en": SAMPLES["PROFILE_EN"]}
PRESENT = {"ru": "по настоящее время", "en": "present"}
TITLES = {"ru": "Опыт работы", "en": "Experience"}


@pytest.fixture(scope="module")
def renderer() -> ResumeRenderer:
    return ResumeRenderer()


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def content_for(language: str) -> ResumeContent:
    content, _ = build_content(PROFILES[language], SAMPLES["VACANCY"], language)
    return content


TEMPLATES = ("classic", "modern", "compact")


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_renders_pdf_with_exact_text(
    renderer: ResumeRenderer, name: str, language: str
) -> None:
    template = renderer.template(name)
    assert template is not None
    content = content_for(language)
    for page_size in ("A4", "Letter"):
        pdf = renderer.pdf(
            template, content, language=language, page_size=page_size, show_photo=False
        )
        assert pdf.content.startswith(b"%PDF-")
        reader = PdfReader(io.BytesIO(pdf.content))
        width = float(reader.pages[0].mediabox.width)
        assert abs(width - (595.3 if page_size == "A4" else 612.0)) < 1.5, (page_size, width)
        text = pdf_text(pdf.content)
        assert content.basics.name in text  # the Cyrillic name, exactly
        for job in content.experience:
            assert job.position in text, job.position  # every job title exactly
            assert job.company in text
        assert PRESENT[language] in text
        folded = text.casefold()  # a design may set section titles in capitals
        title = TITLES[language].casefold()
        assert title in folded
        # reading order: the name, then the experience title, then the first job's title
        assert folded.index(content.basics.name.casefold()) < folded.index(title)
        assert folded.index(title) < folded.index(content.experience[0].position.casefold())
    if template.manifest.one_page:
        assert pdf.pages == 1
    assert renderer.pdf_renderer.fetcher.refused == []


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_renders_docx_and_markdown(
    renderer: ResumeRenderer, name: str, language: str
) -> None:
    template = renderer.template(name)
    assert template is not None
    content = content_for(language)
    docx = Document(io.BytesIO(renderer.docx(template, content, language=language, title="CV")))
    paragraphs = [(p.style.name, p.text) for p in docx.paragraphs]  # type: ignore[union-attr]
    assert paragraphs[0] == ("Title", content.basics.name)
    assert ("Heading 1", TITLES[language]) in paragraphs
    headings2 = [text for style, text in paragraphs if style == "Heading 2"]
    for job in content.experience:
        assert f"{job.position} — {job.company}" in headings2
    bullets = [text for style, text in paragraphs if style == "List Bullet"]
    assert content.experience[0].highlights[0] in bullets
    assert not docx.tables  # no tables for layout
    assert b"txbx" not in renderer.docx(template, content, language=language, title="CV")
    md = renderer.markdown(content, language=language, title="CV")
    assert md.startswith(f"# {content.basics.name}\n")
    assert f"## {TITLES[language]}" in md
    assert PRESENT[language] in md
    for job in content.experience:
        assert f"### {job.position} — {job.company}" in md


def test_a_one_page_template_stays_on_one_page_for_a_long_career(
    renderer: ResumeRenderer,
) -> None:
    content, _ = build_content(SAMPLES["long_profile"](PROFILES["en"], 3), None, "en")
    classic = renderer.template("classic")
    compact = renderer.template("compact")
    assert classic is not None
    assert compact is not None
    common = {"language": "en", "page_size": "A4", "show_photo": False}
    assert renderer.pdf(compact, content, **common).pages == 1  # type: ignore[arg-type]


HOSTILE = {
    "img": '<img src="file:///etc/passwd">',
    "link": '<link rel=attachment href="file:///etc/shadow">',
    "url": "http://127.0.0.1:9/steal",
    "style": "<style>@import url(http://127.0.0.1:9/x.css);</style>",
}


def hostile_content() -> ResumeContent:
    content = content_for("en")
    long_word = "A" * 10_000
    return ResumeContent(
        basics=Basics(
            name=HOSTILE["img"],
            headline=HOSTILE["link"],
            website=HOSTILE["url"],
            links=[LinkItem(label="site", url=HOSTILE["url"])],
        ),
        summary=f"{HOSTILE['style']} {long_word}",
        experience=content.experience,
        skills=content.skills,
    )


@pytest.mark.parametrize("name", TEMPLATES)
def test_hostile_values_are_text_and_nothing_is_fetched(
    renderer: ResumeRenderer, name: str
) -> None:
    template = renderer.template(name)
    assert template is not None
    fetcher = renderer.pdf_renderer.fetcher
    served_before, refused_before = len(fetcher.served), fetcher.refused_total
    content = hostile_content()
    html = renderer.html(template, content, language="en", page_size="A4", show_photo=True)
    assert "<img src" not in html
    assert "<link rel=attachment" not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "<style>@import" not in html
    pdf = renderer.pdf(template, content, language="en", page_size="A4", show_photo=True)
    text = re.sub(r"\s+", "", pdf_text(pdf.content))
    assert 'src="file:///etc/passwd"' in text  # shown as text
    assert "http://127.0.0.1:9/steal" in text
    assert text.count("A" * 200) >= 1  # the long word is broken over lines, not dropped
    # nothing but the packaged fonts was asked for, nothing refused
    assert fetcher.refused_total == refused_before
    assert all(
        u.startswith("https://qh-assets.invalid/kit/fonts/") for u in fetcher.served[served_before:]
    )
    assert b"/EmbeddedFile" not in pdf.content  # no attachment from <link rel=attachment>
    assert pdf.pages <= 6


def test_the_fetcher_refuses_everything_but_packaged_assets(renderer: ResumeRenderer) -> None:
    fetcher = renderer.pdf_renderer.fetcher
    before = fetcher.refused_total
    refused = [
        "file:///etc/passwd",
        "http://127.0.0.1:8080/",
        "https://example.com/font.ttf",
        "https://qh-assets.invalid/kit/../../../../etc/passwd",
        "https://qh-assets.invalid/kit/fonts/OFL.txt",
        "https://qh-assets.invalid/templates/classic/manifest.json",
        "https://qh-assets.invalid/other/x.css",
        "data:text/html;base64,PHNjcmlwdD4=",
        "ftp://127.0.0.1/x",
    ]
    for url in refused:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.refused_total == before + len(refused)
    served = fetcher.fetch("https://qh-assets.invalid/templates/classic/style.css")
    assert b"@page" in served.read()


def test_a_photo_shows_only_when_asked(renderer: ResumeRenderer) -> None:
    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
        "z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    content = content_for("ru")
    content.basics.photo = pixel
    template = renderer.template("classic")
    assert template is not None
    off = renderer.html(template, content, language="ru", page_size="A4", show_photo=False)
    on = renderer.html(template, content, language="ru", page_size="A4", show_photo=True)
    assert 'class="photo"' not in off
    assert 'class="photo"' in on
    pdf = renderer.pdf(template, content, language="ru", page_size="A4", show_photo=True)
    assert b"/Subtype /Image" in pdf.content or b"/Image" in pdf.content


def test_months_and_present_in_both_languages(renderer: ResumeRenderer) -> None:
    template = renderer.template("modern")
    assert template is not None
    ru = renderer.html(template, content_for("ru"), language="ru", page_size="A4", show_photo=False)
    en = renderer.html(template, content_for("en"), language="en", page_size="A4", show_photo=False)
    assert "март 2021 – по настоящее время" in ru
    assert "сентябрь 2017 – февраль 2021" in ru
    assert "March 2021 – present" in en
    assert "September 2017 – February 2021" in en
