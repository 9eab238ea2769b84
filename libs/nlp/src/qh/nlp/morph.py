"""Lemmas: pymorphy3 for Russian, a light plural strip for English.

The MorphAnalyzer loads its dictionaries on first use (about 100 ms), never at import.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from qh.nlp.text import fold

if TYPE_CHECKING:
    import pymorphy3

_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)

# English words that end in "s" but are not plurals (or whose singular would mislead).
_KEEP_S = frozenset(
    [
        "kubernetes",
        "jenkins",
        "pandas",
        "redis",
        "express",
        "aws",
        "ios",
        "macos",
        "js",
        "css",
        "sass",
        "less",
        "analytics",
        "physics",
        "mathematics",
        "economics",
        "logistics",
        "statistics",
        "ethics",
        "graphics",
        "news",
        "series",
        "species",
        "canvas",
        "atlas",
        "business",
        "windows",
        "teams",
        "sales",
        "postgres",
        "always",
        "perhaps",
        "this",
        "its",
        "yes",
        "bus",
        "gas",
        "plus",
        "status",
        "versus",
        "campus",
        "bonus",
        "focus",
        "virus",
        "chaos",
        "has",
        "was",
        "does",
        "goes",
        "towards",
        "various",
        "previous",
        "numerous",
        "serious",
        "ms",
        "gis",
        "cms",
        "crm",
        "erp",
        "lms",
        "hris",
        "ats",
        "sos",
        "dns",
        "tls",
        "https",
        "ads",
        "wms",
        "tms",
        "ehs",
        "nodejs",
        "emacs",
        "cors",
        "nas",
        "devops",
        "finops",
        "mlops",
        "dataops",
        "gitops",
        "secops",
        "dynamics",
        "nuxtjs",
        "nextjs",
        "vuejs",
    ]
)
_CONFIDENT_GUESS = 0.3
# An alias word's stem shorter than this is not indexed: ``руби`` (Ruby) must not match ``руб``.
_MIN_ALIAS_STEM = 4
# Verb readings of an alias word are not indexed: ``руби`` is not ``рубить``.
_VERB_POS = frozenset({"VERB", "INFN", "GRND", "PRTS"})
_RU_ENDINGS = tuple(
    sorted(
        [
            "иями",
            "ием",
            "иям",
            "иях",
            "ии",
            "ью",
            "ями",
            "ами",
            "ого",
            "его",
            "ому",
            "ему",
            "ыми",
            "ими",
            "ией",
            "ией",
            "ьми",
            "ость",
            "ости",
            "остью",
            "ий",
            "ый",
            "ой",
            "ая",
            "яя",
            "ое",
            "ее",
            "ые",
            "ие",
            "ых",
            "их",
            "ым",
            "им",
            "ую",
            "юю",
            "ов",
            "ев",
            "ей",
            "ам",
            "ям",
            "ах",
            "ях",
            "ом",
            "ем",
            "ою",
            "ею",
            "ию",
            "ия",
            "ие",
            "ий",
            "а",
            "я",
            "о",
            "е",
            "и",
            "ы",
            "у",
            "ю",
            "ь",
            "й",
        ],
        key=len,
        reverse=True,
    )
)


@cache
def analyzer() -> pymorphy3.MorphAnalyzer:
    """The shared MorphAnalyzer, created on first call."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


def has_cyrillic(word: str) -> bool:
    return _CYRILLIC.search(word) is not None


def english_lemma(word: str) -> str:
    """Lowercase with a simple plural strip: ``databases`` → ``database``, ``APIs`` → ``api``."""
    if len(word) > 2 and word[-1] == "s" and word[:-1].isupper():
        return word[:-1].lower()  # an acronym's plural: APIs, SDKs, LLMs
    w = word.lower()
    if len(w) < 4 or not w.endswith("s") or w in _KEEP_S or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "xes", "ches", "shes", "zes")):
        return w[:-2]
    if w.endswith(("ss", "us", "is", "os")):
        return w
    return w[:-1]


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """Dictionary form: pymorphy3's normal form for Cyrillic words, else a lowercased English one."""
    if has_cyrillic(word):
        return str(analyzer().parse(word)[0].normal_form)
    return english_lemma(word)


def russian_stem(word: str) -> str:
    """Strip one inflectional ending (keeps at least three letters): a fallback for words the
    dictionary does not know (``Экселе`` → ``эксел`` like ``Эксель``)."""
    if len(word) < 4 or not word.isalpha():
        return word
    for ending in _RU_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


@lru_cache(maxsize=65536)
def match_keys(folded: str) -> frozenset[str]:
    """The keys a folded word of the text matches under in the lemma index.

    Russian: all of pymorphy3's normal forms, plus the stripped stem when the dictionary does
    not know the word (``экселе``); English: the plural strip.
    """
    if not has_cyrillic(folded):
        return frozenset({english_lemma(folded)})
    keys = {fold(p.normal_form) for p in analyzer().parse(folded)}
    if not is_known_russian(folded):
        keys.add(russian_stem(folded))
    return frozenset(keys)


@lru_cache(maxsize=65536)
def alias_match_keys(folded: str) -> frozenset[str]:
    """The keys a folded word of an alias is indexed under.

    A word the dictionary knows: its normal forms and its stem (``эксель`` also as ``эксел``,
    for the unknown ``Экселе``). An unknown word: itself plus only pymorphy3's confident guesses
    (``микросервисная`` → ``микросервисный``); a brand gets poor ones (``юнити`` → ``юнить``,
    like the unrelated ``юнит``), and they are left out.
    """
    if not has_cyrillic(folded):
        return frozenset({english_lemma(folded)})
    parses = analyzer().parse(folded)
    if not is_known_russian(folded):
        confident = {fold(p.normal_form) for p in parses if p.score >= _CONFIDENT_GUESS}
        return frozenset({folded, *confident})
    keys = {fold(p.normal_form) for p in parses if str(p.tag.POS) not in _VERB_POS}
    keys.add(folded)
    stem = russian_stem(folded)
    if len(stem) >= _MIN_ALIAS_STEM:
        keys.add(stem)
    return frozenset(keys)


@lru_cache(maxsize=65536)
def is_known_russian(folded: str) -> bool:
    """True when the dictionary knows the word (so it is not a typo worth fuzzy matching)."""
    return bool(analyzer().word_is_known(folded))
