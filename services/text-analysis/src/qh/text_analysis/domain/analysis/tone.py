"""Tone of a resume or letter: sentiment, formality and wording issues with offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qh.nlp import fold, tokenize
from qh.nlp.lexicon import (
    CLICHES,
    FILLERS,
    INFORMAL,
    NEGATIONS,
    NEGATIVE_PHRASES,
    NEGATIVE_WORDS,
    POSITIVE_WORDS,
)

_IRREGULAR = [
    "done",
    "made",
    "given",
    "taken",
    "written",
    "built",
    "led",
    "run",
    "seen",
    "known",
    "found",
    "shown",
    "chosen",
    "held",
    "kept",
    "sent",
    "spent",
    "brought",
    "bought",
    "taught",
    "thought",
    "told",
    "paid",
    "set",
    "put",
    "cut",
    "won",
    "begun",
    "drawn",
    "driven",
]
PASSIVE = re.compile(
    r"\b(?:am|is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?(?:\w{3,}ed|"
    + "|".join(_IRREGULAR)
    + r")\b",
    re.IGNORECASE,
)


@dataclass
class ToneIssue:
    start: int
    end: int
    text: str
    kind: str  # cliche | passive | filler | negative
    suggestion: str


@dataclass
class Tone:
    language: str
    label: str
    score: float
    formality: float
    formality_label: str
    confidence: float
    issues: list[ToneIssue]


def _phrases(text: str, folded: str, phrase: str) -> list[tuple[int, int]]:
    pattern = r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])"
    return [(m.start(), m.end()) for m in re.finditer(pattern, folded)]


def analyse_tone(text: str, language: str) -> Tone:
    ru = language == "ru"
    folded = fold(text)
    issues: list[ToneIssue] = []
    taken: list[tuple[int, int]] = []

    def add(s: int, e: int, kind: str, suggestion: str) -> None:
        if any(a < e and s < b for a, b in taken):
            return
        taken.append((s, e))
        issues.append(ToneIssue(s, e, text[s:e], kind, suggestion))

    for phrase, _, advice in sorted(CLICHES, key=lambda c: -len(c[0])):
        for s, e in _phrases(text, folded, phrase):
            add(s, e, "cliche", advice)
    for phrase, _advice_lang, advice in NEGATIVE_PHRASES:
        for s, e in _phrases(text, folded, phrase):
            add(s, e, "negative", advice)
    for phrase, phrase_lang in FILLERS:
        for s, e in _phrases(text, folded, phrase):
            add(
                s, e, "filler",
                ("уберите слово-паразит" if phrase_lang == "ru" else "drop the filler word"),
            )  # fmt: skip
    for m in PASSIVE.finditer(text):
        add(m.start(), m.end(), "passive", "use the active voice: say who did it")

    tokens = tokenize(text)
    positive = negative = 0
    for index, token in enumerate(tokens):
        lemma = fold(token.lemma)
        flip = index > 0 and fold(tokens[index - 1].lemma) in NEGATIONS
        if lemma in POSITIVE_WORDS:
            positive, negative = (positive, negative + 1) if flip else (positive + 1, negative)
        elif lemma in NEGATIVE_WORDS:
            positive, negative = (positive + 1, negative) if flip else (positive, negative + 1)
    cues = positive + negative
    score = (positive - negative) / (cues + 2)
    label = "positive" if score > 0.15 else "negative" if score < -0.15 else "neutral"
    words = max(1, len(tokens))
    confidence = round(min(1.0, cues / max(3.0, words / 25)), 2)

    informal = sum(1 for t in tokens if fold(t.text) in INFORMAL)
    informal += len(re.findall(r"!{2,}|\?{2,}|\)\)+|:\)|:D|[\U0001F300-\U0001FAFF]", text))
    informal += len(re.findall(r"\b\w+'(?:m|re|ll|ve|d|t)\b", text)) if not ru else 0
    long_words = sum(1 for t in tokens if len(t.text) >= 9)
    formality = 0.5 + 0.5 * min(1.0, long_words / words * 4) - min(0.6, informal / words * 10)
    formality = round(max(0.0, min(1.0, formality)), 2)
    formality_label = "formal" if formality >= 0.6 else "informal" if formality < 0.4 else "neutral"
    return Tone(
        language=language,
        label=label,
        score=round(score, 2),
        formality=formality,
        formality_label=formality_label,
        confidence=confidence,
        issues=sorted(issues, key=lambda i: i.start),
    )
