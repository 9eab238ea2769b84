"""A resume's text read offline into a proposed profile, each value with where it was found.

Sections by their RU/EN headings (``qh.nlp.resume_headings``), periods by
``qh.nlp.periods``, skills through the taxonomy (``qh.nlp.find_skills``), spoken languages
and levels by ``qh.nlp.find_languages``; contact details by pattern (``phonenumbers`` for
E.164). Every value is a piece of the text as written (trimmed), so the grounding rule of
the AI fill-in holds for the offline pass too; ``Found`` records its offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from qh.kit.email import InvalidEmail, canonical_email
from qh.nlp import detect_language, find_languages, find_salary, find_skills
from qh.nlp.periods import Period, find_periods
from qh.nlp.resume_headings import resume_heading


@dataclass
class Found:
    path: str
    start: int
    end: int
    source: str = "offline"


@dataclass
class Parsed:
    language: str
    personal: dict[str, Any] = field(default_factory=dict)
    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    found: list[Found] = field(default_factory=list)
    used: list[tuple[int, int]] = field(default_factory=list)  # spans of headings and values


@dataclass
class Line:
    text: str
    start: int
    end: int


def lines_of(text: str, start: int = 0, end: int | None = None) -> list[Line]:
    out = []
    for match in re.finditer(r"[^\n]+", text[: len(text) if end is None else end]):
        if match.start() < start:
            continue
        raw = match.group()
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            out.append(Line(stripped, match.start() + lead, match.start() + lead + len(stripped)))
    return out


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s,;|·<>()]+|(?<![\w@.])(?:github\.com|gitlab\.com|linkedin\.com|t\.me)/[^\s,;|·<>()]+",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?<![\w+])(?:\+|8\s*\(?)[\d\s()\-‐–]{7,20}\d")
_NETWORKS = {
    "github.com": "GitHub",
    "gitlab.com": "GitLab",
    "linkedin.com": "LinkedIn",
    "t.me": "Telegram",
    "telegram.me": "Telegram",
    "habr.com": "Habr",
    "twitter.com": "Twitter",
    "x.com": "X",
    "stackoverflow.com": "Stack Overflow",
    "behance.net": "Behance",
    "dribbble.com": "Dribbble",
    "kaggle.com": "Kaggle",
    "vk.com": "VK",
}
_BULLET = re.compile(r"^[•\-–—*▪►●◦·]\s*")
_JOB_WORDS = re.compile(
    r"(?:разработчик|программист|инженер|аналитик|менеджер|руководител|директор|специалист|"
    r"администратор|консультант|дизайнер|архитектор|тестировщик|бухгалтер|экономист|юрист|"
    r"маркетолог|продюсер|технолог|лид|стажер|стажёр|ассистент|помощник|оператор|врач|учитель|"
    r"преподаватель|продавец|водитель|начальник|заместитель|head|lead|developer|engineer|"
    r"analyst|manager|director|designer|scientist|architect|consultant|specialist|administrator|"
    r"programmer|intern|officer|tester|owner|accountant|associate|coordinator|devops|cto|ceo|"
    r"recruiter|researcher|teacher|editor|writer|marketer)",
    re.IGNORECASE,
)
_INSTITUTION = re.compile(
    r"(?:университет|институт|академи|колледж|техникум|училищ|школа|лицей|гимназ|мгу|мфти|вшэ|"
    r"university|institute|college|school|academy|polytechnic)",
    re.IGNORECASE,
)
_DEGREE = re.compile(
    r"\b(?:бакалавр\w*|магистр\w*|специалист\w*|кандидат\s+\w+\s+наук|аспирант\w*|"
    r"bachelor\w*(?:\s+of\s+\w+)?|master\w*(?:\s+of\s+\w+)?|b\.?sc|m\.?sc|b\.?a|m\.?a|mba|ph\.?d|"
    r"associate)\b",
    re.IGNORECASE,
)
_DURATION = re.compile(
    r"^\(?\d+\s*(?:год|года|лет|мес|years?|yrs?|months?|mos?)\b[\w\s]*\)?$", re.IGNORECASE
)
_SEPARATORS = re.compile(r"\s+(?:—|–|-|\||·|@|at)\s+|\s*[|·]\s*|,\s+")
CITIES = {
    # A short list to tell a city from a company in a job's header lines; the personal
    # city is taken from "Проживает:"/the contact line whatever it is.
    "москва", "санкт-петербург", "новосибирск", "екатеринбург", "казань", "нижний новгород",
    "самара", "омск", "ростов-на-дону", "уфа", "красноярск", "пермь", "воронеж", "волгоград",
    "краснодар", "тюмень", "томск", "минск", "алматы", "астана", "ташкент", "киев", "тбилиси",
    "ереван", "баку", "london", "berlin", "munich", "paris", "amsterdam", "new york",
    "san francisco", "seattle", "boston", "chicago", "austin", "toronto", "dublin", "warsaw",
    "prague", "lisbon", "madrid", "barcelona", "vienna", "zurich", "stockholm", "helsinki",
    "tel aviv", "dubai", "singapore", "remote", "удалённо", "удаленно", "moscow",
    "saint petersburg", "st. petersburg",
}  # fmt: skip


class Parser:
    def __init__(self, text: str, default_region: str | None) -> None:
        self.text = text
        self.out = Parsed(language=detect_language(text).language)
        self.region = default_region or ("RU" if self.out.language == "ru" else None)

    def value(self, path: str, start: int, end: int) -> str:
        """The trimmed text at [start, end), recorded as the source of ``path``."""
        raw = self.text[start:end]
        lead = len(raw) - len(raw.lstrip(" ,;:|·—–-•"))
        trail = len(raw.rstrip(" ,;:|·—–-"))
        start, end = start + lead, start + max(lead, trail)
        self.out.found.append(Found(path, start, end))
        self.out.used.append((start, end))
        value = self.text[start:end]
        return value if path.endswith(("summary", "description")) else " ".join(value.split())

    # --- the whole text -------------------------------------------------------------------

    def parse(self) -> Parsed:
        sections = self.sections()
        head_end = sections[0][2] if sections else len(self.text)
        self.contacts(head_end)
        for kind, start, end in sections:
            handler = getattr(self, f"section_{kind}", None)
            if handler is not None:
                handler(start, end)
        if "skills" not in self.out.sections:
            self.skills_anywhere()
        if "languages" not in self.out.sections:
            self.section_languages(0, len(self.text))
            if not self.out.sections.get("languages"):
                self.out.sections.pop("languages", None)
        return self.out

    def sections(self) -> list[tuple[str, int, int]]:
        """(kind, body start, body end) of each heading line, in order."""
        heads = []
        for line in lines_of(self.text):
            kind = resume_heading(line.text)
            if kind is not None:
                heads.append((kind, line))
        out = []
        for index, (kind, line) in enumerate(heads):
            self.out.used.append((line.start, line.end))
            end = heads[index + 1][1].start if index + 1 < len(heads) else len(self.text)
            out.append((kind, line.end, end))
        if heads:
            out.insert(0, ("head", 0, heads[0][1].start))
        return out

    # --- contacts -------------------------------------------------------------------------

    def contacts(self, head_end: int) -> None:
        personal = self.out.personal
        for match in _EMAIL.finditer(self.text):
            try:
                canonical_email(match.group())
            except InvalidEmail:
                continue
            personal["email"] = self.value("personal.email", match.start(), match.end())
            break
        for match in _PHONE.finditer(self.text):
            try:
                number = phonenumbers.parse(match.group(), self.region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                self.value("personal.phone", match.start(), match.end())
                personal["phone"] = phonenumbers.format_number(
                    number, phonenumbers.PhoneNumberFormat.E164
                )
                break
        links: list[dict[str, Any]] = []
        for match in _URL.finditer(self.text):
            url = match.group().rstrip(".")
            host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.IGNORECASE).split("/")[0]
            network = _NETWORKS.get(host.casefold())
            full = url if url.lower().startswith("http") else f"https://{url}"
            if network:
                index = len(links)
                self.value(f"personal.links[{index}].url", match.start(), match.start() + len(url))
                links.append({"network": network, "url": full, "username": None})
            elif "website" not in personal:
                self.value("personal.website", match.start(), match.start() + len(url))
                personal["website"] = full
        if links:
            personal["links"] = links
        self.name_and_city(head_end)

    def name_and_city(self, head_end: int) -> None:
        personal = self.out.personal
        lines = lines_of(self.text)
        for line in lines[:30]:
            words = line.text.split()
            if (
                2 <= len(words) <= 4
                and all(re.fullmatch(r"[^\W\d_][^\W\d_'’.-]*", w) and w[0].isupper() for w in words)
                and not _JOB_WORDS.search(line.text)
                and resume_heading(line.text) is None
                and line.text.casefold() not in CITIES
                and not find_skills(line.text)
            ):
                personal["full_name"] = self.value("personal.full_name", line.start, line.end)
                after = [x for x in lines if x.start > line.end][:1]
                if after and _JOB_WORDS.search(after[0].text) and len(after[0].text) < 80:
                    personal["headline"] = self.value(
                        "personal.headline", after[0].start, after[0].end
                    )
                break
        lived = re.search(r"(?:Проживает|Город|City|Location)\s*:\s*([^\n,]+)", self.text)
        if lived:
            city = self.value("personal.location.city", lived.start(1), lived.end(1))
            personal["location"] = {"city": city}
            return
        contacts = [
            (
                x.end,
                next(
                    (y.start for y in lines if y.start > x.end and resume_heading(y.text)),
                    len(self.text),
                ),
            )
            for x in lines
            if resume_heading(x.text) == "contacts"
        ]
        for line in lines:
            if line.start >= head_end and not any(a <= line.start < b for a, b in contacts):
                continue
            for piece in re.finditer(r"[^|·,;\n]+", line.text):
                word = piece.group().strip()
                if word.casefold() in CITIES:
                    start = line.start + piece.start() + piece.group().index(word)
                    city = self.value("personal.location.city", start, start + len(word))
                    personal["location"] = {"city": city}
                    return

    # --- sections -------------------------------------------------------------------------

    def section_summary(self, start: int, end: int) -> None:
        body = self.text[start:end].strip()
        if body and "summary" not in self.out.personal:
            offset = self.text.index(body, start)
            self.out.personal["summary"] = self.value(
                "personal.summary", offset, offset + len(body)
            )

    def section_other(self, start: int, end: int) -> None:
        # hh.ru: "Дополнительная информация" holds "Обо мне" and the text beside it.
        lines = lines_of(self.text, start, end)
        for index, line in enumerate(lines):
            if re.fullmatch(r"(?:обо мне|о себе|about me)", line.text, re.IGNORECASE):
                self.out.used.append((line.start, line.end))
                rest = lines[index + 1 :]
                if rest:
                    self.section_summary(rest[0].start, rest[-1].end)
                return

    def section_desired(self, start: int, end: int) -> None:
        lines = lines_of(self.text, start, end)
        if lines:
            self.out.personal["desired_position"] = self.value(
                "personal.desired_position", lines[0].start, lines[0].end
            )
        for salary in find_salary(self.text[start:end]):
            amount = salary.max or salary.min
            if amount:
                self.value("personal.desired_salary", start + salary.start, start + salary.end)
                self.out.personal["desired_salary"] = {
                    "amount": int(amount),
                    "currency": salary.currency,
                }
                break

    def section_experience(self, start: int, end: int) -> None:
        lines = lines_of(self.text, start, end)
        if not lines:
            return
        periods = self.periods(start, end)
        if not periods:
            return
        anchor = [self.line_index(lines, p.start) for p in periods]
        # hh.ru and "dates first" layouts: the first period opens the section; else the
        # header lines (position, company) stand before or on the period's line.
        dates_first = anchor[0] == 0
        items: list[dict[str, Any]] = []
        for k, period in enumerate(periods):
            index = len(items)
            path = f"experience[{index}]"
            first = anchor[k]
            last_period_line = self.line_index(lines, period.end - 1)
            header: list[tuple[str, int]] = []  # (piece, offset)
            period_line = lines[first]
            rest = self.rest_of(period_line, period, lines[last_period_line])
            header.extend(rest)
            if dates_first:
                body_from = last_period_line + 1
                taken = 0
                while body_from < len(lines) and taken < 4:
                    candidate = lines[body_from]
                    if k + 1 < len(anchor) and body_from >= anchor[k + 1]:
                        break
                    if _BULLET.match(candidate.text) or len(candidate.text) > 90:
                        break
                    if _DURATION.match(candidate.text):
                        self.out.used.append((candidate.start, candidate.end))
                    else:
                        header.extend(self.pieces(candidate))
                        taken += 1
                        if (
                            (
                                taken >= 3
                                or (taken >= 2 and any(_JOB_WORDS.search(p) for p, _ in header))
                            )
                            and not (
                                body_from + 1 < len(lines)
                                and lines[body_from + 1].text.casefold() in CITIES
                            )
                            and self.has_both(header)
                        ):
                            body_from += 1
                            break
                    body_from += 1
                body_to = anchor[k + 1] if k + 1 < len(anchor) else len(lines)
            else:
                before = first - 1
                floor = self.header_floor(lines, anchor, k)
                taken = 0
                while before >= floor and taken < 2 and not self.has_both(header):
                    candidate = lines[before]
                    if _BULLET.match(candidate.text) or candidate.text.endswith("."):
                        break
                    header[:0] = self.pieces(candidate)
                    taken += 1
                    before -= 1
                body_from = last_period_line + 1
                body_to = len(lines)
                if k + 1 < len(anchor):
                    body_to = self.header_floor(lines, anchor, k + 1, start_of_next=True)
            item = self.job(path, header, period)
            if item is None:
                continue
            highlights: list[str] = []
            description: list[Line] = []
            for line in lines[body_from:body_to]:
                if _BULLET.match(line.text):
                    bullet = _BULLET.match(line.text)
                    assert bullet is not None
                    highlights.append(
                        self.value(
                            f"{path}.highlights[{len(highlights)}]",
                            line.start + bullet.end(),
                            line.end,
                        )
                    )
                elif line.text.casefold() in CITIES and not item.get("location"):
                    item["location"] = self.value(f"{path}.location", line.start, line.end)
                elif not _DURATION.match(line.text):
                    description.append(line)
            if highlights:
                item["highlights"] = highlights
            if description:
                item["description"] = self.value(
                    f"{path}.description", description[0].start, description[-1].end
                )
            items.append(item)
        if items:
            self.out.sections["experience"] = items

    def header_floor(
        self, lines: list[Line], anchor: list[int], k: int, *, start_of_next: bool = False
    ) -> int:
        """The first line that may belong to entry ``k``'s header (after entry ``k-1``'s
        period line and its bullets)."""
        previous = anchor[k - 1] + 1 if k > 0 else 0
        first = anchor[k]
        index = first
        while index - 1 >= previous and first - index < 2:
            candidate = lines[index - 1]
            if _BULLET.match(candidate.text) or candidate.text.endswith("."):
                break
            index -= 1
        return index if start_of_next else previous

    @staticmethod
    def has_both(header: list[tuple[str, int]]) -> bool:
        named = [p for p, _ in header if p.casefold() not in CITIES]
        return len(named) >= 2

    def pieces(self, line: Line) -> list[tuple[str, int]]:
        out = []
        position = 0
        for part in _SEPARATORS.split(line.text):
            if not part:
                continue
            at = line.text.index(part, position)
            position = at + len(part)
            if part.strip(" .,;:"):
                out.append((part, line.start + at))
        return out

    def rest_of(self, line: Line, period: Period, last: Line) -> list[tuple[str, int]]:
        out = []
        before = self.text[line.start : period.start]
        after = self.text[period.end : last.end] if last.end > period.end else ""
        for chunk, offset in ((before, line.start), (after, period.end)):
            if chunk.strip(" |,·—–-()"):
                fake = Line(chunk, offset, offset + len(chunk))
                out.extend(self.pieces(fake))
        return out

    def job(
        self, path: str, header: list[tuple[str, int]], period: Period
    ) -> dict[str, Any] | None:
        position = company = location = None
        for piece, offset in header:
            if piece.casefold() in CITIES:
                location = location or (piece, offset)
            elif (
                position is None
                and _JOB_WORDS.search(piece)
                and not re.search(
                    r"[«\"]|\b(?:ООО|АО|ПАО|ЗАО|ИП|Inc|LLC|Ltd|GmbH|SE|Corp)\b", piece
                )
            ):
                position = (piece, offset)
            elif company is None:
                company = (piece, offset)
        if position is None or company is None:
            rest = [(p, o) for p, o in header if (p, o) not in (position, company, location)]
            if position is None and rest:
                position = rest.pop(0)
            if company is None and rest:
                company = rest.pop(0)
        if position is None or company is None:
            return None
        item: dict[str, Any] = {
            "company": self.value(f"{path}.company", company[1], company[1] + len(company[0])),
            "position": self.value(f"{path}.position", position[1], position[1] + len(position[0])),
        }
        if location:
            item["location"] = self.value(
                f"{path}.location", location[1], location[1] + len(location[0])
            )
        self.dates(path, period, item)
        return item

    def dates(self, path: str, period: Period, item: dict[str, Any]) -> None:
        self.out.found.append(Found(f"{path}.start_date", period.start, period.end))
        self.out.used.append((period.start, period.end))
        item["start_date"] = period.start_date
        item["end_date"] = period.end_date
        if period.end_date is not None or period.current:
            self.out.found.append(Found(f"{path}.end_date", period.start, period.end))

    def periods(self, start: int, end: int) -> list[Period]:
        # Line breaks read as spaces (same length): "Январь 2020 — по\nнастоящее время"
        # wrapped in a narrow column is one period.
        flat = self.text[start:end].replace("\n", " ")
        return [
            Period(p.start_date, p.end_date, p.current, p.start + start, p.end + start, p.text)
            for p in find_periods(flat)
        ]

    @staticmethod
    def line_index(lines: list[Line], offset: int) -> int:
        for index, line in enumerate(lines):
            if line.start <= offset < line.end or offset < line.start:
                return index
        return len(lines) - 1

    def section_education(self, start: int, end: int) -> None:
        lines = lines_of(self.text, start, end)
        items: list[dict[str, Any]] = []
        current: dict[str, Any] | None = None
        previous: Line | None = None
        for line in lines:
            path = f"education[{len(items) - 1}]"
            if (
                current is not None
                and previous is not None
                and current.get("institution")
                and len(line.text.split()) <= 2
                and "," not in line.text
                and not _DEGREE.search(line.text)
                and not re.search(r"\d", line.text)
                and self.out.found[-1].path.endswith(".institution")
                and self.out.found[-1].end == previous.end
            ):
                self.out.found.pop()
                current["institution"] = self.value(
                    f"{path}.institution", self.out.used.pop()[0], line.end
                )
                previous = line
                continue
            previous = line
            periods = [p for p in self.periods(line.start, line.end)]
            year = None if periods else re.search(r"(?<!\d)(?:19|20)\d{2}(?!\d)", line.text)
            # "Institution · Degree · Field · 2016" on one line (resume-generation's
            # compact template): the institution is the first piece.
            head_cut = re.search(r"\s+[·|]\s+", line.text)
            head = line.text[: head_cut.start()] if head_cut else line.text
            rest = 0
            institution = _INSTITUTION.search(head)
            if institution and _DEGREE.search(head) is None:
                if current is not None and "institution" not in current:
                    pass
                else:
                    current = {}
                    items.append(current)
                path = f"education[{len(items) - 1}]"
                cut = re.search(r",\s*(?:19|20)\d{2}", head)
                stop = line.start + (cut.start() if cut else len(head))
                current["institution"] = self.value(f"{path}.institution", line.start, stop)
                if head_cut is None:
                    # Its name may run on the next line (a narrow column).
                    continue
                rest = head_cut.end()
            if current is None and (periods or year):
                current = {}
                items.append(current)
                path = f"education[{len(items) - 1}]"
            if current is None:
                continue
            if periods:
                period = periods[0]
                self.dates(path, period, current)
            elif year and len(line.text.strip()) == 4:
                self.value(f"{path}.end_date", line.start + year.start(), line.start + year.end())
                current["end_date"] = year.group()
                if "institution" in current:  # a year line after an entry opens the next
                    pass
                continue
            field_parts: list[tuple[int, int]] = []
            for part_match in re.finditer(r"[^,·|]+", line.text[rest:]):
                part = part_match.group().strip()
                offset = line.start + rest + part_match.start() + part_match.group().index(part)
                if not part or find_periods(part) or re.fullmatch(r"(?:19|20)\d{2}", part):
                    if year and part == year.group():
                        self.value(f"{path}.end_date", offset, offset + len(part))
                        current["end_date"] = part
                    continue
                if _DEGREE.search(part) and "degree" not in current:
                    current["degree"] = self.value(f"{path}.degree", offset, offset + len(part))
                elif "institution" in current and "field" not in current:
                    field_parts.append((offset, offset + len(part)))
            if field_parts:
                current["field"] = self.value(
                    f"{path}.field", field_parts[0][0], field_parts[-1][1]
                )
        items = [item for item in items if item.get("institution")]
        if items:
            self.out.sections["education"] = items

    def section_skills(self, start: int, end: int) -> None:
        items: list[dict[str, Any]] = []
        seen: set[str] = set()
        for line in lines_of(self.text, start, end):
            bullet = _BULLET.match(line.text)
            body_start = line.start + (bullet.end() if bullet else 0)
            spans = [
                (m.start(), m.end())
                for m in re.finditer(r"[^,;|·•\n]+", self.text[body_start : line.end])
            ]
            if len(spans) == 1:
                spans = _skill_chips(self.text[body_start : line.end]) or spans
            for span_start, span_end in spans:
                piece = self.text[body_start + span_start : body_start + span_end]
                name = piece.strip()
                if not name or len(name) > 60 or not re.search(r"[^\W\d_]", name):
                    continue
                if name.casefold() in seen:
                    continue
                seen.add(name.casefold())
                offset = body_start + span_start + piece.index(name)
                items.append(
                    {"name": self.value(f"skills[{len(items)}].name", offset, offset + len(name))}
                )
        if items:
            self.out.sections["skills"] = items

    def skills_anywhere(self) -> None:
        items: list[dict[str, Any]] = []
        seen: set[str] = set()
        for mention in find_skills(self.text):
            if mention.skill.id in seen:
                continue
            seen.add(mention.skill.id)
            items.append(
                {"name": self.value(f"skills[{len(items)}].name", mention.start, mention.end)}
            )
        if items:
            self.out.sections["skills"] = items

    def section_languages(self, start: int, end: int) -> None:
        items: list[dict[str, Any]] = self.out.sections.setdefault("languages", [])
        codes = {item.get("code") for item in items}
        # One line may list several languages ("English — native · French — B1", as
        # resume-generation's templates print them): the separators end a language's entry
        # as a line break would (same length, so offsets still point into the text).
        body = re.sub(r"[·|;]", "\n", self.text[start:end])
        for found in find_languages(body):
            if found.code in codes:
                continue
            codes.add(found.code)
            path = f"languages[{len(items)}]"
            at = start + found.start
            name_match = re.match(r"[^\W\d_]+(?:\s+язык)?", self.text[at : start + found.end])
            item: dict[str, Any] = {"code": found.code, "level": found.level}
            if name_match:
                item["name"] = self.value(f"{path}.name", at, at + len(name_match.group()))
            line_end = body.find("\n", found.start)
            line_end = end if line_end < 0 else start + line_end
            tail = self.text[at + (len(name_match.group()) if name_match else 0) : line_end]
            if tail.strip(" —–-:,()"):
                offset = at + (len(name_match.group()) if name_match else 0)
                item["level_text"] = self.value(f"{path}.level_text", offset, line_end)
            self.out.found.append(Found(f"{path}.code", at, start + found.end))
            items.append(item)


def _skill_chips(body: str) -> list[tuple[int, int]]:
    """A skills line with no separators ("Go Python PostgreSQL Kafka", drawn as chips by
    resume-generation's modern template) split into the skills it names, when the taxonomy
    knows every word of it; otherwise nothing (the line stays one skill)."""
    mentions = sorted(find_skills(body), key=lambda m: m.start)
    if len(mentions) < 2:
        return []
    covered = {i for m in mentions for i in range(m.start, m.end)}
    if any(not ch.isspace() and i not in covered for i, ch in enumerate(body)):
        return []
    spans: list[tuple[int, int]] = []
    for mention in mentions:
        if spans and mention.start < spans[-1][1]:
            continue
        spans.append((mention.start, mention.end))
    return spans


def parse_resume(text: str, *, default_region: str | None = None) -> Parsed:
    return Parser(text, default_region).parse()
