"""Requirements, conditions and facts from a vacancy's plain text (Russian or English), and
a pasted vacancy parsed whole.

Which skills are *required* (the rule favours precision for required skills):

* a skill in a nice-to-have section ("Будет плюсом", "Nice to have"), or in a clause with an
  optional cue ("желательно", "приветствуется", "is a plus", "preferred", "bonus"), is
  optional;
* otherwise a skill in a requirements section (including "Стек"/"Tech stack"), in the
  responsibilities (doing the job needs it) or in the title is required;
* a skill named only in the intro, the company description or an unrecognised section is
  required only when the text has no requirements or responsibilities section at all (an
  unstructured paste), else it is listed as optional; skills in the benefits are ignored
  ("курсы английского", "AWS certification paid");
* mentions are merged by canonical name, keeping the first spelling; required wins.
"""

from __future__ import annotations

import bisect
import re
from typing import Literal

import msgspec

from qh import nlp
from qh.job_data.parsing.model import (
    Employment,
    Experience,
    ParsedVacancy,
    Period,
    RequiredLanguage,
    RequiredSkill,
    Requirements,
    Salary,
    Source,
    WorkFormat,
)
from qh.job_data.parsing.text_facts import (
    NO_EXPERIENCE,
    education,
    employment,
    optional_spans,
    title_and_company,
    work_formats,
)
from qh.job_data.parsing.text_sections import (
    Section,
    SectionKind,
    clean_same_length,
    fold,
    split_lines,
    split_sections,
)

__all__ = ["TextAnalysis", "TextSection", "analyse_text", "parse_text"]


class TextSection(msgspec.Struct, kw_only=True, frozen=True):
    kind: SectionKind
    heading: str | None  # as written, without decoration; None for the untitled opening
    start: int  # character offsets into the text as given
    end: int


class TextAnalysis(msgspec.Struct, kw_only=True):
    language: Literal["ru", "en"]
    sections: list[TextSection] = msgspec.field(default_factory=list)
    skills: list[RequiredSkill] = msgspec.field(default_factory=list)
    languages: list[RequiredLanguage] = msgspec.field(default_factory=list)
    education: str | None = None
    experience: Experience | None = None
    salary: Salary | None = None
    work_format: list[WorkFormat] = msgspec.field(default_factory=list)
    employment: Employment | None = None
    responsibilities: list[str] = msgspec.field(default_factory=list)
    benefits: list[str] = msgspec.field(default_factory=list)
    requirements_text: list[str] = msgspec.field(default_factory=list)


_DEMANDS: frozenset[SectionKind] = frozenset({"requirements", "responsibilities"})
_PERIODS = {"hour", "day", "week", "month", "year"}
# A period written right after the amount, which overrides the one the salary finder guessed
# ("4 000 руб. за смену" is per shift, i.e. per day).
_PERIOD_AFTER: tuple[tuple[Period, re.Pattern[str]], ...] = (
    (
        "hour",
        re.compile(
            r"^[^\n\d]{0,25}?(?:/\s*h(?:ou)?r|per\s+hour|an\s+hour|в\s+час|за\s+час|/\s*час)"
        ),
    ),
    (
        "day",
        re.compile(
            r"^[^\n\d]{0,25}?(?:/\s*day|per\s+day|a\s+day|per\s+shift|в\s+день|за\s+смену|"
            r"за\s+день|/\s*смен|в\s+смену)"
        ),
    ),
    ("week", re.compile(r"^[^\n\d]{0,25}?(?:/\s*week|per\s+week|a\s+week|в\s+неделю)")),
    ("month", re.compile(r"^[^\n\d]{0,25}?(?:/\s*month|per\s+month|a\s+month|в\s+месяц|/\s*мес)")),
    (
        "year",
        re.compile(
            r"^[^\n\d]{0,25}?(?:/\s*y(?:ea)?r|per\s+(?:year|annum)|a\s+year|в\s+год|annually)"
        ),
    ),
)
_MONTHS = re.compile(
    r"(?:опыт\w*|стаж\w*|experience)[^.;\n]{0,40}?(?:от|не\s+менее|at\s+least|minimum)\s+"
    r"(\d{1,2})\s*(?:месяц|мес\b|months?)"
)


