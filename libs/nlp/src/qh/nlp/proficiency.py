"""Spoken-language requirements and their CEFR levels (``английский B2``, ``fluent English``).

Word → CEFR (a level word alone, see ``cefr_level``):

- CEFR codes A1…C2, Latin or Cyrillic letters (``В2``), ``+`` ignored.
- LinkedIn's five: Elementary → A2, Limited working → B1, Professional working → B2,
  Full professional → C1, Native or bilingual → native.
- Course levels: Beginner/Starter/Basic → A1, Elementary/Pre-Intermediate → A2,
  Intermediate/Conversational → B1, Upper-Intermediate/Business → B2, Advanced/Fluent → C1,
  Proficiency/Proficient → C2, Native/Mother tongue/Bilingual → native.
- Russian (hh.ru's scale first): начальный → A1, элементарный/базовый/ниже среднего → A2,
  средний/разговорный/технический (reads documentation) → B1,
  средне-продвинутый/выше среднего → B2, продвинутый/свободный → C1, в совершенстве → C2,
  родной/носитель → native.
"""

from __future__ import annotations

import re
from typing import Literal, cast

import msgspec

from qh.nlp.text import match_view, original_span

Level = Literal["A1", "A2", "B1", "B2", "C1", "C2", "native"]

_CYR_TO_LATIN = {"а": "a", "в": "b", "с": "c"}
_LEVEL_WORDS: list[tuple[str, Level]] = [
    (r"native or bilingual(?: proficiency)?", "native"),
    (r"full professional(?: working)?(?: proficiency)?", "C1"),
    (r"professional working(?: proficiency)?", "B2"),
    (r"limited working(?: proficiency)?", "B1"),
    (r"elementary proficiency", "A2"),
    (r"upper[- ]?intermediate", "B2"),
    (r"pre[- ]?intermediate", "A2"),
    (r"intermediate", "B1"),
    (r"advanced", "C1"),
    (r"proficiency|proficient", "C2"),
    (r"beginners?|starter|basic", "A1"),
    (r"elementary", "A2"),
    (r"fluent(?:ly)?|fluency", "C1"),
    (r"native(?: speaker)?|mother tongue|bilingual", "native"),
    (r"conversational", "B1"),
    (r"business", "B2"),
    (r"средне[- ]?продвинут\w*", "B2"),
    (r"выше средн\w*", "B2"),
    (r"ниже средн\w*", "A2"),
    (r"в совершенстве", "C2"),
    (r"продвинут\w*", "C1"),
    (r"средн\w*", "B1"),
    (r"разговорн\w*", "B1"),
    (r"техническ\w*", "B1"),
    (r"начальн\w*", "A1"),
    (r"элементарн\w*", "A2"),
    (r"базов\w*", "A2"),
    (r"свободн\w*", "C1"),
    (r"родн\w*", "native"),
    (r"носител\w*", "native"),
]
# One word-start check in front of all alternatives (not one per alternative): positions
# inside a word then fail at once, which keeps a 5 kB scan well under a millisecond.
_LEVEL_RE = re.compile(
    r"(?<![\w])(?=[a-zа-я])(?:"
    + "|".join(f"(?P<L{i}>{p})" for i, (p, _) in enumerate(_LEVEL_WORDS))
    + r"|(?P<cefr>[abcавс][12]\+?))(?![\w])"
)

