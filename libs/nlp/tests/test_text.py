import pytest

from qh.nlp import detect_language, fold, lemma, normalize_text, tokenize


def test_normalize_text_cleans_typography_and_keeps_paragraphs() -> None:
    raw = "  «Привет»\u00a0—  мир\u00ad!\r\n\r\n\r\n\tвторая\u200b строка  "
    assert normalize_text(raw) == '"Привет" - мир!\n\nвторая строка'


def test_normalize_text_is_nfc() -> None:
    assert normalize_text("e\u0301") == "\u00e9"


@pytest.mark.parametrize("text", ["Ёлка PostgreSQL", "Straße", "İstanbul", "ﬁnance"])
def test_fold_keeps_length(text: str) -> None:
    assert len(fold(text)) == len(text)


def test_fold_maps_yo() -> None:
    assert fold("Учёт ЁЖ") == "учет еж"


def test_tokenize_keeps_punctuated_names_with_offsets() -> None:
    text = "Знание C++, C#, .NET, Node.js, 1С и CI/CD."
    tokens = tokenize(text)
    assert [t.text for t in tokens] == [
        "Знание",
        "C++",
        "C#",
        ".NET",
        "Node.js",
        "1С",
        "и",
        "CI",
        "CD",
    ]
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert tokens[0].lemma == "знание"


def test_tokenize_offsets_survive_soft_hyphens() -> None:
    text = "опыт с Kuber\u00adnetes"
    token = tokenize(text)[-1]
    assert token.text == "Kuber\u00adnetes"
    assert text[token.start : token.end] == token.text


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("проектами", "проект"),
        ("учёта", "учёт"),
        ("Питоном", "питон"),
        ("databases", "database"),
        ("APIs", "api"),
        ("Kubernetes", "kubernetes"),
        ("technologies", "technology"),
    ],
)
def test_lemma(word: str, expected: str) -> None:
    assert lemma(word) == expected


@pytest.mark.parametrize(
    ("text", "language", "mixed"),
    [
        ("Мы ищем опытного бэкенд-разработчика в команду платежей.", "ru", False),
        (
            "Ищем разработчика: Python, Django, PostgreSQL, Docker, Kubernetes, Redis, Kafka.",
            "ru",
            False,
        ),
        ("We are looking for a backend engineer to join our payments team.", "en", False),
        ("Senior Python Developer", "en", False),
        (
            "Мы ищем бэкенд-разработчика в команду платежей. "
            "You will work with our team on the core of the product and talk to the clients.",
            "en",
            True,
        ),
        ("", "en", False),
    ],
)
def test_detect_language(text: str, language: str, mixed: bool) -> None:
    guess = detect_language(text)
    assert guess.language == language
    assert guess.mixed is mixed
    assert 0.0 <= guess.cyrillic_share <= 1.0


def test_cyrillic_share() -> None:
    assert detect_language("абв abc").cyrillic_share == 0.5
