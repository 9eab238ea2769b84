import itertools

import pytest

from qh.nlp import SkillMatcher, SkillMention, find_skills, taxonomy


def found(text: str, *, fuzzy: bool = True) -> list[tuple[str, str]]:
    mentions = find_skills(text, fuzzy=fuzzy)
    for m in mentions:
        assert text[m.start : m.end] == m.text
    return [(m.skill.id, m.text) for m in mentions]


def ids(text: str) -> list[str]:
    return [skill_id for skill_id, _ in found(text)]


def test_english_sentence_offsets() -> None:
    text = "We use Python, PostgreSQL and Kubernetes on AWS."
    mentions = find_skills(text)
    assert [(m.skill.id, m.start, m.end, m.how) for m in mentions] == [
        ("python", 7, 13, "exact"),
        ("postgresql", 15, 25, "exact"),
        ("kubernetes", 30, 40, "exact"),
        ("amazon-web-services", 44, 47, "exact"),
    ]
    assert all(m.score == 1.0 for m in mentions)


def test_russian_sentence_with_inflections() -> None:
    text = "Требуется опыт управления проектами, знание бухгалтерского учёта и работа в Экселе."
    assert found(text) == [
        ("project-management", "управления проектами"),
        ("accounting", "бухгалтерского учёта"),
        ("microsoft-excel", "Экселе"),
    ]
    assert {m.how for m in find_skills(text)} == {"lemma"}


@pytest.mark.parametrize(
    ("text", "skill_id", "surface"),
    [
        ("Опыт управлением проектами", "project-management", "управлением проектами"),
        ("уверенное владение Экселем", "microsoft-excel", "Экселем"),
        ("пишем на Питоне", "python", "Питоне"),
        ("работа с Докером", "docker", "Докером"),
        ("навыки ведения переговоров", "negotiation", "ведения переговоров"),
        ("опыт активных продаж", "active-sales", "активных продаж"),
        ("знание трудового законодательства", "labor-law", "трудового законодательства"),
        ("контроль дебиторской задолженности", "accounts-receivable", "дебиторской задолженности"),
        ("опыт в машинном обучении", "machine-learning", "машинном обучении"),
        ("знание 1С:Бухгалтерии", "1c-accounting", "1С:Бухгалтерии"),
    ],
)
def test_russian_lemma_matches(text: str, skill_id: str, surface: str) -> None:
    assert (skill_id, surface) in found(text)


@pytest.mark.parametrize(
    ("text", "skill_id", "surface"),
    [
        ("Experience with Kubernets is a plus", "kubernetes", "Kubernets"),
        ("Postgress and Redis", "postgresql", "Postgress"),
        ("знание Javascipt", "javascript", "Javascipt"),
        ("Опыт с Кубернетесом", "kubernetes", "Кубернетесом"),
        ("Terrafrom modules", "terraform", "Terrafrom"),
    ],
)
def test_fuzzy_typos(text: str, skill_id: str, surface: str) -> None:
    mentions = [m for m in find_skills(text) if m.skill.id == skill_id]
    assert [m.text for m in mentions] == [surface]
    assert mentions[0].how in {"fuzzy", "lemma"}
    assert 0 < mentions[0].score <= 1


def test_fuzzy_reports_fuzzy_and_can_be_turned_off() -> None:
    (mention,) = find_skills("Kubernets")
    assert mention.how == "fuzzy"
    assert mention.score < 1
    assert find_skills("Kubernets", fuzzy=False) == []


def test_no_fuzzy_for_short_aliases() -> None:
    assert ids("Jvaa and Rubby") == []
    assert ids("Pyton") == []  # five letters: too short to guess


def test_no_fuzzy_for_known_russian_words() -> None:
    assert ids("продавец в магазине") == []


@pytest.mark.parametrize(
    "text",
    [
        "We build JavaScript apps",
        "Google and going places",
        "Let's go to the office",
        "Go to the page and click",
        "Make sure tests pass",
        "Spring is the best season",
        "R&D department",
        "class C license and vitamin C",
        "a swift reply and rust on the car",
        "excel at communication",
        "a solid grasp of the conference schedule and monitoring",
        "юнит- и интеграционные тесты, гибкий график",
    ],
)
def test_negative_cases(text: str) -> None:
    bad = {"java", "go", "make", "spring-framework", "r", "c", "swift", "rust", "microsoft-excel"}
    bad |= {"solid", "confluence", "mentoring", "unity", "adaptability"}
    assert not bad & set(ids(text)), found(text)