_LANGUAGES: dict[str, str] = {
    "en": r"english|англ(?:ийск\w*|\.|(?![\w]))",
    "ru": r"russian|русск\w*",
    "de": r"german|deutsch|немецк\w*",
    "fr": r"french|fran[cç]ais|французск\w*",
    "es": r"spanish|espa[nñ]ol|испанск\w*",
    "it": r"italian|итальянск\w*",
    "pt": r"portuguese|португальск\w*",
    "zh": r"chinese|mandarin|китайск\w*",
    "ja": r"japanese|японск\w*",
    "ko": r"korean|корейск\w*",
    "ar": r"arabic|арабск\w*",
    "tr": r"turkish|турецк\w*",
    "pl": r"Polish|польск\w*",
    "uk": r"ukrainian|украинск\w*",
    "be": r"belarusian|белорусск\w*",
    "kk": r"kazakh|казахск\w*",
    "uz": r"uzbek|узбекск\w*",
    "ky": r"kyrgyz|kirghiz|киргизск\w*|кыргызск\w*",
    "tg": r"tajik|таджикск\w*",
    "az": r"azerbaijani|азербайджанск\w*",
    "hy": r"armenian|армянск\w*",
    "ka": r"georgian|грузинск\w*",
    "he": r"hebrew|иврит\w*",
    "hi": r"hindi|хинди",
    "fa": r"persian|farsi|персидск\w*|фарси",
    "nl": r"dutch|нидерландск\w*|голландск\w*",
    "sv": r"swedish|шведск\w*",
    "no": r"norwegian|норвежск\w*",
    "da": r"danish|датск\w*",
    "fi": r"finnish|финск\w*",
    "cs": r"czech|чешск\w*",
    "el": r"greek|греческ\w*",
    "ro": r"romanian|румынск\w*",
    "hu": r"hungarian|венгерск\w*",
    "sr": r"serbian|сербск\w*",
    "bg": r"bulgarian|болгарск\w*",
    "vi": r"vietnamese|вьетнамск\w*",
    "th": r"thai|тайск\w*",
    "id": r"indonesian|индонезийск\w*",
}
_NAME_RE = re.compile(
    r"(?<![\w])(?=[a-zа-я])(?:"
    + "|".join(f"(?P<{code}>{p.lower()})" for code, p in _LANGUAGES.items())
    + r")(?![\w])"
)
_CASE_SENSITIVE = {"pl": "Polish"}
_PREFIX_GAP = re.compile(r"[^,;:()\n.]{0,25}")
_SUFFIX_GAP = re.compile(r"[^;\n]{0,60}")


class LanguageRequirement(msgspec.Struct, frozen=True):
    """A spoken language (ISO 639-1 ``code``) with its level if stated; ``text`` spans both."""

    code: str
    level: Level | None
    start: int
    end: int
    text: str


def _level_of(match: re.Match[str]) -> Level:
    group = match.lastgroup or ""
    if group == "cefr":
        raw = match.group()
        letter = _CYR_TO_LATIN.get(raw[0], raw[0]).upper()
        return cast(Level, f"{letter}{raw[1]}")
    return _LEVEL_WORDS[int(group[1:])][1]


def cefr_level(text: str) -> Level | None:
    """The level a free-text description names (``Fluent`` → C1, ``родной`` → native)."""
    view = match_view(text)[0]
    found = _LEVEL_RE.search(view)
    return _level_of(found) if found else None


def find_languages(text: str) -> list[LanguageRequirement]:
    """Spoken languages mentioned in ``text``, each with the level written next to it.

    A level binds forward to the language right after it (``fluent English``, within 25
    characters and no punctuation between) or else back to the nearest language before it on
    the same line (``английский — B2``, within 60 characters, no other language between).
    """
    view, offsets = match_view(text)
    names = [
        m
        for m in _NAME_RE.finditer(view)
        if m.lastgroup not in _CASE_SENSITIVE
        or text[slice(*original_span(offsets, *m.span()))] == _CASE_SENSITIVE[m.lastgroup]
    ]
    if not names:
        return []
    levels: list[list[re.Match[str]]] = [[] for _ in names]
    name_starts = [m.start() for m in names]
    for lv in _LEVEL_RE.finditer(view):
        following = next((k for k, s in enumerate(name_starts) if s >= lv.end()), None)
        if following is not None and _PREFIX_GAP.fullmatch(view, lv.end(), name_starts[following]):
            levels[following].append(lv)
            continue
        preceding = next(
            (k for k in range(len(names) - 1, -1, -1) if names[k].end() <= lv.start()), None
        )
        if preceding is not None and _SUFFIX_GAP.fullmatch(
            view, names[preceding].end(), lv.start()
        ):
            levels[preceding].append(lv)
    found = []
    for name, bound in zip(names, levels, strict=True):
        level = _level_of(bound[0]) if bound else None
        start = min([name.start(), *(b.start() for b in bound[:1])])
        end = max([name.end(), *(b.end() for b in bound[:1])])
        s, e = original_span(offsets, start, end)
        found.append(LanguageRequirement(name.lastgroup or "", level, s, e, text[s:e]))
    return found
