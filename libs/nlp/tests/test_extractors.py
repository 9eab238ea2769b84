import pytest

from qh.nlp import cefr_level, find_experience_years, find_languages, find_salary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("английский B2", [("en", "B2", "английский B2")]),
        ("English — Upper-Intermediate", [("en", "B2", "English — Upper-Intermediate")]),
        ("fluent English", [("en", "C1", "fluent English")]),
        ("свободный английский", [("en", "C1", "свободный английский")]),
        ("немецкий язык на уровне A2", [("de", "A2", "немецкий язык на уровне A2")]),
        ("native Russian", [("ru", "native", "native Russian")]),
        ("Английский язык: В2 (Cyrillic В)", [("en", "B2", "Английский язык: В2")]),
        (
            "fluent English, basic German",
            [("en", "C1", "fluent English"), ("de", "A1", "basic German")],
        ),
        (
            "Английский B2, немецкий A2",
            [("en", "B2", "Английский B2"), ("de", "A2", "немецкий A2")],
        ),
        ("Знание китайского языка приветствуется", [("zh", None, "китайского")]),
        (
            "English (Professional working proficiency)",
            [("en", "B2", "English (Professional working proficiency")],
        ),
    ],
)
def test_find_languages(text: str, expected: list[tuple[str, str | None, str]]) -> None:
    got = find_languages(text)
    assert [(r.code, r.level, r.text) for r in got] == expected
    assert all(text[r.start : r.end] == r.text for r in got)


def test_polish_the_verb_is_not_a_language() -> None:
    assert find_languages("polish the UI") == []
    assert [r.code for r in find_languages("Polish B1")] == ["pl"]


def test_level_words_far_from_languages_are_ignored() -> None:
    (req,) = find_languages("Advanced Excel skills.\nEnglish")
    assert req.level is None


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Fluent", "C1"),
        ("свободно", "C1"),
        ("свободное владение", "C1"),
        ("родной", "native"),
        ("B2", "B2"),
        ("c1+", "C1"),
        ("Professional working proficiency", "B2"),
        ("Limited working proficiency", "B1"),
        ("Full professional proficiency", "C1"),
        ("Native or bilingual proficiency", "native"),
        ("Elementary proficiency", "A2"),
        ("базовый", "A2"),
        ("начальный", "A1"),
        ("средний", "B1"),
        ("разговорный", "B1"),
        ("выше среднего", "B2"),
        ("продвинутый", "C1"),
        ("технический", "B1"),
        ("Pre-Intermediate", "A2"),
        ("Intermediate", "B1"),
        ("Upper Intermediate", "B2"),
        ("Advanced", "C1"),
        ("Proficiency", "C2"),
        ("в совершенстве", "C2"),
        ("Beginner", "A1"),
        ("whatever", None),
    ],
)
def test_cefr_level(text: str, level: str | None) -> None:
    assert cefr_level(text) == level


@pytest.mark.parametrize(
    ("text", "low", "high", "surface"),
    [
        ("Опыт от 3 лет", 3, None, "от 3 лет"),
        ("3+ years of experience", 3, None, "3+ years"),
        ("не менее 5 лет в продажах", 5, None, "не менее 5 лет"),
        ("2-4 years in backend", 2, 4, "2-4 years"),
        ("от 1 года до 3 лет", 1, 3, "от 1 года до 3 лет"),
        ("опыт работы 3–6 лет", 3, 6, "3–6 лет"),
        ("at least five years of experience", 5, None, "at least five years"),
        ("опыт от 3-х лет", 3, None, "от 3-х лет"),
        ("опыт работы от 1,5 лет", 1.5, None, "от 1,5 лет"),
        ("опыт работы 2 года", 2, None, "2 года"),
        ("up to 2 years of experience", None, 2, "up to 2 years"),
        ("Можно без опыта", 0, 0, "без опыта"),
    ],
)
def test_find_experience_years(
    text: str, low: float | None, high: float | None, surface: str
) -> None:
    (found,) = find_experience_years(text)
    assert (found.min, found.max) == (low, high)
    assert text[found.start : found.end] == surface


def test_bare_years_without_experience_cue_are_ignored() -> None:
    assert find_experience_years("Компании 20 лет, офис у метро") == []


@pytest.mark.parametrize(
    ("text", "low", "high", "currency", "gross", "period"),
    [
        ("от 150 000 до 200 000 ₽ на руки", 150_000, 200_000, "RUB", False, None),
        ("$120k–150k", 120_000, 150_000, "USD", None, None),
        ("120 000 - 180 000 руб.", 120_000, 180_000, "RUB", None, None),
        ("€60,000 per year", 60_000, 60_000, "EUR", None, "year"),
        ("до 300 тыс. руб", None, 300_000, "RUB", None, None),
        ("100 000 KZT", 100_000, 100_000, "KZT", None, None),
        ("от 200 000 ₽ до вычета налогов", 200_000, None, "RUB", True, None),
        ("3000-4000 USD gross", 3000, 4000, "USD", True, None),
        ("5 000 EUR net per month", 5000, 5000, "EUR", False, "month"),
        ("Зарплата на руки: 150 000 руб/мес", 150_000, 150_000, "RUB", False, "month"),
        ("$50/hour", 50, 50, "USD", None, "hour"),
        ("1,5 млн руб в год", 1_500_000, 1_500_000, "RUB", None, "year"),
        ("от 500 000 тенге", 500_000, None, "KZT", None, None),
        ("Оклад: 90000", 90_000, 90_000, None, None, None),
    ],
)
def test_find_salary(
    text: str,
    low: float | None,
    high: float | None,
    currency: str | None,
    gross: bool | None,
    period: str | None,
) -> None:
    (salary,) = find_salary(text)
    assert (salary.min, salary.max, salary.currency, salary.gross, salary.period) == (
        low,
        high,
        currency,
        gross,
        period,
    )
    assert salary.start >= 0
    assert salary.end <= len(text)


def test_salary_span_covers_amount_and_tail() -> None:
    text = "Условия: от 150 000 до 200 000 ₽ на руки, ДМС."
    (salary,) = find_salary(text)
    assert text[salary.start : salary.end] == "от 150 000 до 200 000 ₽ на руки"


@pytest.mark.parametrize(
    "text",
    ["опыт от 3 лет", "2-4 years", "ASP.NET 8", "офис в 5 минутах от метро", "Python 3.11"],
)
def test_not_a_salary(text: str) -> None:
    assert find_salary(text) == []