def test_java_is_not_inside_javascript() -> None:
    assert ids("JavaScript, Java") == ["javascript", "java"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("R, Python, SQL", [("r", "R"), ("python", "Python"), ("sql", "SQL")]),
        ("знание языка R", [("r", "языка R")]),
        ("опыт с R (tidyverse)", [("r", "R"), ("tidyverse", "tidyverse")]),
        ("язык R и Python", [("r", "язык R"), ("python", "Python")]),
        ("C/C++ developer", [("c", "C"), ("cpp", "C++")]),
        ("We use Go and Python", [("go", "Go"), ("python", "Python")]),
        ("Golang microservices", [("go", "Golang"), ("microservices", "microservices")]),
        ("опыт разработки на go", [("go", "go")]),
    ],
)
def test_strict_aliases_in_context(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "skill_id", "surface"),
    [
        ("Знание C++ и STL", "cpp", "C++"),
        ("C# / .NET", "csharp", "C#"),
        ("C# / .NET", "dotnet", ".NET"),
        ("ASP.NET Core", "dotnet", "ASP.NET Core"),
        ("Node.js, NestJS", "node-js", "Node.js"),
        ("настройка CI/CD", "ci-cd", "CI/CD"),
        ("A/B testing and analytics", "a-b-testing", "A/B testing"),
        ("A/B-тесты", "a-b-testing", "A/B-тесты"),
        ("программист 1С", "1c-enterprise", "1С"),
        ("1C:Enterprise 8", "1c-enterprise", "1C:Enterprise 8"),
        ("кластер К8s", "kubernetes", "К8s"),
        ("Java-разработчик", "java", "Java"),
        ("full-stack engineer", "full-stack-development", "full-stack"),
    ],
)
def test_punctuated_names(text: str, skill_id: str, surface: str) -> None:
    assert (skill_id, surface) in found(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Spring Boot", [("spring-boot", "Spring Boot")]),
        ("machine learning", [("machine-learning", "machine learning")]),
        ("Apache Kafka", [("apache-kafka", "Apache Kafka")]),
        ("Google Analytics", [("google-analytics", "Google Analytics")]),
        ("Microsoft Excel", [("microsoft-excel", "Microsoft Excel")]),
    ],
)
def test_longest_match_wins(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "skill_id"),
    [
        ("JS", "javascript"),
        ("Postgres", "postgresql"),
        ("1С:Предприятие", "1c-enterprise"),
        ("Эксель", "microsoft-excel"),
        ("project management", "project-management"),
        ("k8s", "kubernetes"),
        ("бухучёт", "accounting"),
        ("бухучет", "accounting"),
        ("Figma", "figma"),
        ("SEO", "search-engine-optimization"),
        ("холодные звонки", "cold-calling"),
        ("МСФО", "ifrs"),
        ("подбор персонала", "recruiting"),
        ("складской учёт", "warehouse-management"),
        ("сестринское дело", "nursing"),
        ("подготовка к ЕГЭ", "exam-preparation"),
        ("бережливое производство", "lean-manufacturing"),
        ("стрессоустойчивость", "stress-resistance"),
    ],
)
def test_aliases_across_domains(text: str, skill_id: str) -> None:
    assert ids(text) == [skill_id]


def test_mentions_sorted_and_non_overlapping() -> None:
    text = "Python/Django, Docker-compose, Spring Boot и Spring Cloud, React.js + Redux, SQL"
    mentions = find_skills(text)
    starts = [m.start for m in mentions]
    assert starts == sorted(starts)
    for a, b in itertools.pairwise(mentions):
        assert a.end <= b.start
    assert [m.skill.id for m in mentions] == [
        "python",
        "django",
        "docker",
        "spring-boot",
        "spring-cloud",
        "react",
        "redux",
        "sql",
    ]


def test_offsets_into_original_text_with_invisible_characters() -> None:
    text = "Опыт:\u00a0Kuber\u00adnetes и\u200b Python"
    got = found(text)
    assert got == [("kubernetes", "Kuber\u00adnetes"), ("python", "Python")]


def test_matcher_from_custom_taxonomy() -> None:
    tx = taxonomy()
    matcher = SkillMatcher(tx)
    mentions = matcher.find("Kotlin и Swift")
    assert all(isinstance(m, SkillMention) for m in mentions)
    assert [m.skill.id for m in mentions] == ["kotlin", "swift"]


def test_realistic_vacancy() -> None:
    text = (
        "Ищем Senior Python-разработчика в команду платежей.\n"
        "Требования:\n"
        "• опыт коммерческой разработки на Python от 5 лет;\n"
        "• уверенное знание PostgreSQL, опыт работы с Redis и RabbitMQ;\n"
        "• понимание принципов микросервисной архитектуры, Docker, Kubernetes;\n"
        "• английский на уровне чтения технической документации.\n"
        "Будет плюсом: Go, опыт с ClickHouse, Grafana/Prometheus.\n"
    )
    got = ids(text)
    for skill_id in [
        "python",
        "postgresql",
        "redis",
        "rabbitmq",
        "microservices",
        "docker",
        "kubernetes",
        "go",
        "clickhouse",
        "grafana",
        "prometheus",
        "technical-writing",
    ]:
        assert skill_id in got, skill_id
