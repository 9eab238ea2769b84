"""Sentences, sections, dates, vacancy and resume facts, the profile as text, embeddings."""

from __future__ import annotations

from datetime import date

from qh.nlp.documents import analyse_resume, analyse_vacancy, find_date_ranges, find_sections
from qh.nlp.embeddings import SentenceEncoder, model_loaded
from qh.nlp.profile_text import profile_language, profile_to_text
from qh.nlp.sentences import split_sentences

VACANCY = """Senior Data Engineer

Requirements:
- 3+ years with Spark
- Customer Service: helping users
- Upper-Intermediate English

Nice to have:
- Kafka

We offer:
- English courses, Python training
"""


def test_sentences_have_offsets_and_no_list_markers() -> None:
    text = "1. Built the API. Cut costs by 20%!\n- Ведение учёта, т.е. отчётность.\n\n## Skills"
    spans = split_sentences(text)
    assert [s.text for s in spans] == [
        "Built the API.",
        "Cut costs by 20%!",
        "Ведение учёта, т.е. отчётность.",
        "Skills",
    ]
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_sections_from_headings() -> None:
    kinds = [s.kind for s in find_sections(VACANCY)]
    assert kinds == ["other", "requirements", "optional", "benefits"]


def test_vacancy_terms_required_optional_and_ignored() -> None:
    facts = analyse_vacancy(VACANCY)
    terms = {t.name.title(): t for t in facts.terms}
    assert terms["Apache Spark"].required
    assert not terms["Apache Kafka"].required
    assert terms["Customer Service"].kind in ("skill", "term")
    assert "Python" not in terms  # in the benefits
    assert "English" not in " ".join(terms)  # the languages component's
    assert all(t.text == VACANCY[t.start : t.end] for t in facts.terms)
    assert facts.title is not None
    assert facts.title.text == "Senior Data Engineer"
    assert [y.years for y in facts.years] == [3.0]
    assert [(lang.code, lang.level) for lang in facts.languages] == [("en", "B2")]


def test_date_ranges_in_both_languages() -> None:
    text = (
        "Разработчик, Яндекс\n03.2019 – н.в.\n"
        "Engineer, Acme (Jan 2015 - Dec 2016)\nAnalyst 2012 - 2014"
    )
    ranges = find_date_ranges(text, today=date(2024, 2, 1))
    assert [round(r.years, 2) for r in ranges] == [5.0, 2.0, 2.0]
    assert ranges[0].line.text.startswith("Разработчик, Яндекс")  # dates on their own line
    assert ranges[0].current


def test_resume_facts() -> None:
    text = "Мария\nОпыт работы\nАналитик (2019 - 2023)\nSQL, Python\nОбразование\nмагистр ВШЭ"
    facts = analyse_resume(text)
    assert facts.language == "ru"
    assert {"sql", "python"} <= set(facts.skills)
    assert facts.total_years == 4.0
    assert facts.education is not None
    assert facts.education.level == 4


def test_profile_as_text_in_its_language() -> None:
    profile = {
        "personal": {"full_name": "Иван", "headline": "Python-разработчик", "resume_languages": []},
        "experience": [
            {
                "company": "Яндекс",
                "position": "Разработчик",
                "start_date": "2019-02",
                "end_date": None,
                "highlights": ["Ускорил поиск в 3 раза"],
                "skills": ["Python"],
            }
        ],
        "languages": [{"name": "English", "level": "B2"}],
    }
    assert profile_language(profile) == "ru"
    text = profile_to_text(profile)
    assert "Опыт работы" in text
    assert "Разработчик — Яндекс (2019-02 – настоящее время)" in text
    assert "English — B2" in text
    assert "Experience" in profile_to_text(profile, "en")


def test_embeddings_are_cached_and_bounded() -> None:
    encoder = SentenceEncoder(cache_size=2)
    first = encoder.encode(["Опыт работы с Kubernetes", "Experience with Kubernetes"])
    assert model_loaded()
    assert float(first[0] @ first[1]) > 0.8  # one meaning across languages
    encoder.encode(["Опыт работы с Kubernetes", "I like cats"])
    assert encoder.hits == 1
    assert len(encoder) == 2
