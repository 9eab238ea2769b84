"""The phrase pass: multi-word aliases with other words between theirs, and verb forms of
action-noun aliases; and the ambiguous bare words the taxonomy no longer takes for skills."""

import pytest

from qh.nlp import find_skills


def found(text: str) -> list[tuple[str, str]]:
    mentions = find_skills(text)
    for m in mentions:
        assert text[m.start : m.end] == m.text
    return [(m.skill.id, m.text) for m in mentions]


def ids(text: str) -> set[str]:
    return {skill_id for skill_id, _ in found(text)}


@pytest.mark.parametrize(
    ("text", "skill_id", "surface"),
    [
        # words between the alias's words (at most two, same clause)
        ("Source passive candidates via referrals", "sourcing", "Source passive candidates"),
        ("Run demand and supply planning monthly", "demand-planning", "demand and supply planning"),
        ("Сбор и формализация требований заказчика", "requirements-engineering", "Сбор и формализация требований"),
        ("сварка швов, резка металла газом", "gas-cutting", "резка металла газом"),
        ("адаптация нового персонала", "onboarding", "адаптация нового персонала"),
        # the verb form of an action-noun alias, in any inflection
        ("You will manage inventory and order stock", "inventory-management", "manage inventory"),
        ("Managed a team of 3 accountants", "team-management", "Managed a team"),
        ("Screen candidates and schedule calls", "candidate-screening", "Screen candidates"),
        ("reconciling payroll accounts monthly", "bank-reconciliation", "reconciling payroll accounts"),
        ("fill and label prescriptions", "prescription-dispensing", "fill and label prescriptions"),
        ("Onboard new customers", "customer-onboarding", "Onboard new customers"),
        ("формировать бэклог и приоритизировать задачи", "prioritization-frameworks", "приоритизировать задачи"),
        ("умение управлять проектами", "project-management", "управлять проектами"),
        ("будете проводить собеседования с кандидатами", "interviewing", "проводить собеседования"),
    ],
)  # fmt: skip
def test_phrase_found_with_offsets(text: str, skill_id: str, surface: str) -> None:
    mentions = [m for m in find_skills(text) if m.skill.id == skill_id]
    assert [m.text for m in mentions] == [surface]
    m = mentions[0]
    assert text[m.start : m.end] == surface
    assert m.how == "lemma"
    assert m.score == 0.85


def test_phrase_may_enclose_a_one_word_mention() -> None:
    text = "Планирование сроков и бюджета, контроль исполнения."
    assert found(text)[:2] == [
        ("planning", "Планирование"),
        ("budgeting", "Планирование сроков и бюджета"),
    ]


def test_contiguous_alias_is_not_reported_again_as_a_phrase() -> None:
    text = "Опыт управления проектами от 3 лет"
    assert found(text) == [("project-management", "управления проектами")]
    assert find_skills(text)[0].score == 0.9


@pytest.mark.parametrize(
    ("text", "skill_id"),
    [
        # more than two words between
        ("Be the source of truth for all candidates", "sourcing"),
        ("планирование сроков работ и смет бюджета", "budgeting"),
        # across a sentence end, a line break or a list separator
        ("Open source. Candidates must know Python", "sourcing"),
        ("- планирование сроков\n- бюджет отдела", "budgeting"),
        ("резка металла; газом не работаем", "gas-cutting"),
        ("Manage inventory: no; team of five", "team-management"),
        # the words in the other order
        ("candidates source the data themselves", "sourcing"),
        # a verb not listed for its noun ("development" has none: "develop" is too vague)
        ("Develop web apps in React", "web-development"),
        # a phrase never takes a word of a multi-word mention
        ("3+ years in B2B content marketing", "b2b-marketing"),
    ],
)
def test_phrase_not_found(text: str, skill_id: str) -> None:
    assert skill_id not in ids(text)


@pytest.mark.parametrize(
    ("text", "skill_id"),
    [
        ("Ensure compliance with employment law.", "compliance"),
        ("Run demos for compliance and security leaders", "securities"),
        ("1+ year of retail pharmacy experience", "retail-sales"),
        ("сопровождение по всем HR-вопросам", "hr-management"),
        ("консолидация грузов на складе", "consolidation"),
    ],
)
def test_ambiguous_words_are_not_skills(text: str, skill_id: str) -> None:
    assert skill_id not in ids(text)


@pytest.mark.parametrize(
    ("text", "skill_id"),
    [
        ("Compliance, AML, KYC", "compliance"),
        ("опыт в комплаенс-контроле", "compliance"),
        ("regulatory compliance experience", "compliance"),
        ("торговля ценными бумагами", "securities"),
        ("мониторинг пациентов в палате", "patient-monitoring"),
        ("настройка мониторинга систем", "monitoring"),
        ("консолидация отчётности по МСФО", "consolidated-financial-statements"),
    ],
)
def test_qualified_spellings_still_found(text: str, skill_id: str) -> None:
    assert skill_id in ids(text)
