"""Grounding: does a generated text claim anything the candidate's profile does not say?

``check_grounding(text, facts=..., language=...)`` finds the claims a resume or cover letter
can invent — an employer, a job title, a date or year, a degree, a number, a skill — and
reports each one the facts do not support, with offsets into ``text`` and the reason.
``remove_unsupported(text, report)`` drops the sentences that carry them.

Facts come from the profile (``profile_facts`` over the QH export) and the vacancy
(``vacancy_facts`` over job-data's vacancy): the vacancy's company and title may be named,
but a skill the vacancy asks for is not a fact about the candidate — claimed as the
candidate's it is invented unless the profile has it; named as what the vacancy asks for
("you are looking for Kubernetes", "в вакансии указан Kubernetes") it is fine.

Comparisons are case-, ``ё``- and inflection-blind (pymorphy3 lemmas and an ending strip), so
"в Яндексе" is supported by the employer "Яндекс" and "ведущим аналитиком" by "Ведущий
аналитик"; numbers compare by value ("40 %" is "40%", "1 000" is "1000"); dates by year or
year and month ("January 2020", "январь 2020", "01.2020", "2020-01").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Literal

import msgspec

from qh.nlp.matcher import find_skills
from qh.nlp.morph import analyzer, has_cyrillic, match_keys, russian_stem
from qh.nlp.sentences import split_sentences
from qh.nlp.taxonomy import taxonomy
from qh.nlp.text import fold

__all__ = [
    "ClaimKind",
    "GroundingFacts",
    "GroundingReport",
    "UnsupportedClaim",
    "check_grounding",
    "profile_facts",
    "remove_unsupported",
    "vacancy_facts",
]

ClaimKind = Literal["employer", "title", "date", "degree", "number", "skill"]


class GroundingFacts(msgspec.Struct, kw_only=True):
    """What a generated text may say. Build it with :func:`profile_facts` and
    :func:`vacancy_facts` and combine the two with ``|``."""

    # organisations the candidate was at (employers, schools, volunteer places, clients)
    employers: list[str] = msgspec.field(default_factory=list)
    titles: list[str] = msgspec.field(default_factory=list)
    # "2020" or "2020-01"
    dates: list[str] = msgspec.field(default_factory=list)
    # degree kinds: bachelor, master, specialist, phd, candidate, doctor, mba, associate
    degrees: list[str] = msgspec.field(default_factory=list)
    numbers: list[str] = msgspec.field(default_factory=list)
    # taxonomy ids the candidate has, and skill names the taxonomy does not know
    skills: list[str] = msgspec.field(default_factory=list)
    # names that are not claims (the candidate's own name, cities, project names)
    names: list[str] = msgspec.field(default_factory=list)
    # the vacancy: may be named, is not the candidate's
    vacancy_company: list[str] = msgspec.field(default_factory=list)
    vacancy_titles: list[str] = msgspec.field(default_factory=list)
    vacancy_skills: list[str] = msgspec.field(default_factory=list)
    vacancy_numbers: list[str] = msgspec.field(default_factory=list)

    def __or__(self, other: GroundingFacts) -> GroundingFacts:
        merged = {
            name: list(dict.fromkeys([*getattr(self, name), *getattr(other, name)]))
            for name in self.__struct_fields__
        }
        return GroundingFacts(**merged)


class UnsupportedClaim(msgspec.Struct, frozen=True):
    kind: ClaimKind
    text: str
    start: int
    end: int
    reason: str


class GroundingReport(msgspec.Struct, kw_only=True):
    language: Literal["ru", "en"]
    claims: list[UnsupportedClaim]

    @property
    def grounded(self) -> bool:
        return not self.claims

    def kinds(self) -> set[ClaimKind]:
        return {c.kind for c in self.claims}


# --- comparing words ------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:[+#]+|(?:[.'’-][^\W_]+)*)", re.UNICODE)
_LEGAL = {
    "ооо", "ао", "пао", "зао", "оао", "ип", "нко", "ано", "фгуп", "гк", "inc", "llc", "ltd",
    "gmbh", "corp", "corporation", "co", "plc", "ag", "sa", "llp", "company", "компания",
    "group", "группа", "the",
}  # fmt: skip


@lru_cache(maxsize=65536)
def _word_keys(word: str) -> frozenset[str]:
    folded = fold(word)
    keys = set(match_keys(folded))
    keys.add(folded)
    if has_cyrillic(folded):
        keys.add(russian_stem(folded))
    return frozenset(keys)


def _words(text: str) -> list[str]:
    return [m.group() for m in _WORD.finditer(text)]


def _content(text: str) -> list[frozenset[str]]:
    return [_word_keys(w) for w in _words(text) if fold(w) not in _LEGAL]


def _contains(haystack: list[frozenset[str]], needle: list[frozenset[str]]) -> bool:
    """Every word of ``needle`` has a word in ``haystack`` with a key in common."""
    return bool(needle) and all(any(n & h for h in haystack) for n in needle)


def _name_supported(candidate: str, known: Iterable[str]) -> bool:
    words = _content(candidate)
    if not words:
        return True
    for name in known:
        other = _content(name)
        if _contains(other, words) or _contains(words, other):
            return True
    return False


# --- numbers and dates ----------------------------------------------------------------

_MONTHS = {
    **{m: i for i, m in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"], 1)},
    **{m: i for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)},
    "sept": 9,
    **{m: i for i, m in enumerate(
        ["январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр",
         "октябр", "ноябр", "декабр"], 1)},
}  # fmt: skip
_RU_MONTH = (
    r"(?:январ[ьяе]|феврал[ьяе]|марта?|марте|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]|"
    r"августа?|августе|сентябр[ьяе]|октябр[ьяе]|ноябр[ьяе]|декабр[ьяе])"
)
_EN_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
_DATE = re.compile(
    rf"(?P<month>\b{_EN_MONTH}|(?i:\b{_RU_MONTH}))\s+(?P<y1>{_YEAR})(?:\s*(?:г\.|года?))?(?!\d)"
    rf"|(?<![\d.,/-])(?P<y2>{_YEAR})-(?P<m2>0[1-9]|1[0-2])(?![\d-])"
    rf"|(?<![\d.,/])(?P<m3>0?[1-9]|1[0-2])[./](?P<y3>{_YEAR})(?![\d.,/]\d)"
    rf"|(?<![\w.,/-])(?P<y4>{_YEAR})(?![\w,/-]|\.\d)"
)
_NUMBER = re.compile(
    r"(?<![\w.,/-])(?P<num>\d{1,3}(?:[  ]\d{3})+|\d+(?:[.,]\d+)?)"
    r"(?P<unit>\s?(?:%|[xх×]|[kKкК]|тыс\.?|млн|млрд|M|B|bn|mln|million|billion|thousand|"
    r"процент\w*|percent))?"
    r"(?![^\W\d_]|[.,]\d)"
)


def _number_value(raw: str) -> str | None:
    cleaned = re.sub(r"[  ]", "", raw).replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return format(value.normalize(), "f")


def _numbers_in(text: str) -> set[str]:
    dated = {m.span() for m in _DATE.finditer(text)}
    found: set[str] = set()
    for match in _NUMBER.finditer(text):
        if any(s <= match.start() < e for s, e in dated):
            continue
        if (value := _number_value(match.group("num"))) is not None:
            found.add(value)
    return found


def _month_number(word: str) -> int | None:
    w = fold(word).rstrip(".")
    if w in _MONTHS:
        return _MONTHS[w]
    for stem, number in _MONTHS.items():
        if has_cyrillic(stem) and w.startswith(stem) and len(w) - len(stem) <= 2:
            return number
    return None


def _dates_in(text: str) -> Iterator[tuple[int, int, int, int | None]]:
    """(start, end, year, month or None) of every date in ``text``."""
    for m in _DATE.finditer(text):
        if m.group("y1"):
            yield m.start(), m.end(), int(m.group("y1")), _month_number(m.group("month"))
        elif m.group("y2"):
            yield m.start(), m.end(), int(m.group("y2")), int(m.group("m2"))
        elif m.group("y3"):
            yield m.start(), m.end(), int(m.group("y3")), int(m.group("m3"))
        else:
            yield m.start(), m.end(), int(m.group("y4")), None


def _partial_date(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    m = re.match(r"^(\d{4})(?:-(\d{2}))?", value)
    if not m:
        return []
    return [m.group(1), f"{m.group(1)}-{m.group(2)}"] if m.group(2) else [m.group(1)]


# --- degrees --------------------------------------------------------------------------

_DEGREES: list[tuple[str, re.Pattern[str]]] = [
    ("mba", re.compile(r"\bMBA\b|\bEMBA\b")),
    ("phd", re.compile(r"\bPh\.?\s?D\b|\bdoctorate\b|\bdoctoral\b|\bDPhil\b", re.I)),
    ("candidate", re.compile(r"\bкандидат\w*\s+[а-яё]+\s+наук\b|\bк\.\s?[а-яё]{1,3}\.\s?н\.", re.I)),
    ("doctor", re.compile(r"\bдоктор\w*\s+[а-яё]+\s+наук\b|\bд\.\s?[а-яё]{1,3}\.\s?н\.", re.I)),
    ("master", re.compile(r"\bmaster'?s?\b|\bM\.?Sc\b\.?|\bM\.S\.|\bM\.A\.|\bMEng\b|\bмагист\w*", re.I)),
    ("bachelor", re.compile(r"\bbachelor'?s?\b|\bB\.?Sc\b\.?|\bB\.S\.|\bB\.A\.|\bBEng\b|\bбакалав\w*", re.I)),
    ("associate", re.compile(r"\bassociate'?s? degree\b", re.I)),
    ("specialist", re.compile(r"\bспециалитет\w*|\bдиплом\w* специалиста\b", re.I)),
]  # fmt: skip


def _degree_kinds(text: str) -> set[str]:
    return {kind for kind, pattern in _DEGREES if pattern.search(text)}


# --- titles ---------------------------------------------------------------------------

_TITLE_HEADS = {
    "engineer", "developer", "programmer", "manager", "analyst", "designer", "lead",
    "director", "head", "specialist", "consultant", "architect", "scientist",
    "administrator", "accountant", "tester", "intern", "officer", "coordinator",
    "marketer", "recruiter", "owner", "cto", "ceo", "cfo", "teamlead", "editor", "writer",
    "разработчик", "инженер", "менеджер", "аналитик", "дизайнер", "руководитель",
    "директор", "специалист", "консультант", "архитектор", "администратор", "бухгалтер",
    "тестировщик", "стажёр", "стажер", "маркетолог", "рекрутер", "тимлид", "программист",
    "начальник", "лид", "редактор", "юрист", "экономист", "продакт", "технолог",
}  # fmt: skip
_TITLE_INTRO = re.compile(
    r"\b(?:worked|working|works|served|serving|joined|hired)\s+as\s+(?:an?\s+|the\s+)?"
    r"|\bpromoted\s+to\s+(?:an?\s+|the\s+)?"
    r"|\bas\s+(?:an?|the)\s+|\b(?:role|position|post)\s+(?:of|as)\s+(?:an?\s+)?"
    r"|(?i:\bв\s+должности\s+|\bна\s+(?:позиции|должности)\s+|\bв\s+роли\s+|\bв\s+качестве\s+"
    r"|\bработал[аи]?\s+|\bработаю\s+|\bбыл[аи]?\s+(?:назначен[аы]?\s+)?|\bназначен[аы]?\s+)"
)
_TITLE_STOP = re.compile(
    r"[,.;:!?()«»\"\n—–]|(?:^|\s)(?:at|in|for|with|where|and|on|from|since|to|who|which|"
    r"в|во|на|с|со|и|где|до|от|для|из|у|который|которая)\b",
    re.I,
)


def _title_head(words: list[str]) -> bool:
    for word in words:
        keys = _word_keys(word)
        if keys & _TITLE_HEADS or fold(word) in _TITLE_HEADS:
            return True
    return False


# --- organisations ---------------------------------------------------------------------

_CAP = r"[A-ZА-ЯЁ][\w&'’+-]*(?:\.\w+)*"
_ORG_PATTERNS: list[re.Pattern[str]] = [
    # at Yandex, for Acme Corp, joined Google
    re.compile(rf"\b(?:at|joined|for)\s+(?P<org>{_CAP}(?:[ \t]+(?:&[ \t]+)?{_CAP})*)"),
    # в компании «Ромашка», в банке Тинькофф
    re.compile(
        r"(?i:\b(?:в|во|из|для)\s+(?:компани[июяей]|банке?|фирм[еуы]|организаци[ия]|студи[ия]|"
        r"агентств[еоа]|групп[еы]\s+компаний|холдинг[еа]|корпораци[ия]|стартап[еа]))\s+"
        rf"(?P<org>[«\"“]?[^»\"”\s,.;]+(?:\s+[^»\"”\s,.;]+)*?[»\"”]|{_CAP}(?:[ \t]+{_CAP})*)"
    ),
    # в Яндексе, в Сбербанке (checked below: not a place, not a person)
    re.compile(rf"\b(?:[Вв]|[Вв]о|[Ии]з)\s+(?P<ru>{_CAP}(?:[ \t]+{_CAP})?)"),
    # ООО «Ромашка», АО Тинькофф
    re.compile(
        r"\b(?:ООО|АО|ПАО|ЗАО|ОАО|НКО|ФГУП)\s+"
        rf"(?P<org>[«\"“][^»\"”]+[»\"”]|{_CAP}(?:[ \t]+{_CAP})*)"
    ),
    # Acme Inc., Globex LLC
    re.compile(
        rf"(?P<org>{_CAP}(?:[ \t]+{_CAP})*)\s+(?:Inc\.?|LLC|Ltd\.?|GmbH|Corp\.?|Corporation|PLC|Group|Bank)(?!\w)"
    ),
    # anything in «…» or "…"
    re.compile(r"[«“](?P<org>[^»”\n]{2,60})[»”]|\"(?P<q>[A-ZА-ЯЁ][^\"\n]{1,60})\""),
]
_PLACE_OR_PERSON = {"Geox", "Name", "Surn", "Patr"}


def _ru_org_word(word: str) -> bool:
    """A capitalised Russian word after "в": an organisation unless a place or a person."""
    if not has_cyrillic(word):
        return True
    parses = analyzer().parse(word)
    best = parses[0]
    return not any(g in best.tag for g in _PLACE_OR_PERSON)


# --- the vacancy as the subject ---------------------------------------------------------

_VACANCY_CUE = re.compile(
    r"\b(?:you|your|you're|the role|this role|the position|this position|the vacancy|"
    r"the job|the team is|looking for|requires?|required|requirements?|asks? for)\b"
    r"|(?i:\b(?:вы|вас|вам|ваш\w*|ваканси\w*|требовани\w*|требует\w*|ищете|нужен|нужна|нужно)\b)",
    re.I,
)


_GREETING = re.compile(
    r"^[ \t]*(?:Dear|Hello|Hi|To whom|Sincerely|Best regards|Kind regards|Regards|"
    r"Уважаем\w*|Здравствуй\w*|Добрый день|С уважением)\b[^\n]*$",
    re.M | re.I,
)

# --- the check -------------------------------------------------------------------------

_REASONS = {
    "en": {
        "employer": "the profile names no organisation {x}",
        "title": "the profile has no job title {x}",
        "date": "the profile has no date {x}",
        "date_month": "the profile gives {year} without this month",
        "degree": "the profile has no such degree: {x}",
        "number": "the profile never says {x}",
        "skill": "the profile does not list the skill {x}",
        "skill_asked": "the vacancy asks for {x}, but the profile does not list it",
    },
    "ru": {
        "employer": "в профиле нет организации {x}",
        "title": "в профиле нет должности {x}",
        "date": "в профиле нет даты {x}",
        "date_month": "в профиле указан {year} год без этого месяца",
        "degree": "в профиле нет такой степени: {x}",
        "number": "в профиле нет числа {x}",
        "skill": "в профиле нет навыка {x}",
        "skill_asked": "навык {x} требуется в вакансии, но его нет в профиле",
    },
}


def check_grounding(
    text: str, *, facts: GroundingFacts, language: Literal["ru", "en"] = "en"
) -> GroundingReport:
    reasons = _REASONS.get(language, _REASONS["en"])
    claims: list[UnsupportedClaim] = []

    def claim(kind: ClaimKind, start: int, end: int, reason: str, **kw: Any) -> None:
        piece = text[start:end]
        claims.append(
            UnsupportedClaim(kind, piece, start, end, reasons[reason].format(x=f"«{piece}»", **kw))
        )

    cue_spans = [(s.start, s.end) for s in split_sentences(text) if _VACANCY_CUE.search(s.text)]

    def about_vacancy(at: int) -> bool:
        return any(s <= at < e for s, e in cue_spans)

    # skills (not in a greeting: "Dear Hiring Manager")
    greetings = [(m.start(), m.end()) for m in _GREETING.finditer(text)]
    have = {fold(s) for s in facts.skills}
    asked = {fold(s) for s in facts.vacancy_skills}
    mentions = find_skills(text)
    skill_spans = [(m.start, m.end) for m in mentions]
    organisations = [*facts.employers, *facts.vacancy_company]
    for m in mentions:
        if any(s <= m.start < e for s, e in greetings):
            continue
        if organisations and _name_supported(text[m.start : m.end], organisations):
            continue  # a company named like a skill (Ozon, Yandex): the organisation
        ids = {fold(m.skill.id), fold(m.skill.name)}
        if ids & have:
            continue
        if ids & asked:
            if not about_vacancy(m.start):
                claim("skill", m.start, m.end, "skill_asked")
            continue
        claim("skill", m.start, m.end, "skill")

    def in_skill(start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in skill_spans)

    # dates
    years = {d for d in facts.dates if len(d) == 4}
    months = {d for d in facts.dates if len(d) == 7}
    date_spans: list[tuple[int, int]] = []
    for start, end, year, month in _dates_in(text):
        date_spans.append((start, end))
        if month is None:
            if str(year) not in years and not any(m.startswith(f"{year}-") for m in months):
                claim("date", start, end, "date")
        elif f"{year}-{month:02d}" not in months:
            if str(year) in years and not any(m.startswith(f"{year}-") for m in months):
                claim("date", start, end, "date_month", year=year)
            else:
                claim("date", start, end, "date")

    # numbers
    known_numbers = {v for n in facts.numbers if (v := _number_value(n)) is not None}
    vacancy_numbers = {v for n in facts.vacancy_numbers if (v := _number_value(n)) is not None}
    for match in _NUMBER.finditer(text):
        start, end = match.span()
        if any(s <= start < e for s, e in date_spans) or in_skill(start, end):
            continue
        value = _number_value(match.group("num"))
        if value is None or value in known_numbers:
            continue
        if value in vacancy_numbers and about_vacancy(start):
            continue
        claim("number", start, end, "number")

    # degrees
    for kind, pattern in _DEGREES:
        for match in pattern.finditer(text):
            if kind not in facts.degrees:
                claim("degree", match.start(), match.end(), "degree")

    # employers
    allowed_orgs = [*facts.employers, *facts.vacancy_company, *facts.names]
    not_orgs = [*facts.titles, *facts.vacancy_titles]
    seen: set[tuple[int, int]] = set()
    for pattern in _ORG_PATTERNS:
        for match in pattern.finditer(text):
            group = next(
                g for g in ("org", "ru", "q") if g in pattern.groupindex and match.group(g)
            )
            start, end = match.span(group)
            while end > start and text[end - 1] in ".'’-+":
                end -= 1
            name = text[start:end].strip('«»"“”')
            if (start, end) in seen or in_skill(start, end) or not name:
                continue
            if any(s <= start and end <= e for s, e in date_spans):
                continue
            if group == "ru" and not all(_ru_org_word(w) for w in _words(name)):
                continue
            if group == "ru" and start == match.start() and _sentence_start(text, start):
                continue
            if _covered_by_skills(name) or _name_supported(name, allowed_orgs):
                continue
            if not_orgs and _name_supported(name, not_orgs):
                continue
            if _month_number(name) is not None:
                continue
            seen.add((start, end))
            claim("employer", start, end, "employer")

    # titles
    titles = [*facts.titles, *facts.vacancy_titles]
    for match in _TITLE_INTRO.finditer(text):
        rest = text[match.end() : match.end() + 80]
        stop = _TITLE_STOP.search(rest)
        phrase = rest[: stop.start()] if stop else rest
        words = _words(phrase)[:5]
        if not words or not _title_head(words):
            continue
        start = match.end()
        end = start + phrase.find(words[-1]) + len(words[-1])
        if in_skill(start, end) or _name_supported(text[start:end], titles):
            continue
        claim("title", start, end, "title")

    # one claim per place: an employer or a title wins over a skill or another title inside it
    rank = {"employer": 0, "title": 0, "degree": 1, "date": 1, "number": 1, "skill": 2}
    kept: list[UnsupportedClaim] = []
    for c in sorted(claims, key=lambda c: (rank[c.kind], -(c.end - c.start), c.start)):
        if not any(k.start < c.end and c.start < k.end for k in kept):
            kept.append(c)
    kept.sort(key=lambda c: (c.start, c.end))
    return GroundingReport(language=language, claims=kept)


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before[-1] in ".!?\n"


def _covered_by_skills(name: str) -> bool:
    mentions = find_skills(name)
    covered = sum(m.end - m.start for m in mentions)
    letters = len(name.replace(" ", ""))
    return bool(mentions) and covered >= letters * 0.6


def remove_unsupported(text: str, report: GroundingReport) -> str:
    """``text`` without the sentences (or list items) that carry an unsupported claim."""
    if not report.claims:
        return text
    drop = [
        (s.start, s.end)
        for s in split_sentences(text)
        if any(s.start <= c.start < s.end for c in report.claims)
    ]
    out: list[str] = []
    at = 0
    for start, end in drop:
        out.append(text[at:start])
        at = end
        while at < len(text) and text[at] in " \t":
            at += 1
    out.append(text[at:])
    cleaned = "".join(out)
    cleaned = re.sub(r"[ \t]+\n", "\n", cleaned)
    cleaned = re.sub(r"\n[ \t]*[-•*][ \t]*(?=\n|$)", "", cleaned)  # emptied list items
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned)
    return re.sub(r"[ \t]{2,}", " ", cleaned).strip()


# --- facts from the QH export and job-data's vacancy ------------------------------------


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)


def _skill_ids(texts: Iterable[str]) -> set[str]:
    ids: set[str] = set()
    for text in texts:
        for mention in find_skills(text):
            ids.add(mention.skill.id)
    return ids


def _names_to_skills(names: Iterable[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        skill = taxonomy().lookup(name)
        out.append(skill.id if skill is not None else name)
    return out


def _months_between(start: str | None, end: str | None, today: date) -> int | None:
    if not start:
        return None
    sy, sm = int(start[:4]), int(start[5:7]) if len(start) >= 7 else 1
    if end:
        ey, em = int(end[:4]), int(end[5:7]) if len(end) >= 7 else 12
    else:
        ey, em = today.year, today.month
    return max(0, (ey - sy) * 12 + em - sm + 1)


def profile_facts(export: Mapping[str, Any], *, today: date | None = None) -> GroundingFacts:
    """Facts from a profile in the QH export shape
    (``GET /api/v1/profile/me/export?format=qh``: ``personal`` and the sections)."""
    today = today or date.today()
    personal = export.get("personal") or {}
    facts = GroundingFacts()
    entries = lambda name: [e for e in export.get(name) or [] if isinstance(e, Mapping)]  # noqa: E731

    for job in entries("experience"):
        facts.employers += [job.get("company") or ""]
        facts.titles += [job.get("position") or ""]
        facts.skills += _names_to_skills(job.get("skills") or [])
    for school in entries("education"):
        facts.employers += [school.get("institution") or ""]
        facts.degrees += sorted(_degree_kinds(" ".join(_strings(school))))
        facts.names += [school.get("field") or ""]
    for item in entries("volunteer"):
        facts.employers += [item.get("organization") or ""]
        facts.titles += [item.get("position") or ""]
    for item in entries("projects"):
        facts.names += [item.get("name") or "", item.get("entity") or ""]
        facts.titles += list(item.get("roles") or [])
        facts.skills += _names_to_skills(item.get("keywords") or [])
    for item in entries("certificates"):
        facts.names += [item.get("name") or "", item.get("issuer") or ""]
    for item in entries("achievements"):
        facts.names += [item.get("title") or "", item.get("awarder") or ""]
    for item in entries("publications"):
        facts.names += [item.get("name") or "", item.get("publisher") or ""]
    for item in entries("skills"):
        facts.skills += _names_to_skills([item.get("name") or "", *(item.get("keywords") or [])])
        if isinstance(item.get("years"), int):
            facts.numbers.append(str(item["years"]))
    for item in entries("references"):
        facts.names += [item.get("name") or ""]
    facts.titles += [personal.get("headline") or "", personal.get("desired_position") or ""]
    location = personal.get("location") or {}
    facts.names += [personal.get("full_name") or "", *(_strings(location))]
    facts.names += [link.get("network") or "" for link in personal.get("links") or []]

    everything = [*_strings(personal)]
    for name, value in export.items():
        if name not in ("personal", "schema_version"):
            everything.extend(_strings(value))
    facts.skills += sorted(_skill_ids(everything))
    for text in everything:
        facts.numbers += sorted(_numbers_in(text))
        for _, _, year, month in _dates_in(text):
            facts.dates.append(f"{year}-{month:02d}" if month else str(year))
        facts.degrees += sorted(_degree_kinds(text))
        facts.dates += _partial_date(text) if re.fullmatch(r"\d{4}(-\d{2}){0,2}", text) else []

    # durations: "6 years", "18 months" may be said of the career or of one job
    total = 0
    for job in entries("experience"):
        months = _months_between(job.get("start_date"), job.get("end_date"), today)
        if months is None:
            continue
        total += months
        facts.numbers += [str(months // 12), str(round(months / 12))]
    facts.numbers += [str(total // 12), str(round(total / 12)), str(-(-total // 12))]
    return _cleaned(facts)


def vacancy_facts(vacancy: Mapping[str, Any]) -> GroundingFacts:
    """Facts from job-data's vacancy: its company and title may be named; the skills it asks
    for are not the candidate's."""
    requirements = vacancy.get("requirements") or {}
    asked: list[str] = []
    for skill in requirements.get("skills") or []:
        if isinstance(skill, Mapping):
            asked += _names_to_skills(
                [n for n in (skill.get("canonical"), skill.get("name")) if isinstance(n, str)]
            )
    text = " ".join(
        _strings(
            [
                vacancy.get("title"),
                vacancy.get("description_text"),
                vacancy.get("responsibilities"),
                requirements,
            ]
        )
    )
    asked += sorted(_skill_ids([text]))
    salary = vacancy.get("salary") or {}
    experience = vacancy.get("experience") or {}
    numbers = sorted(_numbers_in(text)) + [
        str(v)
        for v in (salary.get("min"), salary.get("max"), *experience.values())
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    facts = GroundingFacts(
        vacancy_company=[vacancy.get("company") or ""],
        vacancy_titles=[vacancy.get("title") or ""],
        vacancy_skills=asked,
        vacancy_numbers=numbers,
    )
    return _cleaned(facts)


def _cleaned(facts: GroundingFacts) -> GroundingFacts:
    values = {
        name: list(dict.fromkeys(v.strip() for v in getattr(facts, name) if v and v.strip()))
        for name in facts.__struct_fields__
    }
    return GroundingFacts(**values)