class _Layout:
    """Where each offset falls: its section, and whether a cue makes it optional."""

    def __init__(
        self,
        sections: list[Section],
        optional: list[tuple[int, int]],
        headings: list[tuple[int, int]],
    ) -> None:
        self.sections = sections
        self._headings = headings
        self._starts = [s.start for s in sections]
        self._optional = sorted(optional)
        self._optional_starts = [a for a, _ in self._optional]
        self.structured = any(s.kind in _DEMANDS for s in sections)
        self.has_requirements = any(s.kind == "requirements" for s in sections)

    def kind_at(self, offset: int) -> SectionKind:
        index = bisect.bisect_right(self._starts, offset) - 1
        return self.sections[max(index, 0)].kind

    def cued_optional(self, offset: int) -> bool:
        index = bisect.bisect_right(self._optional_starts, offset) - 1
        return index >= 0 and self._optional[index][0] <= offset < self._optional[index][1]

    def in_heading(self, offset: int) -> bool:
        return any(a <= offset < b for a, b in self._headings)

    def demand(self, offset: int, title_end: int) -> bool | None:
        """True if a mention here is a requirement, False if optional, None to ignore it."""
        kind = self.kind_at(offset)
        if kind == "benefits" or self.in_heading(offset):
            return None
        if kind == "optional" or self.cued_optional(offset):
            return False
        if kind in _DEMANDS or offset < title_end:
            return True
        return not self.structured


_FUZZY_MIN_SCORE = 0.9
_LEMMA_MIN_LENGTH = 4


def _trusted(mention: nlp.SkillMention) -> bool:
    """Precision over recall for required skills: a near-miss spelling must be very near
    ("monitoring" is not "Mentoring"), and a short inflected word is too often another word
    ("руб" is not Ruby)."""
    if mention.how == "fuzzy":
        return mention.score >= _FUZZY_MIN_SCORE
    if mention.how == "lemma":
        return len(mention.text) >= _LEMMA_MIN_LENGTH
    return True


def _skills(text: str, layout: _Layout, title_end: int) -> list[RequiredSkill]:
    merged: dict[str, RequiredSkill] = {}
    for mention in nlp.find_skills(text):
        if not _trusted(mention):
            continue
        required = layout.demand(mention.start, title_end)
        if required is None:
            continue
        key = mention.skill.name
        known = merged.get(key)
        if known is None:
            merged[key] = RequiredSkill(name=mention.text, canonical=key, required=required)
        elif required and not known.required:
            known.required = True
    return list(merged.values())


def _languages(text: str, layout: _Layout, language: str) -> list[RequiredLanguage]:
    found: dict[str, RequiredLanguage] = {}
    for requirement in nlp.find_languages(text):
        if not layout.demand(requirement.start, 0) and layout.structured:
            continue
        known = found.get(requirement.code)
        if known is None:
            found[requirement.code] = RequiredLanguage(
                code=requirement.code, level=requirement.level
            )
        elif known.level is None and requirement.level is not None:
            known.level = requirement.level
    # The vacancy's own language goes without saying unless a level is asked of it.
    own = found.get(language)
    if own is not None and own.level is None:
        del found[language]
    return list(found.values())


def _experience(text: str, folded: str, layout: _Layout) -> Experience | None:
    ranges = []
    for years in nlp.find_experience_years(text):
        kind = layout.kind_at(years.start)
        if kind == "benefits" or kind == "optional" or layout.cued_optional(years.start):
            continue
        ranges.append((kind == "requirements", years))
    for months in _MONTHS.finditer(folded):
        if layout.kind_at(months.start()) in _DEMANDS and not layout.cued_optional(months.start(1)):
            value = round(int(months.group(1)) / 12, 2)
            ranges.append(
                (True, nlp.YearsRange(min=value, max=None, start=months.start(), end=months.end()))
            )
    none_needed = NO_EXPERIENCE.search(folded)
    if none_needed and layout.kind_at(none_needed.start()) != "benefits":
        return Experience(min_years=0)
    if not ranges:
        return None
    if any(in_requirements for in_requirements, _ in ranges):
        ranges = [r for r in ranges if r[0]]
    with_min = [y for _, y in ranges if y.min is not None]
    chosen = min(with_min, key=lambda y: y.min) if with_min else ranges[0][1]
    return Experience(
        min_years=float(chosen.min) if chosen.min is not None else None,
        max_years=float(chosen.max) if chosen.max is not None else None,
    )


