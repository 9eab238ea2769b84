"""Any other page, and the sanitiser and text conversion every parser uses."""

from __future__ import annotations

from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from qh.job_data.parsing.html import merge_skills, page_title, parse_html_page
from qh.job_data.parsing.model import RequiredSkill
from qh.job_data.parsing.sanitize import html_to_text, plain_text, sanitize_html

FIXTURES = Path(__file__).parent.parent / "fixtures" / "html"


def test_sanitize_keeps_a_small_safe_set() -> None:
    dirty = (
        '<div onclick="x()"><h2 style="color:red">О нас</h2><p>Мы <b>растём</b><br>быстро</p>'
        '<img src="https://t.example/pixel.gif"><script>alert(1)</script><style>p{}</style>'
        '<iframe src="https://evil.example"></iframe>'
        '<a href="javascript:alert(1)">bad</a> <a href="https://ok.example" target="_blank">ok</a>'
        "<ol><li>one</li></ol><table><tr><td>cell</td></tr></table></div>"
    )
    clean = sanitize_html(dirty)
    for banned in ("<div", "onclick", "style", "<img", "<script", "alert", "<iframe", "target"):
        assert banned not in clean
    assert "<h2>О нас</h2>" in clean
    assert "<p>Мы <b>растём</b><br>быстро</p>" in clean
    assert '<a href="https://ok.example" rel="nofollow noopener">ok</a>' in clean
    assert '<a rel="nofollow noopener">bad</a>' in clean
    assert "<ol><li>one</li></ol>" in clean
    assert "cell" in clean


def test_html_to_text_keeps_paragraphs_and_bullets() -> None:
    html = (
        "<h3>Требования</h3><ul><li>Python  3.11</li><li><p>Django</p></li><li></li></ul>"
        "<p>Условия:</p><ol><li>ДМС</li><li>Удалёнка</li></ol><p>Строка<br>ещё&nbsp;строка</p>"
        "<script>var x = 1;</script>"
    )
    assert html_to_text(html) == (
        "Требования\n\n• Python 3.11\n• Django\n\nУсловия:\n\n1. ДМС\n2. Удалёнка\n\n"
        "Строка\nещё строка"
    )


def test_plain_text_of_escaped_and_plain_descriptions() -> None:
    assert plain_text("&lt;p&gt;R&amp;D&lt;/p&gt;&lt;ul&gt;&lt;li&gt;a&lt;/li&gt;&lt;/ul&gt;") == (
        "R&D\n\n• a"
    )
    assert plain_text("One\n\n\n  Two &amp; three ") == "One\n\nTwo & three"
    assert plain_text("5 < 6 and 7 > 3") == "5 < 6 and 7 > 3"


def test_page_title_order() -> None:
    assert page_title(LexborHTMLParser('<meta property="og:title" content="A"><h1>B</h1>')) == "A"
    assert page_title(LexborHTMLParser("<title>C | Site</title><h1> B </h1>")) == "B"
    assert page_title(LexborHTMLParser("<title>Cook — Bistro</title>")) == "Cook"


def test_a_careers_page() -> None:
    html = (FIXTURES / "careers_page_ru.html").read_text(encoding="utf-8")
    vacancy = parse_html_page(html, url="https://technoplast.example/careers/42")
    assert vacancy.title == "Инженер-технолог"
    assert vacancy.company == "Завод «ТехноПласт»"
    assert vacancy.source.kind == "html"
    assert vacancy.source.url == "https://technoplast.example/careers/42"
    text = vacancy.description_text
    assert "• Подбор режимов работы термопластавтоматов" in text
    assert "Главная" not in text  # navigation is not content
    assert "window.dataLayer" not in text
    assert "Все права защищены" not in text
    assert vacancy.description_html is not None
    assert "<li>" in vacancy.description_html


def test_merge_skills_keeps_one_per_canonical_and_required_wins() -> None:
    merged = merge_skills(
        [RequiredSkill(name="Питон", canonical="Python", required=False)],
        [
            RequiredSkill(name="Python", canonical="Python", required=True),
            RequiredSkill(name="Рисование", canonical=None),
            RequiredSkill(name="рисование", canonical=None),
        ],
    )
    assert [(s.name, s.required) for s in merged] == [("Питон", True), ("Рисование", True)]


# -- with the text analysis ---------------------------------------------------------------


def test_a_careers_page_from_text() -> None:
    html = (FIXTURES / "careers_page_ru.html").read_text(encoding="utf-8")
    vacancy = parse_html_page(html)
    canonicals = {s.canonical for s in vacancy.requirements.skills}
    assert "AutoCAD" in canonicals
    assert vacancy.experience is not None
    assert vacancy.experience.min_years == 2
    assert vacancy.salary is not None
    assert (vacancy.salary.min, vacancy.salary.max, vacancy.salary.currency) == (
        90000,
        120000,
        "RUB",
    )
    assert vacancy.language == "ru"
    assert vacancy.responsibilities
