"""Each component of the match score, and the weighting, as a user would notice them."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from qh.nlp.embeddings import SentenceEncoder
from qh.text_analysis.domain.analysis.engine import COMPONENTS, Analyzer, Calibration
from qh.text_analysis.domain.analysis.review import review
from qh.text_analysis.domain.analysis.tone import analyse_tone

T = runpy.run_path(str(Path(__file__).with_name("texts.py")))


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(SentenceEncoder(cache_size=2000))


def test_weights_live_in_one_calibrated_file() -> None:
    cal = Calibration.load()
    assert set(cal.weights) == set(COMPONENTS)
    assert abs(sum(cal.weights.values()) - 1) < 0.01
    assert 0 < cal.semantic_floor < cal.semantic_ceiling < 1


def test_required_skills_weigh_more_than_optional(analyzer: Analyzer) -> None:
    vacancy = "Python developer\n\nRequirements:\n- Python\n- Django\n\nNice to have:\n- Kafka\n"
    required = analyzer.match("Python developer. Python, Django.", vacancy)
    optional = analyzer.match("Java developer. Kafka.", vacancy)
    assert required.breakdown["skills"] == 100.0 * 4 / 5  # Python, Django of 2+2+1
    assert optional.breakdown["skills"] == 100.0 * 1 / 5
    assert {t.term for t in optional.missing if t.required} == {"Python", "Django"}


def test_a_component_not_asked_is_left_out(analyzer: Analyzer) -> None:
    result = analyzer.match("Python developer with Django", "Python developer\nDjango, Python")
    assert result.breakdown["languages"] is None
    assert result.breakdown["education"] is None
    assert result.breakdown["experience"] is None


def test_experience_reads_the_years_of_the_named_role(analyzer: Analyzer) -> None:
    vacancy = "Requirements:\n- At least 4 years as a Systems Engineer\n"
    enough = "Experience\nSystems Engineer (2018 - 2022)\nCashier (2010 - 2012)\n"
    short = "Experience\nSystems Engineer (2020 - 2022)\nCashier (2010 - 2014)\n"
    assert analyzer.match(enough, vacancy).breakdown["experience"] == 100.0
    assert analyzer.match(short, vacancy).breakdown["experience"] == 50.0


def test_languages_follow_cefr_order_and_the_resume_language(analyzer: Analyzer) -> None:
    vacancy = "Требования:\n- английский язык не ниже B2\n"
    higher = analyzer.match("Опыт работы инженером. Английский — C1", vacancy)
    lower = analyzer.match("Опыт работы инженером. Английский — A2", vacancy)
    unstated = analyzer.match("Опыт работы инженером. Английский язык", vacancy)
    assert higher.breakdown["languages"] == 100.0
    assert lower.breakdown["languages"] == 50.0
    assert unstated.breakdown["languages"] == 60.0
    assert any("уровень" in r.message for r in unstated.recommendations)
    russian = analyzer.match("Опыт работы инженером", "Requirements: fluent Russian")
    assert russian.breakdown["languages"] == 100.0  # a Russian resume: native Russian


def test_education_levels(analyzer: Analyzer) -> None:
    vacancy = "Requirements:\n- Master's degree in physics\n"
    assert analyzer.match("Education\nPhD in physics", vacancy).breakdown["education"] == 100
    assert analyzer.match("Education\nBachelor of physics", vacancy).breakdown["education"] == 50
    assert analyzer.match("Worked as a physicist", vacancy).breakdown["education"] == 0


def test_semantic_matches_a_russian_resume_to_an_english_vacancy(analyzer: Analyzer) -> None:
    vacancy = "Responsibilities:\n- Care for patients in the surgical ward\n"
    nurse = analyzer.match("Уход за пациентами хирургического отделения", vacancy)
    chef = analyzer.match("Выпекала торты и десерты в кафе", vacancy)
    assert nurse.breakdown["semantic"] > chef.breakdown["semantic"] + 30


def test_highlights_point_at_the_right_characters(analyzer: Analyzer) -> None:
    resume, vacancy = T["RESUME_RU"], T["VACANCY_EN"]
    result = analyzer.match(resume, vacancy)
    texts = {"resume": resume, "vacancy": vacancy}
    for h in result.highlights:
        assert texts[h.side][h.start : h.end] == h.text
    # Kubernetes is not in the resume; Docker, a related skill, makes it weak, not matched
    gaps = [h for h in result.highlights if h.kind != "match" and h.side == "vacancy"]
    assert "Kubernetes" in {h.text for h in gaps}
    assert "Kubernetes" in {t.term for t in result.missing}


def test_fresh_and_cached_give_the_same_score(analyzer: Analyzer) -> None:
    first = analyzer.match(T["RESUME_MIXED"], T["VACANCY_EN"])
    again = analyzer.match(T["RESUME_MIXED"], T["VACANCY_EN"])
    assert first.score == again.score
    assert analyzer.encoder.hits > 0


def test_review_finds_gaps_verbs_and_numbers() -> None:
    from qh.nlp.documents import analyse_resume

    text = (
        "Anna Smith\nanna@example.com, +44 20 7000 1111\n\nExperience\n"
        "Developer, Acme (01.2015 - 12.2016)\n- responsible for the website\n"
        "Developer, Beta (06.2018 - 05.2020)\n- Built the shop, sales up 20%\n"
        "\nEducation\nBSc\n\nSkills\nJavascript, Python\n"
    )
    issues = review(analyse_resume(text))
    kinds = {i.kind for i in issues}
    assert {"gap", "action_verb", "quantify", "spelling"} <= kinds
    gap = next(i for i in issues if i.kind == "gap")
    assert "17 months" in gap.message
    verb = next(i for i in issues if i.kind == "action_verb")
    assert text[verb.start : verb.end] == "responsible for the website"
    spelling = next(i for i in issues if i.kind == "spelling")
    assert text[spelling.start : spelling.end] == "Javascript"
    assert spelling.suggestion == "JavaScript"
    assert "headings" not in kinds
    assert "contacts" not in kinds


def test_tone_sentiment_formality_and_issues() -> None:
    calm = analyse_tone("Уважаемый Иван Петрович, направляю резюме на вакансию аналитика.", "ru")
    assert calm.label == "neutral"
    assert calm.formality_label == "formal"
    rude = analyse_tone("Hey guys!! I hate boring stuff, the last job was terrible lol", "en")
    assert rude.label == "negative"
    assert rude.formality_label == "informal"
    assert {"negative"} <= {i.kind for i in rude.issues}