def _salary(text: str, folded: str) -> Salary | None:
    mentions = nlp.find_salary(text)
    # "оклад 40 000 + процент, доход до 250 000 руб.": the currency is written once, for
    # every amount of the text.
    currency = next((m.currency for m in mentions if m.currency), None)
    for found in mentions:
        if found.min is None and found.max is None:
            continue
        period = found.period if found.period in _PERIODS else None
        after = folded[found.end : found.end + 40]
        for written, pattern in _PERIOD_AFTER:
            if pattern.search(after):
                period = written
                break
        return Salary(
            min=found.min,
            max=found.max,
            currency=found.currency or currency,
            gross=found.gross,
            period=period,  # type: ignore[arg-type]
        )
    return None


def _title_end(text: str, lines: list, sections: list[Section]) -> int:
    """The end of the first line, when it is a title (short, before any heading)."""
    if not lines:
        return 0
    first = lines[0]
    heading_start = next((s.start for s in sections if s.heading is not None), len(text))
    if first.end <= heading_start and len(text[first.start : first.end].split()) <= 12:
        return first.end
    return 0


def _analyse(text: str) -> tuple[TextAnalysis, list]:
    clean = clean_same_length(text)
    folded = fold(clean)
    lines = split_lines(clean)
    sections = split_sections(clean, lines)
    headings = [(s.heading_start, s.start) for s in sections if s.heading is not None]
    layout = _Layout(sections, optional_spans(folded, lines), headings)
    language = nlp.detect_language(clean).language
    title_end = _title_end(clean, lines, sections)
    demand_spans = [(s.start, s.end) for s in sections if s.kind == "requirements"]
    analysis = TextAnalysis(
        language="ru" if language == "ru" else "en",
        sections=[
            TextSection(kind=s.kind, heading=s.heading, start=s.start, end=s.end) for s in sections
        ],
        skills=_skills(clean, layout, title_end),
        languages=_languages(clean, layout, language),
        education=education(clean, folded, demand_spans) or education(clean, folded, []),
        experience=_experience(clean, folded, layout),
        salary=_salary(clean, folded),
        work_format=work_formats(folded, lines),
        employment=employment(folded),
        responsibilities=[i for s in sections if s.kind == "responsibilities" for i in s.items],
        benefits=[i for s in sections if s.kind == "benefits" for i in s.items],
        requirements_text=[i for s in sections if s.kind == "requirements" for i in s.items],
    )
    return analysis, lines


def analyse_text(text: str) -> TextAnalysis:
    """Sections, skills (required or optional), languages, education, experience, salary,
    work format and employment stated in a vacancy's text; offsets refer to `text`."""
    return _analyse(text)[0]


def parse_text(text: str, *, source: Source) -> ParsedVacancy:
    """A vacancy pasted as plain text, normalised."""
    analysis, lines = _analyse(text)
    title, company = title_and_company(clean_same_length(text), lines)
    experience = analysis.experience
    return ParsedVacancy(
        title=title,
        company=company,
        work_format=analysis.work_format,
        employment=analysis.employment,
        salary=analysis.salary,
        experience=experience,
        description_text=nlp.normalize_text(text),
        requirements=Requirements(
            skills=analysis.skills,
            languages=analysis.languages,
            education=analysis.education,
            experience_years=experience.min_years if experience else None,
        ),
        responsibilities=analysis.responsibilities,
        benefits=analysis.benefits,
        language=analysis.language,
        source=source,
    )
