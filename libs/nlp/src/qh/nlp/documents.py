"""What a resume and a vacancy say, with offsets: sections, skills, terms, roles and their
years, spoken languages, education level, title and salient keywords.

``analyse_vacancy(text)`` and ``analyse_resume(text)`` are pure functions of the text (no
model): the text-analysis service scores one against the other, the generators read the
same facts. Every span is an offset into the text as given (``text[start:end]``).

Vacancy terms (what a candidate is asked for):

* taxonomy skills (``find_skills``) outside the benefits and the company description;
  optional when in a nice-to-have section or a clause with an optional cue ("желательно",
  "будет плюсом", "nice to have", "is a plus", "preferred"), else required;
* list items of a requirements section that the taxonomy does not know, by their head
  ("Customer Service: experience in helping clients" gives "Customer Service"; an item of
  at most four words is its own head), matched in a resume by all their content lemmas.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import msgspec

from qh.nlp.experience import find_experience_years
from qh.nlp.language import detect_language
from qh.nlp.lexicon import EDUCATION_LEVELS, STOP_WORDS, SectionKind, heading_kind
from qh.nlp.matcher import find_skills
from qh.nlp.proficiency import LanguageRequirement, find_languages
from qh.nlp.sentences import TextSpan, line_spans, split_sentences
from qh.nlp.text import fold
from qh.nlp.tokens import Token, tokenize

__all__ = [
    "DateRange",
    "Education",
    "Keyword",
    "ResumeFacts",
    "Section",
    "Term",
    "VacancyFacts",
    "YearsAsked",
    "analyse_resume",
    "analyse_vacancy",
    "content_lemmas",
    "find_date_ranges",
    "find_education",
    "find_sections",
]


class Section(msgspec.Struct, frozen=True):
    kind: SectionKind
    heading: str | None
    start: int  # the section's body, after its heading line
    end: int


class Term(msgspec.Struct, frozen=True):
    """Something a vacancy asks for. ``key`` is the skill id (``skill:python``) or the
    folded content lemmas of a term (``term:customer service``)."""

    key: str
    name: str
    start: int
    end: int
    text: str
    kind: str  # "skill" | "term"
    required: bool
    lemmas: tuple[str, ...] = ()


class YearsAsked(msgspec.Struct, frozen=True):
    years: float
    start: int
    end: int
    sentence: TextSpan


class Education(msgspec.Struct, frozen=True):
    level: int  # 1 secondary, 2 vocational, 3 higher/bachelor, 4 master, 5 PhD
    start: int
    end: int
    text: str


class Keyword(msgspec.Struct, frozen=True):
    lemma: str
    text: str
    start: int
    end: int
    weight: float


class DateRange(msgspec.Struct, frozen=True):
    """A period of a resume line: ``2019 - 2023``, ``03.2019 – н.в.``, ``Jan 2020 – Present``."""

    start_month: int  # months since year 0: year * 12 + month - 1
    end_month: int
    start: int
    end: int
    line: TextSpan  # the line (and the line before, when the dates stand alone)
    current: bool

    @property
    def years(self) -> float:
        return max(0, self.end_month - self.start_month + 1) / 12


class VacancyFacts(msgspec.Struct, kw_only=True):
    text: str
    language: str
    title: TextSpan | None
    sections: list[Section]
    sentences: list[TextSpan]
    requirement_sentences: list[TextSpan]
    terms: list[Term]
    languages: list[LanguageRequirement]
    years: list[YearsAsked]
    education: Education | None
    keywords: list[Keyword]


class ResumeFacts(msgspec.Struct, kw_only=True):
    text: str
    language: str
    mixed: bool
    headline: TextSpan | None
    sections: list[Section]
    sentences: list[TextSpan]
    tokens: list[Token]
    lemma_spans: dict[str, list[tuple[int, int]]]
    skills: dict[str, list[tuple[int, int]]]  # skill id -> spans
    languages: list[LanguageRequirement]
    roles: list[DateRange]
    total_years: float | None
    education: Education | None


# --- sections ---------------------------------------------------------------------------

_HEADING_SHAPE = re.compile(r"^\s*(?:#{1,6}\s*)?(?P<words>[^\n]{1,60}?)\s*:?\s*$")


def find_sections(text: str) -> list[Section]:
    """Sections opened by known heading lines (``## Skills``, ``Требования:``); the text
    before the first heading is an ``other`` section when it has anything in it."""
    found: list[tuple[SectionKind, str, int, int]] = []  # kind, heading, line start, body start
    for line in re.finditer(r"[^\n]+", text):
        raw = line.group()
        head, _, rest = raw.partition(":")
        kind = heading_kind(raw) if len(raw) <= 70 else None
        if kind is None and rest.strip() == "" and ":" in raw:
            kind = heading_kind(head)
        if kind is not None:
            found.append((kind, raw.strip().strip("#*:= ").strip(), line.start(), line.end()))
    sections: list[Section] = []
    first = found[0][2] if found else len(text)
    if text[:first].strip():
        sections.append(Section("other", None, 0, first))
    for index, (kind, heading, _, body) in enumerate(found):
        end = found[index + 1][2] if index + 1 < len(found) else len(text)
        sections.append(Section(kind, heading, body, end))
    return sections


def _section_at(sections: list[Section], offset: int) -> Section | None:
    for section in sections:
        if section.start <= offset < section.end:
            return section
    return None


# --- lemmas and keywords ------------------------------------------------------------------

_WORD = re.compile(r"^[^\W\d_][\w+#.\-]*$")


def content_lemmas(tokens: list[Token]) -> list[Token]:
    """Tokens that carry meaning: words of 2+ letters that are not stop words."""
    return [
        t
        for t in tokens
        if len(t.lemma) >= 2 and _WORD.match(t.text) and fold(t.lemma) not in STOP_WORDS
    ]


def _lemma_spans(tokens: list[Token]) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {}
    for token in tokens:
        spans.setdefault(fold(token.lemma), []).append((token.start, token.end))
    return spans


# --- education ----------------------------------------------------------------------------

_EDUCATION_RE = re.compile(
    r"(?<![\w])(?:"
    + "|".join(re.escape(p) for p, _ in sorted(EDUCATION_LEVELS, key=lambda x: -len(x[0])))
    + r")(?![\w])"
)
_EDUCATION = dict(EDUCATION_LEVELS)


def find_education(text: str, sections: list[Section] | None = None) -> Education | None:
    """The highest education level named (in the education section when there is one)."""
    folded = fold(text)
    scope = [s for s in (sections or []) if s.kind in ("education", "requirements")]
    windows = [(s.start, s.end) for s in scope] or [(0, len(text))]
    best: Education | None = None
    for start, end in windows:
        for match in _EDUCATION_RE.finditer(folded, start, end):
            level = _EDUCATION[match.group()]
            if match.group() in ("среднее",) and folded[
                match.end() : match.end() + 14
            ].strip().startswith(("специальн", "профессионал")):
                continue
            if best is None or level > best.level:
                best = Education(
                    level, match.start(), match.end(), text[match.start() : match.end()]
                )
    return best


# --- date ranges --------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    "янв": 1, "фев": 2, "мар": 3, "апр": 4, "мая": 5, "май": 5, "июн": 6, "июл": 7, "авг": 8,
    "сен": 9, "окт": 10, "ноя": 11, "дек": 12,
}  # fmt: skip
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|янв|фев|мар|апр|ма[йя]|июн|июл|авг|сен|окт|ноя|дек)[a-zа-я]*\.?"
_POINT = (
    rf"(?:(?P<{{p}}m>\d{{{{1,2}}}})[./-]|(?P<{{p}}w>{_MONTH})\s+)?(?P<{{p}}y>(?:19|20)\d{{{{2}}}})"
)
_NOW = (
    r"(?P<now>present|now|current|today|till now|to date|ongoing|по настоящее время|"
    r"настоящее время|по н\.\s?в\.|н\.\s?в\.|по сей день|сейчас|наст\. время|текущее время)"
)
_RANGE_RE = re.compile(
    r"(?<![\w])"
    + _POINT.format(p="a").replace("{{", "{").replace("}}", "}")
    + r"\s*(?:-|–|—|to|по|до|until)\s*(?:"
    + _POINT.format(p="b").replace("{{", "{").replace("}}", "}")
    + "|"
    + _NOW
    + r")(?![\w])",
    re.IGNORECASE,
)


def _month_of(match: re.Match[str], prefix: str, default: int) -> int:
    year = int(match.group(f"{prefix}y"))
    number, word = match.group(f"{prefix}m"), match.group(f"{prefix}w")
    month = default
    if number and 1 <= int(number) <= 12:
        month = int(number)
    elif word:
        month = _MONTHS.get(fold(word)[:3], default)
    return year * 12 + month - 1


def find_date_ranges(text: str, today: date | None = None) -> list[DateRange]:
    """Periods written on resume lines, each with the line it describes."""
    today = today or date.today()
    now = today.year * 12 + today.month - 1
    lines = line_spans(text)
    ranges: list[DateRange] = []
    for index, line in enumerate(lines):
        for match in _RANGE_RE.finditer(text, line.start, line.end):
            start = _month_of(match, "a", 1)
            current = bool(match.group("now"))
            end = now if current else _month_of(match, "b", 12)
            if (
                match.group("bw") is None
                and match.group("bm") is None
                and match.group("aw") is None
                and match.group("am") is None
                and not current
            ):
                # "2019 - 2023": years without months count whole years from January.
                end = (
                    int(match.group("by")) * 12 - 1
                    if int(match.group("by")) > int(match.group("ay"))
                    else end
                )
            described = line
            rest = (text[line.start : match.start()] + text[match.end() : line.end]).strip(
                " ()|,-–—"
            )
            if len(re.findall(r"[^\W\d_]{2,}", rest)) < 1 and index > 0:
                previous = lines[index - 1]
                described = TextSpan(text[previous.start : line.end], previous.start, line.end)
            ranges.append(DateRange(start, end, match.start(), match.end(), described, current))
    return ranges


def _total_years(ranges: list[DateRange]) -> float | None:
    if not ranges:
        return None
    months: set[int] = set()
    for period in ranges:
        if period.end_month >= period.start_month:
            months.update(range(period.start_month, period.end_month + 1))
    return len(months) / 12


# --- vacancy ------------------------------------------------------------------------------

_OPTIONAL_CUE = re.compile(
    r"желательн|приветству|будет плюсом|плюсом будет|будет преимуществ|преимуществом|"
    r"nice to have|is a plus|a plus|preferred|preferably|bonus|ideally|advantage",
    re.IGNORECASE,
)
_IGNORED: frozenset[SectionKind] = frozenset({"benefits", "about", "contacts"})
_ASKING: frozenset[SectionKind] = frozenset(
    {"requirements", "optional", "responsibilities", "title", "skills"}
)
_YEARS_IN = re.compile(r"\d+\s*\+?\s*(?:years?|yrs?|лет|года?)\b", re.IGNORECASE)
_ITEM_HEAD = re.compile(r"^(?P<head>[^:.\n]{2,60}?)\s*[:—–-]\s+\S")


def _clause(text: str, start: int, end: int) -> str:
    left = max(text.rfind(c, 0, start) for c in ".;\n!?")
    rights = [i for i in (text.find(c, end) for c in ".;\n!?") if i >= 0]
    return text[left + 1 : min(rights) if rights else len(text)]


def analyse_vacancy(text: str, *, title: str | None = None) -> VacancyFacts:
    """The facts of a vacancy's text; ``title`` when the caller knows it apart."""
    guess = detect_language(text)
    sections = find_sections(text)
    structured = any(s.kind in ("requirements", "responsibilities", "optional") for s in sections)
    sentences = split_sentences(text)

    title_span: TextSpan | None = None
    title_section = next((s for s in sections if s.kind == "title"), None)
    if title_section is not None:
        first = line_spans(text[title_section.start : title_section.end])
        if first:
            title_span = TextSpan(
                first[0].text,
                title_section.start + first[0].start,
                title_section.start + first[0].end,
            )
    if title_span is None and title is None:
        lines = line_spans(text)
        if lines and len(lines[0].text.split()) <= 10 and heading_kind(lines[0].text) is None:
            title_span = lines[0]
    if title and title_span is None:
        at = fold(text).find(fold(title))
        title_span = TextSpan(title, at, at + len(title)) if at >= 0 else TextSpan(title, -1, -1)

    def kind_at(offset: int) -> SectionKind | None:
        section = _section_at(sections, offset)
        return section.kind if section else None

    def asks(offset: int) -> bool:
        return kind_at(offset) not in _IGNORED

    def required_at(start: int, end: int) -> bool:
        kind = kind_at(start)
        if kind == "optional" or _OPTIONAL_CUE.search(_clause(text, start, end)):
            return False
        if kind in _ASKING:
            return True
        if title_span is not None and title_span.start <= start < title_span.end:
            return True
        return not structured

    terms: dict[str, Term] = {}
    covered: list[tuple[int, int]] = []
    headings = [
        (line.start(), line.end())
        for line in re.finditer(r"[^\n]+", text)
        if heading_kind(line.group()) is not None
        or (
            heading_kind(line.group().partition(":")[0]) is not None
            and not line.group().partition(":")[2].strip()
        )
    ]
    asked_languages = find_languages(text)
    for mention in find_skills(text):
        if not asks(mention.start) or any(s <= mention.start < e for s, e in headings):
            continue
        key = f"skill:{mention.skill.id}"
        required = required_at(mention.start, mention.end)
        covered.append((mention.start, mention.end))
        known = terms.get(key)
        if known is None or (required and not known.required):
            terms[key] = Term(
                key, mention.skill.name, mention.start, mention.end, mention.text, "skill",
                required, (),
            )  # fmt: skip
    for section in sections:
        if section.kind not in ("requirements", "optional", "skills"):
            continue
        for item in line_spans(text[section.start : section.end]):
            head = _ITEM_HEAD.match(item.text)
            words = head.group("head") if head else item.text
            if len(words.split()) > 4 or heading_kind(words) is not None:
                continue
            start = section.start + item.start
            end = start + len(words)
            if any(s < end and start < e for s, e in covered):
                continue
            if any(start <= lang.start < section.start + item.end for lang in asked_languages):
                continue  # a language is the languages component's
            if _YEARS_IN.search(item.text):
                continue  # so is "5+ years of ..."

            lemmas = tuple(fold(t.lemma) for t in content_lemmas(tokenize(words)))
            if not lemmas:
                continue
            key = "term:" + " ".join(lemmas)
            if key not in terms:
                terms[key] = Term(
                    key, words, start, end, words, "term",
                    section.kind != "optional" and not _OPTIONAL_CUE.search(item.text), lemmas,
                )  # fmt: skip

    asking = [
        s for s in sections if s.kind in ("requirements", "optional", "responsibilities", "skills")
    ]
    if asking:
        requirement_sentences = [
            s for s in sentences if any(a.start <= s.start < a.end for a in asking)
        ]
    else:
        requirement_sentences = [s for s in sentences if asks(s.start)]
    if title_span is not None:
        requirement_sentences = [s for s in requirement_sentences if s.start != title_span.start]

    years: list[YearsAsked] = []
    for found in find_experience_years(text):
        if found.min is None or found.min <= 0 or not asks(found.start):
            continue
        sentence = next(
            (s for s in sentences if s.start <= found.start < s.end),
            TextSpan(text[found.start : found.end], found.start, found.end),
        )
        years.append(YearsAsked(float(found.min), found.start, found.end, sentence))

    languages = [lang for lang in asked_languages if asks(lang.start)]
    requirement_sections = [s for s in sections if s.kind in ("requirements", "optional")]
    education = find_education(text, requirement_sections or None)
    if education is not None and not asks(education.start):
        education = None

    keywords = _keywords(text, requirement_sentences or sentences, covered, terms)
    return VacancyFacts(
        text=text,
        language=guess.language,
        title=title_span,
        sections=sections,
        sentences=sentences,
        requirement_sentences=requirement_sentences,
        terms=list(terms.values()),
        languages=languages,
        years=years,
        education=education,
        keywords=keywords,
    )


def _keywords(
    text: str, sentences: list[TextSpan], covered: list[tuple[int, int]], terms: dict[str, Term]
) -> list[Keyword]:
    """Up to 15 content lemmas the requirements repeat most (skills and terms excluded)."""
    in_terms = {lemma for term in terms.values() for lemma in term.lemmas}
    counts: Counter[str] = Counter()
    first: dict[str, Token] = {}
    for sentence in sentences:
        for token in content_lemmas(tokenize(sentence.text)):
            start = sentence.start + token.start
            if any(s <= start < e for s, e in covered):
                continue
            key = fold(token.lemma)
            if len(key) < 3 or key in in_terms:
                continue
            counts[key] += 1
            first.setdefault(key, Token(token.text, start, sentence.start + token.end, token.lemma))
    top = counts.most_common(15)
    if not top:
        return []
    most = top[0][1]
    return [
        Keyword(key, first[key].text, first[key].start, first[key].end, count / most)
        for key, count in top
    ]


# --- resume -------------------------------------------------------------------------------


def analyse_resume(text: str, *, today: date | None = None) -> ResumeFacts:
    """The facts of a resume's text."""
    guess = detect_language(text)
    sections = find_sections(text)
    tokens = tokenize(text)
    skills: dict[str, list[tuple[int, int]]] = {}
    for mention in find_skills(text):
        skills.setdefault(mention.skill.id, []).append((mention.start, mention.end))
    lines = line_spans(text)
    headline = None
    for line in lines[:3]:
        if heading_kind(line.text) is None and "@" not in line.text and len(line.text) < 80:
            headline = line
            break
    experience = [s for s in sections if s.kind == "experience"]
    roles = find_date_ranges(text, today)
    if experience:
        inside = [r for r in roles if any(s.start <= r.start < s.end for s in experience)]
        roles = inside or roles
    roles = [r for r in roles if not _in_kind(sections, r.start, ("education",))]
    total = _total_years(roles)
    if total is None:
        stated = [y.min for y in find_experience_years(text) if y.min is not None and y.min > 0]
        total = float(max(stated)) if stated else None
    return ResumeFacts(
        text=text,
        language=guess.language,
        mixed=guess.mixed,
        headline=headline,
        sections=sections,
        sentences=split_sentences(text),
        tokens=tokens,
        lemma_spans=_lemma_spans(tokens),
        skills=skills,
        languages=find_languages(text),
        roles=roles,
        total_years=total,
        education=find_education(text, sections),
    )


def _in_kind(sections: list[Section], offset: int, kinds: tuple[str, ...]) -> bool:
    section = _section_at(sections, offset)
    return section is not None and section.kind in kinds
