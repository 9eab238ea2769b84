"""The match score: components, their weights, and the explanation.

Each component is a credit 0..1 (returned as 0–100) or None when the vacancy does not ask
about it; the score is the weighted mean of the components that apply, so a vacancy that
names no language is not marked down for it. The weights and the cosine ramp of the
semantic component live in ``weights.json`` beside this module, written by
``benchmarks/match_quality.py --calibrate`` from the labelled pairs (see the README).

Components:

* ``skills``: the vacancy's terms (taxonomy skills by id, other requirement items by all
  their lemmas), required ones weighing twice the optional ones; a related skill or half
  of a term's lemmas is half a credit (a "weak" highlight);
* ``title``: the vacancy title's content lemmas found in the resume, or the cosine of the
  title to the resume's best line, whichever is higher;
* ``experience``: each "N years" the vacancy asks, against the years of the resume's roles
  whose line names what the requirement names (or all of them for a general one);
* ``languages``: the level asked against the resume's (CEFR order, native above C2; the
  resume's own language counts as native);
* ``education``: the level asked against the resume's highest;
* ``keywords``: the vacancy's most repeated content lemmas found in the resume (same
  language only: translation is the semantic component's job);
* ``semantic``: each requirement sentence's best cosine to a resume sentence (multilingual
  sentence embeddings), ramped between ``semantic_floor`` and ``semantic_ceiling``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from qh.nlp import fold, taxonomy, tokenize
from qh.nlp.documents import (
    ResumeFacts,
    VacancyFacts,
    analyse_resume,
    analyse_vacancy,
    content_lemmas,
)
from qh.nlp.embeddings import SentenceEncoder
from qh.nlp.sentences import TextSpan

COMPONENTS = ("skills", "title", "experience", "languages", "education", "keywords", "semantic")
WEIGHTS_FILE = Path(__file__).with_name("weights.json")
LEVELS = {"A1": 1, "A2": 2, "B1": 3, "B2": 4, "C1": 5, "C2": 6, "native": 7}
MAX_REQUIREMENTS = 30
MAX_RESUME_SENTENCES = 100

T = TypeVar("T")


@dataclass(frozen=True)
class Calibration:
    weights: dict[str, float]
    semantic_floor: float
    semantic_ceiling: float

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> Calibration:
        data = json.loads(path.read_text("utf-8"))
        return cls(
            {c: float(data["weights"][c]) for c in COMPONENTS},
            float(data["semantic_floor"]),
            float(data["semantic_ceiling"]),
        )

    def ramp(self, cosine: float) -> float:
        span = max(1e-6, self.semantic_ceiling - self.semantic_floor)
        return float(min(1.0, max(0.0, (cosine - self.semantic_floor) / span)))


@dataclass
class Highlight:
    side: str
    start: int
    end: int
    text: str
    kind: str  # match | missing | weak


@dataclass
class TermResult:
    term: str
    key: str
    required: bool
    importance: float
    credit: float  # 1 named in the resume; 0.5 only a related skill or part of the term
    kind: str


@dataclass
class Recommendation:
    message: str
    section: str | None = None
    term: str | None = None


@dataclass
class MatchResult:
    score: float
    breakdown: dict[str, float | None]
    components: dict[str, float | None]  # credits 0..1, for calibration
    matched: list[TermResult]
    missing: list[TermResult]
    highlights: list[Highlight]
    recommendations: list[Recommendation]
    language: str
    vacancy_language: str
    details: dict[str, Any] = field(default_factory=dict)


class _Lru(OrderedDict[bytes, Any]):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        self.lock = threading.Lock()

    def get_or(self, text: str, make: Callable[[], T]) -> T:
        key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        with self.lock:
            if key in self:
                self.move_to_end(key)
                return self[key]  # type: ignore[no-any-return]
        value = make()
        with self.lock:
            self[key] = value
            while len(self) > self.size:
                self.popitem(last=False)
        return value


_LANGUAGE_NAMES = {
    "en": ("английский", "English"),
    "ru": ("русский", "Russian"),
    "de": ("немецкий", "German"),
    "fr": ("французский", "French"),
    "es": ("испанский", "Spanish"),
    "it": ("итальянский", "Italian"),
    "zh": ("китайский", "Chinese"),
    "ja": ("японский", "Japanese"),
    "ko": ("корейский", "Korean"),
    "ar": ("арабский", "Arabic"),
    "tr": ("турецкий", "Turkish"),
    "pt": ("португальский", "Portuguese"),
    "pl": ("польский", "Polish"),
    "uk": ("украинский", "Ukrainian"),
    "kk": ("казахский", "Kazakh"),
}


def language_name(code: str, lang: str) -> str:
    names = _LANGUAGE_NAMES.get(code)
    if names is None:
        return code
    return names[0] if lang == "ru" else names[1]


class Analyzer:
    """Scores resumes against vacancies. One per process (in the service's context): the
    encoder's cache and the parsed documents are kept between requests, bounded."""

    def __init__(
        self,
        encoder: SentenceEncoder,
        *,
        document_cache: int = 256,
        calibration: Calibration | None = None,
    ) -> None:
        self.encoder = encoder
        self.calibration = calibration or Calibration.load()
        self._resumes = _Lru(document_cache)
        self._vacancies = _Lru(document_cache)

    def resume(self, text: str) -> ResumeFacts:
        return self._resumes.get_or(text, lambda: analyse_resume(text))

    def vacancy(self, text: str, title: str | None = None) -> VacancyFacts:
        return self._vacancies.get_or(
            f"{title or ''}\x00{text}", lambda: analyse_vacancy(text, title=title)
        )

    # --- the match ----------------------------------------------------------------------

    def match(
        self,
        resume_text: str,
        vacancy_text: str,
        *,
        title: str | None = None,
        asked_skills: list[tuple[str, bool]] | None = None,
        calibration: Calibration | None = None,
    ) -> MatchResult:
        """``asked_skills`` (name, required) come from a stored vacancy's requirements and
        add to what the text names."""
        cal = calibration or self.calibration
        r = self.resume(resume_text)
        v = self.vacancy(vacancy_text, title)
        lang = r.language
        highlights: list[Highlight] = []
        recs: list[Recommendation] = []

        requirement_sentences = (v.requirement_sentences or v.sentences)[:MAX_REQUIREMENTS]
        # one-word lines (a skill list) carry nothing a sentence encoder adds to the terms
        resume_sentences = [s for s in r.sentences if " " in s.text.strip()]
        resume_sentences = resume_sentences[:MAX_RESUME_SENTENCES]
        title_text = v.title.text if v.title is not None else None
        extra = [title_text] if title_text else []
        sims = self._similarities(
            [s.text for s in requirement_sentences] + extra, [s.text for s in resume_sentences]
        )
        title_sims = sims[len(requirement_sentences) :]
        sims = sims[: len(requirement_sentences)]

        components: dict[str, float | None] = dict.fromkeys(COMPONENTS)
        matched, missing = self._terms(r, v, asked_skills, highlights)
        components["skills"] = _weighted_credit(matched + missing)
        components["title"] = self._title(r, v, title_sims, resume_sentences, highlights)
        components["experience"] = self._experience(r, v, lang, highlights, recs)
        components["languages"] = self._languages(r, v, lang, highlights, recs)
        components["education"] = self._education(r, v, lang, highlights, recs)
        components["keywords"] = self._keywords(r, v, highlights)
        components["semantic"] = self._semantic(
            sims, requirement_sentences, resume_sentences, cal, highlights
        )

        total = sum(cal.weights[c] for c, x in components.items() if x is not None)
        score = (
            100 * sum(cal.weights[c] * x for c, x in components.items() if x is not None) / total
            if total > 0
            else 0.0
        )
        recs = self._term_recommendations(missing, lang) + recs + self._quantify(r, lang)
        return MatchResult(
            score=round(score, 1),
            breakdown={c: None if x is None else round(100 * x, 1) for c, x in components.items()},
            components=components,
            matched=sorted(matched, key=lambda t: -t.importance),
            missing=sorted(missing, key=lambda t: -t.importance),
            highlights=sorted(highlights, key=lambda h: (h.side, h.start)),
            recommendations=recs,
            language=lang,
            vacancy_language=v.language,
        )

    def _similarities(self, a: list[str], b: list[str]) -> np.ndarray[Any, Any]:
        return self.encoder.similarity(a, b)

    # --- components ---------------------------------------------------------------------

    def _terms(
        self,
        r: ResumeFacts,
        v: VacancyFacts,
        asked: list[tuple[str, bool]] | None,
        highlights: list[Highlight],
    ) -> tuple[list[TermResult], list[TermResult]]:
        tax = taxonomy()
        terms = list(v.terms)
        known = {t.key for t in terms}
        extra: list[tuple[str, str, bool]] = []  # key, name, required
        for name, required in asked or []:
            skill = tax.lookup(name)
            key = (
                f"skill:{skill.id}"
                if skill
                else "term:" + " ".join(fold(t.lemma) for t in content_lemmas(tokenize(name)))
            )
            if key not in known and key not in ("term:",):
                known.add(key)
                extra.append((key, skill.name if skill else name, required))
        counts: dict[str, int] = {}
        folded_vacancy = fold(v.text)
        for term in terms:
            counts[term.key] = max(1, folded_vacancy.count(fold(term.text)))
        matched: list[TermResult] = []
        missing: list[TermResult] = []
        items = [(t.key, t.name, t.required, t.kind, t.lemmas, t.start, t.end) for t in terms]
        items += [
            (k, n, req, "skill" if k.startswith("skill:") else "term", (), -1, -1)
            for k, n, req in extra
        ]
        for key, name, required, kind, lemmas, start, end in items:
            credit, spans, weak_spans = self._term_credit(r, key, lemmas, name)
            importance = (1.0 if required else 0.5) * min(1.0, 0.7 + 0.15 * counts.get(key, 1))
            result = TermResult(name, key, required, round(importance, 2), credit, kind)
            side_kind = "match" if credit >= 1 else "weak" if credit > 0 else "missing"
            if start >= 0:
                highlights.append(Highlight("vacancy", start, end, v.text[start:end], side_kind))
            for s, e in spans[:3]:
                highlights.append(Highlight("resume", s, e, r.text[s:e], "match"))
            for s, e in weak_spans[:2]:
                highlights.append(Highlight("resume", s, e, r.text[s:e], "weak"))
            (matched if credit >= 1 else missing).append(result)
        return matched, missing

    def _term_credit(
        self, r: ResumeFacts, key: str, lemmas: tuple[str, ...], name: str
    ) -> tuple[float, list[tuple[int, int]], list[tuple[int, int]]]:
        if key.startswith("skill:"):
            skill_id = key[6:]
            if skill_id in r.skills:
                return 1.0, r.skills[skill_id], []
            skill = taxonomy().get(skill_id)
            for related in skill.related if skill else ():
                if related in r.skills:
                    return 0.5, [], r.skills[related]
            lemmas = tuple(fold(t.lemma) for t in content_lemmas(tokenize(name)))
            if len(lemmas) < 2:
                return 0.0, [], []
        if not lemmas:
            return 0.0, [], []
        found = [r.lemma_spans[lemma] for lemma in lemmas if lemma in r.lemma_spans]
        if len(found) == len(lemmas):
            return 1.0, [spans[0] for spans in found], []
        if found and len(found) * 2 >= len(lemmas):
            return 0.5, [], [spans[0] for spans in found]
        return 0.0, [], []

    def _title(
        self,
        r: ResumeFacts,
        v: VacancyFacts,
        sims: np.ndarray[Any, Any],
        resume_sentences: list[TextSpan],
        highlights: list[Highlight],
    ) -> float | None:
        if v.title is None:
            return None
        lemmas = {fold(t.lemma) for t in content_lemmas(tokenize(v.title.text))}
        lexical = (
            sum(1 for lemma in lemmas if lemma in r.lemma_spans) / len(lemmas) if lemmas else 0.0
        )
        semantic = 0.0
        best_at = -1
        if sims.shape[0] and sims.shape[1]:
            best_at = int(np.argmax(sims[0]))
            semantic = min(1.0, max(0.0, (float(sims[0][best_at]) - 0.35) / 0.4))
        credit = max(lexical, semantic)
        kind = "match" if credit >= 0.75 else "weak" if credit > 0.25 else "missing"
        if v.title.start >= 0:
            highlights.append(Highlight("vacancy", v.title.start, v.title.end, v.title.text, kind))
        if best_at >= 0 and semantic >= 0.5:
            s = resume_sentences[best_at]
            highlights.append(Highlight("resume", s.start, s.end, s.text, kind))
        return credit

    def _experience(
        self,
        r: ResumeFacts,
        v: VacancyFacts,
        lang: str,
        highlights: list[Highlight],
        recs: list[Recommendation],
    ) -> float | None:
        if not v.years:
            return None
        credits = []
        for asked in v.years:
            words = {fold(t.lemma) for t in content_lemmas(tokenize(asked.sentence.text))}
            same: list[Any] = []
            for role in r.roles:
                label = role.line.text.replace(r.text[role.start : role.end], " ")
                role_words = {fold(t.lemma) for t in content_lemmas(tokenize(label))}
                if role_words and len(role_words & words) / len(role_words) >= 0.5:
                    same.append(role)
            have = sum(role.years for role in same) if same else r.total_years or 0.0
            credit = min(1.0, have / asked.years) if asked.years > 0 else 1.0
            credits.append(credit)
            kind = "match" if credit >= 1 else "weak" if credit > 0 else "missing"
            highlights.append(
                Highlight("vacancy", asked.start, asked.end, v.text[asked.start : asked.end], kind)
            )
            for role in same[:2]:
                highlights.append(
                    Highlight("resume", role.start, role.end, r.text[role.start : role.end], kind)
                )
            if credit < 1:
                need = f"{asked.years:g}"
                got = f"{have:.1f}".rstrip("0").rstrip(".")
                recs.append(
                    Recommendation(
                        f"Вакансия просит опыт от {need} лет ({asked.sentence.text}); по резюме "
                        f"видно {got}. Укажите даты всех мест работы, где был такой опыт."
                        if lang == "ru"
                        else f"The vacancy asks for {need}+ years ({asked.sentence.text}); your "
                        f"resume shows {got}. Give the dates of every role with this experience.",
                        section="experience",
                    )
                )
        return sum(credits) / len(credits)

    def _languages(
        self,
        r: ResumeFacts,
        v: VacancyFacts,
        lang: str,
        highlights: list[Highlight],
        recs: list[Recommendation],
    ) -> float | None:
        asked = [x for x in v.languages if not (x.code == v.language and x.level is None)]
        if not asked:
            return None
        have: dict[str, tuple[int, Any]] = {}
        for found in r.languages:
            rank = LEVELS.get(found.level or "", 0)
            if found.code not in have or rank > have[found.code][0]:
                have[found.code] = (rank, found)
        if not r.mixed:
            have.setdefault(r.language, (LEVELS["native"], None))
        credits = []
        seen: set[str] = set()
        for need in asked:
            if need.code in seen:
                continue
            seen.add(need.code)
            need_rank = LEVELS.get(need.level or "", 0)
            rank, found = have.get(need.code, (-1, None))
            name = language_name(need.code, lang)
            if rank < 0:
                credit = 0.0
                recs.append(
                    Recommendation(
                        f"Вакансия требует {name} язык"
                        + (f" ({need.level})" if need.level else "")
                        + ": укажите, владеете ли вы им и на каком уровне."
                        if lang == "ru"
                        else f"The vacancy asks for {name}"
                        + (f" ({need.level})" if need.level else "")
                        + ": state whether you speak it and at what level.",
                        section="languages",
                        term=name,
                    )
                )
            elif rank == 0:
                credit = 0.6 if need_rank else 1.0
                if need_rank:
                    recs.append(
                        Recommendation(
                            f"Укажите уровень владения языком: {name} (например, B2)."
                            if lang == "ru"
                            else f"State your {name} level (for example B2).",
                            section="languages",
                            term=name,
                        )
                    )
            else:
                credit = 1.0 if rank >= need_rank else rank / need_rank
            credits.append(credit)
            kind = "match" if credit >= 1 else "weak" if credit > 0 else "missing"
            highlights.append(Highlight("vacancy", need.start, need.end, need.text, kind))
            if found is not None:
                highlights.append(Highlight("resume", found.start, found.end, found.text, kind))
        return sum(credits) / len(credits)

    def _education(
        self,
        r: ResumeFacts,
        v: VacancyFacts,
        lang: str,
        highlights: list[Highlight],
        recs: list[Recommendation],
    ) -> float | None:
        if v.education is None:
            return None
        have = r.education.level if r.education else 0
        credit = 1.0 if have >= v.education.level else 0.5 if have else 0.0
        kind = "match" if credit >= 1 else "weak" if credit > 0 else "missing"
        highlights.append(
            Highlight("vacancy", v.education.start, v.education.end, v.education.text, kind)
        )
        if r.education is not None:
            e = r.education
            highlights.append(Highlight("resume", e.start, e.end, e.text, kind))
        if credit < 1:
            recs.append(
                Recommendation(
                    f"Вакансия упоминает образование («{v.education.text}»): укажите своё "
                    "образование в разделе «Образование»."
                    if lang == "ru"
                    else f"The vacancy mentions education ('{v.education.text}'): list yours "
                    "under an Education heading.",
                    section="education",
                )
            )
        return credit

    def _keywords(
        self, r: ResumeFacts, v: VacancyFacts, highlights: list[Highlight]
    ) -> float | None:
        if not v.keywords or (r.language != v.language and not r.mixed):
            return None
        got = total = 0.0
        for keyword in v.keywords:
            total += keyword.weight
            spans = r.lemma_spans.get(keyword.lemma)
            if spans:
                got += keyword.weight
                s, e = spans[0]
                highlights.append(Highlight("resume", s, e, r.text[s:e], "match"))
            highlights.append(
                Highlight(
                    "vacancy", keyword.start, keyword.end, keyword.text,
                    "match" if spans else "missing",
                )
            )  # fmt: skip
        return got / total if total else None

    def _semantic(
        self,
        sims: np.ndarray[Any, Any],
        requirements: list[TextSpan],
        resume_sentences: list[TextSpan],
        cal: Calibration,
        highlights: list[Highlight],
    ) -> float | None:
        if not requirements or not resume_sentences:
            return None
        best = sims.max(axis=1)
        credits = [cal.ramp(float(x)) for x in best]
        for sentence, credit in zip(requirements, credits, strict=True):
            if credit < 0.25:
                highlights.append(
                    Highlight("vacancy", sentence.start, sentence.end, sentence.text, "weak")
                )
        return sum(credits) / len(credits)

    # --- recommendations ----------------------------------------------------------------

    def _term_recommendations(self, missing: list[TermResult], lang: str) -> list[Recommendation]:
        out = []
        for term in sorted(missing, key=lambda t: -t.importance)[:6]:
            if lang == "ru":
                message = (
                    f"Вакансия требует {term.term}, а в резюме это не упомянуто."
                    if term.required
                    else f"{term.term} будет плюсом для этой вакансии; в резюме этого нет."
                )
            else:
                message = (
                    f"The vacancy requires {term.term}, which your resume does not mention."
                    if term.required
                    else f"{term.term} is a plus for this vacancy; your resume does not mention it."
                )
            out.append(Recommendation(message, section="skills", term=term.term))
        return out

    def _quantify(self, r: ResumeFacts, lang: str) -> list[Recommendation]:
        out = []
        experience = [s for s in r.sections if s.kind in ("experience", "achievements")]
        for sentence in r.sentences:
            if not any(s.start <= sentence.start < s.end for s in experience):
                continue
            if any(ch.isdigit() for ch in sentence.text) or len(sentence.text.split()) < 4:
                continue
            out.append(
                Recommendation(
                    f"Добавьте измеримый результат: «{sentence.text}» (сколько, на сколько "
                    "процентов, за какой срок)."
                    if lang == "ru"
                    else f"Quantify this achievement: '{sentence.text}' (how much, by what "
                    "percentage, in what time).",
                    section="experience",
                )
            )
            if len(out) == 2:
                break
        return out


def _weighted_credit(terms: list[TermResult]) -> float | None:
    if not terms:
        return None
    weights = [2.0 if t.required else 1.0 for t in terms]
    return sum(w * t.credit for w, t in zip(weights, terms, strict=True)) / sum(weights)
