"""Russian or English: script share plus common-word cues, no model."""

from __future__ import annotations

import re
from typing import Literal

import msgspec

Language = Literal["ru", "en"]

_CYRILLIC_LETTER = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN_LETTER = re.compile(r"[a-z]", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
_EN_COMMON = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "at",
        "by",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "we",
        "you",
        "they",
        "he",
        "she",
        "it",
        "i",
        "our",
        "your",
        "their",
        "his",
        "her",
        "its",
        "this",
        "that",
        "these",
        "those",
        "what",
        "which",
        "who",
        "whom",
        "where",
        "when",
        "why",
        "how",
        "not",
        "no",
        "yes",
        "all",
        "any",
        "some",
        "more",
        "most",
        "other",
        "such",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "just",
        "also",
        "about",
        "into",
        "over",
        "after",
        "before",
        "between",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "both",
        "each",
        "few",
        "if",
        "but",
        "because",
        "until",
        "while",
        "during",
        "through",
        "above",
        "below",
        "up",
        "down",
        "out",
        "off",
        "work",
        "working",
        "experience",
        "team",
        "years",
        "year",
        "skills",
        "knowledge",
        "strong",
        "ability",
        "requirements",
        "responsibilities",
        "looking",
        "join",
        "us",
    ]
)
#: Share of running English text that is common words: turns a common-word count into an
#: estimate of English words, so tech terms in Latin letters do not make Russian text English.
_EN_COMMON_SHARE = 0.45
_MIXED_MIN_WORDS = 3
_MIXED_MIN_SHARE = 0.2


def is_common_english(word: str) -> bool:
    """One of the most common English words (``the``, ``work``, ``team``...)."""
    return word.lower() in _EN_COMMON


class LanguageGuess(msgspec.Struct, frozen=True):
    """``mixed`` when both languages carry real text (not just English tech terms in Russian)."""

    language: Language
    mixed: bool
    cyrillic_share: float


def detect_language(text: str) -> LanguageGuess:
    """Guess Russian or English; empty or letterless text is English, not mixed."""
    cyrillic = len(_CYRILLIC_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    share = round(cyrillic / (cyrillic + latin), 3) if cyrillic + latin else 0.0
    words = _WORD.findall(text)
    ru_words = sum(1 for w in words if _CYRILLIC_LETTER.match(w))
    en_common = sum(1 for w in words if w.lower() in _EN_COMMON)
    en_words = min(en_common / _EN_COMMON_SHARE, len(words) - ru_words)
    if ru_words == 0 and en_common == 0:
        language: Language = "ru" if share >= 0.5 else "en"
    else:
        language = "ru" if ru_words >= en_words else "en"
    total = ru_words + en_words
    mixed = (
        min(ru_words, en_words) >= _MIXED_MIN_WORDS
        and total > 0
        and min(ru_words, en_words) / total >= _MIXED_MIN_SHARE
    )
    return LanguageGuess(language, mixed, share)
