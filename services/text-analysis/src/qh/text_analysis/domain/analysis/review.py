"""Resume checks without a vacancy. Each issue has a kind, a message in the resume's
language, and offsets into the text or a section, and a suggestion where one helps."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from qh.nlp import find_skills, fold, taxonomy
from qh.nlp.documents import ResumeFacts, content_lemmas
from qh.nlp.lexicon import ACTION_VERBS
from qh.nlp.sentences import line_spans

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
EMAIL_LIKE = re.compile(r"\S+@\S+")
PHONE = re.compile(r"(?<![\w])\+?\d[\d\s().-]{8,18}\d(?![\w])")
STANDARD = ("experience", "education", "skills")
_NAMES = {
    "ru": {"experience": "Опыт работы", "education": "Образование", "skills": "Навыки"},
    "en": {"experience": "Experience", "education": "Education", "skills": "Skills"},
}


@dataclass
class Issue:
    kind: str
    message: str
    section: str | None = None
    start: int | None = None
    end: int | None = None
    suggestion: str | None = None


def review(r: ResumeFacts, today: date | None = None) -> list[Issue]:
    ru = r.language == "ru"
    text = r.text
    issues: list[Issue] = []

    # contacts
    emails = list(EMAIL_LIKE.finditer(text))
    if not emails:
        issues.append(
            Issue(
                "contacts",
                "В резюме нет адреса электронной почты."
                if ru
                else "The resume has no e-mail address.",
                section="contacts",
                suggestion="Добавьте e-mail в начало резюме."
                if ru
                else "Add an e-mail at the top.",
            )
        )
    for m in emails:
        candidate = m.group().rstrip(".,;)")
        if not EMAIL.fullmatch(candidate):
            issues.append(
                Issue(
                    "contacts",
                    f"Адрес «{candidate}» выглядит неверным." if ru else f"'{candidate}' does not look like a valid e-mail address.",
                    section="contacts", start=m.start(), end=m.start() + len(candidate),
                    suggestion="Проверьте адрес." if ru else "Check the address.",
                )
            )  # fmt: skip
    if not PHONE.search(text):
        issues.append(
            Issue(
                "contacts",
                "В резюме нет телефона." if ru else "The resume has no phone number.",
                section="contacts",
                suggestion="Добавьте телефон в международном формате (+7 …)." if ru else "Add a phone number in international format (+44 …).",
            )
        )  # fmt: skip

    # headings
    kinds = {s.kind for s in r.sections}
    for kind in STANDARD:
        if kind not in kinds:
            name = _NAMES["ru" if ru else "en"][kind]
            issues.append(
                Issue(
                    "headings",
                    f"Нет стандартного раздела «{name}»." if ru else f"No standard '{name}' section.",
                    section=kind,
                    suggestion=f"Озаглавьте раздел «{name}»: так его найдёт и человек, и ATS." if ru else f"Use the heading '{name}' so people and ATS software find it.",
                )
            )  # fmt: skip

    # dates
    today = today or date.today()
    now = today.year * 12 + today.month - 1
    periods = sorted(r.roles, key=lambda p: p.start_month)
    for p in periods:
        raw = text[p.start : p.end]
        if p.end_month < p.start_month:
            issues.append(
                Issue("dates", f"Дата окончания раньше даты начала: «{raw}»." if ru else f"The end date is before the start date: '{raw}'.",
                      section="experience", start=p.start, end=p.end,
                      suggestion="Исправьте даты." if ru else "Correct the dates.")
            )  # fmt: skip
        elif p.start_month > now or (not p.current and p.end_month > now + 1):
            issues.append(
                Issue("dates", f"Дата в будущем: «{raw}»." if ru else f"A date in the future: '{raw}'.",
                      section="experience", start=p.start, end=p.end,
                      suggestion="Проверьте год." if ru else "Check the year.")
            )  # fmt: skip
    covered_until: int | None = None
    for p in periods:
        if covered_until is not None and p.start_month - covered_until - 1 > 6:
            months = p.start_month - covered_until - 1
            a, b = divmod(covered_until + 1, 12), divmod(p.start_month - 1, 12)
            issues.append(
                Issue(
                    "gap",
                    f"Перерыв {months} мес. ({a[1] + 1:02d}.{a[0]}–{b[1] + 1:02d}.{b[0]})." if ru
                    else f"A gap of {months} months ({a[0]}-{a[1] + 1:02d} to {b[0]}-{b[1] + 1:02d}).",
                    section="experience", start=p.start, end=p.end,
                    suggestion="Кратко объясните перерыв (учёба, проект, семья)." if ru
                    else "Say briefly what you did (study, a project, family).",
                )
            )  # fmt: skip
        covered_until = max(covered_until or p.end_month, p.end_month)

    # highlights: action verb first, a number in it
    experience = [s for s in r.sections if s.kind in ("experience", "achievements", "projects")]
    bullets = 0
    for s in experience:
        for raw_line in re.finditer(r"[^\n]+", text[s.start : s.end]):
            line = raw_line.group()
            if not re.match(r"\s*[-•*·▪–]\s+", line):
                continue
            bullets += 1
            item = line_spans(line)
            if not item:
                continue
            start = s.start + raw_line.start() + item[0].start
            end = s.start + raw_line.start() + item[0].end
            words = content_lemmas(_tokens(text[start:end]))
            first = fold(words[0].lemma) if words else ""
            if first not in ACTION_VERBS:
                issues.append(
                    Issue("action_verb",
                          "Пункт начинается не с глагола действия." if ru else "This point does not start with an action verb.",
                          section="experience", start=start, end=end,
                          suggestion="Начните с глагола: «Внедрил», «Сократил», «Запустил»." if ru
                          else "Start with a verb: 'Built', 'Reduced', 'Launched'.")
                )  # fmt: skip
            if not any(ch.isdigit() for ch in text[start:end]):
                issues.append(
                    Issue("quantify",
                          "В пункте нет чисел." if ru else "This point has no number.",
                          section="experience", start=start, end=end,
                          suggestion="Добавьте результат в цифрах: сколько, на сколько %, за какой срок." if ru
                          else "Quantify this achievement: how much, by what %, in what time.")
                )  # fmt: skip

    # length against experience
    words_count = len(re.findall(r"[^\W\d_]+", text))
    years = r.total_years or 0.0
    low, high = (150, 600) if years < 3 else (250, 900) if years < 10 else (300, 1300)
    if words_count < low or words_count > high:
        short = words_count < low
        issues.append(
            Issue(
                "length",
                (f"Резюме {'короткое' if short else 'длинное'} для опыта {years:.0f} лет: {words_count} слов (ожидается {low}–{high})."
                 if ru else f"The resume is {'short' if short else 'long'} for {years:.0f} years of experience: {words_count} words (expected {low}–{high})."),
                suggestion=("Добавьте результаты и навыки." if short else "Сократите старые и второстепенные места работы.") if ru
                else ("Add results and skills." if short else "Shorten old and minor roles."),
            )
        )  # fmt: skip

    # repeated words
    skill_spans = [(m.start, m.end) for m in find_skills(text)]
    counts: Counter[str] = Counter()
    where: dict[str, list[tuple[int, int]]] = {}
    for token in content_lemmas(r.tokens):
        if len(token.lemma) < 4 or any(a <= token.start < b for a, b in skill_spans):
            continue
        key = fold(token.lemma)
        counts[key] += 1
        where.setdefault(key, []).append((token.start, token.end))
    limit = max(4, words_count // 60)
    for key, count in counts.most_common(5):
        if count < limit:
            break
        s, e = where[key][limit - 1]
        issues.append(
            Issue("repetition",
                  f"Слово «{text[s:e]}» повторяется {count} раз." if ru else f"The word '{text[s:e]}' is used {count} times.",
                  start=s, end=e,
                  suggestion="Замените часть повторов синонимами." if ru else "Vary the wording.")
        )  # fmt: skip

    # spelling of skill names
    tax = taxonomy()
    for mention in find_skills(text):
        written = mention.text
        if not re.search(r"[A-Za-z]", written) or written in mention.skill.aliases:
            continue
        exact = [a for a in mention.skill.aliases if a.casefold() == written.casefold()]
        right = exact[0] if exact else mention.skill.name if mention.how == "fuzzy" else None
        if right is None or right == written or tax.get(mention.skill.id) is None:
            continue
        if mention.how != "fuzzy" and not any(ch.isupper() for ch in right[1:]):
            continue  # "sales" for "Sales" is a word, not a misspelt name
        issues.append(
            Issue("spelling",
                  f"«{written}» пишется как «{right}»." if ru else f"'{written}' is spelled '{right}'.",
                  section="skills", start=mention.start, end=mention.end, suggestion=right)
        )  # fmt: skip
    return issues


def _tokens(text: str):  # type: ignore[no-untyped-def]
    from qh.nlp import tokenize

    return tokenize(text)
