"""Facts a vacancy's text states in words: optional cues, education, work format, employment,
"no experience needed", and a pasted vacancy's title and company."""

from __future__ import annotations

import itertools
import re

from qh.job_data.parsing.model import Employment, WorkFormat
from qh.job_data.parsing.text_sections import Line, heading_kind

# ---- optional ("nice to have") cues, per clause -------------------------------------------

_OPTIONAL_CUE = re.compile(
    r"будет\s+(?:большим\s+|дополнительным\s+)?(?:плюсом|преимуществом|здорово|круто)|"
    r"(?:большим\s+|дополнительным\s+)?(?:плюсом|преимуществом)\s+будет|(?:как\s+)?преимущество\b|"
    r"желательн|приветству|не\s+обязател|необязател|не\s+требуется|"
    r"плюсом\b|будет\s+плюс|\bплюс\s*:|\(плюс\)|"
    r"\bis\s+a\s+(?:big\s+|huge\s+|strong\s+)?plus|\ba\s+plus\b|(?:would\s+be\s+)?(?:a\s+)?bonus|"
    r"nice[\s-]to[\s-]have|good[\s-]to[\s-]have|\bpreferred\b|\bpreferably\b|\bideally\b|"
    r"\bdesirable\b|\bdesired\b|\ban\s+advantage\b|\badvantageous\b|\boptional\b|"
    r"not\s+(?:required|mandatory|necessary)|is\s+welcome|are\s+welcome|would\s+be\s+(?:great|nice)"
)
# Every cue contains one of these: a cheap test before the regular expression.
_OPTIONAL_KEYS = (
    "плюс", "преимуществ", "желательн", "приветству", "обязател", "не требуется", "здорово",
    "круто", "plus", "bonus", "nice", "good", "prefer", "ideal", "desir", "advantag",
    "optional", "not ", "welcome", "would be",
)  # fmt: skip
# Clause boundaries inside a line: sentence ends, semicolons, and a comma or "и"/"and" that
# opens a new demand ("Python, опыт с Kafka будет плюсом").
_CLAUSE_END = re.compile(
    r"[;!?)]|\.(?=\s|$)|\s[-–—]\s|\((?=[^)]*(?:плюс|преимуществ|желательн|plus|bonus|preferred))"
    r"|,\s*(?=(?:а\s+также|а|но|but|while|also|plus|ideally|preferably|желательно|"
    r"предпочтительно|в\s+идеале)\b)"
    r"|(?:,|\s+и|\s+and)\s+(?=(?:знани|опыт|умени|навык|владени|понимани|experience|knowledge|"
    r"familiarity|understanding|exposure|proficiency|hands-on)\w*)"
)


def optional_spans(folded: str, lines: list[Line]) -> list[tuple[int, int]]:
    """Spans of the text (clauses of a line) that a cue marks as optional."""
    spans: list[tuple[int, int]] = []
    for line in lines:
        body = folded[line.body_start : line.end]
        if not any(key in body for key in _OPTIONAL_KEYS) or not _OPTIONAL_CUE.search(body):
            continue
        cuts = [0, *(m.end() for m in _CLAUSE_END.finditer(body)), len(body)]
        clauses = list(itertools.pairwise(cuts))
        for index, (a, b) in enumerate(clauses):
            cue = _OPTIONAL_CUE.search(body, a, b)
            if not cue:
                continue
            # A cue standing alone ("погрузчик — будет плюсом") speaks of the clause before.
            alone = not re.search(r"\w", body[a:b].replace(cue.group(), " "))
            if alone and index:
                a = clauses[index - 1][0]
            spans.append((line.body_start + a, line.body_start + b))
    return spans


# ---- experience stated as none ----------------------------------------------------------

NO_EXPERIENCE = re.compile(
    r"без\s+опыта|опыт\s+(?:работы\s+)?не\s+(?:требуется|обязателен|нужен|важен)|"
    r"не\s+требуется\s+опыт|no\s+(?:prior\s+|previous\s+)?experience\s+(?:required|needed|necessary)|"
    r"experience\s+(?:is\s+)?not\s+required|no\s+experience\s+is\s+(?:required|needed)|"
    r"requires?\s+no\s+(?:prior\s+)?experience|"
    r"(?:recent|new)\s+graduates?\s+(?:are\s+)?welcome|студент\w*\s+и\s+выпускник"
)

# ---- education ---------------------------------------------------------------------------

_RU_LEVEL = (
    r"(?:высшее|среднее|неоконченное|незаконченное|средне|специальное|профессиональное|"
    r"техническое|медицинское|педагогическое|экономическое|юридическое|финансовое|профильное|"
    r"сестринское|инженерное|математическое|гуманитарное|бухгалтерское|"
    r"[а-я]+ое)"
)
_RU_EDUCATION = re.compile(
    r"(?:(?:высшее|среднее|неоконченное\s+высшее|незаконченное\s+высшее|средне[- ]специальное|"
    r"профильное|техническое|медицинское|педагогическое|экономическое|юридическое|финансовое)"
    rf"(?:[\s,/\-]+(?:или\s+|и\s+)?{_RU_LEVEL}){{0,4}}\s+образование"
    r"(?:\s+(?:в\s+области|по\s+специальности|по\s+направлению|\()[^,.;\n)]*\)?)?)"
    r"|образование\s*[:\-—]\s*(?:высшее|среднее|неоконченное\s+высшее|средне[- ]специальное)"
    r"(?:[\s,]+[а-я]+ое){0,3}"
    r"|(?:диплом|сертификат)\s+(?:о\s+)?(?:высшем|среднем)\s+[^,.;\n]*"
)
_EN_EDUCATION = re.compile(
    r"(?:\b(?:bachelor|master|ph\.?\s?d|doctorate|mba|b\.?\s?sc?|m\.?\s?sc?|b\.?a|"
    r"associate|university|college|higher|vocational|nursing|teaching)\b"
    r"[^.;\n]{0,40}?\b(?:degree|diploma|education|qualification)s?\b[^.;\n]*)"
    r"|(?:\b(?:bachelor'?s|master'?s|ph\.?d|bs|ba|ms|bsc|msc|mba|b\.s\.|m\.s\.)"
    r"(?:\s*(?:/|or|and)\s*(?:bachelor'?s|master'?s|ph\.?d|bs|ba|ms|bsc|msc|mba))*\s+in\s+[^.;\n]+)"
    r"|\b(?:a\s+)?degree\s+in\s+[^.;\n]+"
)
_EDUCATION_TAIL = re.compile(r"\s*(?:,|;|\bis\s+a\s+plus|\bpreferred|\bor\s+equivalent.*)$")


def education(text: str, folded: str, spans: list[tuple[int, int]]) -> str | None:
    """The first education demand in `spans` (or the whole text when empty), as written."""
    windows = spans or [(0, len(text))]
    for pattern in (_RU_EDUCATION, _EN_EDUCATION):
        for a, b in windows:
            match = pattern.search(folded, a, b)
            if match:
                found = text[match.start() : match.end()].strip(" ,.;:-")
                found = re.sub(r"\s+", " ", found)
                if len(found) > 120:
                    found = found[:120].rsplit(" ", 1)[0]
                return found
    return None


# ---- work format and employment ------------------------------------------------------------

_FORMAT_KEYS: dict[WorkFormat, tuple[str, ...]] = {
    "hybrid": ("гибрид", "смешан", "hybrid", "remote"),
    "remote": ("удал", "дистанц", "дома", "remote", "from home", "from anywhere", "wfh", "distributed", "anywhere"),
    "onsite": ("офис", "территории", "на производстве", "на складе", "на объекте", "site", "office", "person"),
    "field": ("разъезд", "выездн", "field", "travel"),
}  # fmt: skip
_FORMATS: tuple[tuple[WorkFormat, re.Pattern[str]], ...] = (
    (
        "hybrid",
        re.compile(r"гибрид|смешанн\w+\s+(?:формат|график)|\bhybrid\b|(?:part|partly)\s+remote"),
    ),
    (
        "remote",
        re.compile(
            r"удал[её]нн|удал[её]нк|удал[её]нно|дистанционн|из\s+дома|\bremote(?!\s+sensing)|"
            r"work\s+from\s+(?:home|anywhere)|\bwfh\b|fully\s+distributed|anywhere\s+in\s+the\s+world"
        ),
    ),
    (
        "onsite",
        re.compile(
            r"(?<![\w-])офис(?:е|а|ом|ный|ная|ное|ные)?\b(?!-менеджер)|на\s+территории\s+работодателя|"
            r"на\s+(?:производстве|складе|объекте)|\bon[\s-]?site\b|\bin[\s-]office\b|"
            r"\bin\s+(?:the|our)\s+office\b|office[\s-]based|\bin[\s-]person\b|"
            r"(?:at|from)\s+(?:the|our)\s+\w*\s*office\b"
        ),
    ),
    (
        "field",
        re.compile(
            r"разъездн|выездн\w+\s+(?:характер|работ)|\bfield[\s-]based\b|\bfield\s+(?:role|work|position)\b|"
            r"travel\s+(?:required|between\s+sites)|(?:frequent|regular)\s+travel"
        ),
    ),
)


def work_formats(folded: str, lines: list[Line]) -> list[WorkFormat]:
    """Formats named in the text, in order of first mention; a line that names a hybrid
    format ("гибрид: 2 дня в офисе") counts as hybrid only."""
    found: dict[WorkFormat, int] = {}
    for line in lines:
        body = folded[line.start : line.end]
        keys = {kind for kind, words in _FORMAT_KEYS.items() if any(w in body for w in words)}
        if not keys:
            continue
        hybrid = "hybrid" in keys and _FORMATS[0][1].search(body)
        for kind, pattern in _FORMATS:
            if kind in found or kind not in keys or (hybrid and kind == "onsite"):
                continue
            match = pattern.search(body)
            if match:
                found[kind] = line.start + match.start()
    return sorted(found, key=found.__getitem__)


_EMPLOYMENT: tuple[tuple[Employment, re.Pattern[str]], ...] = (
    ("internship", re.compile(r"стажировк|стаж[её]р|\binternship|\bintern\b|\btrainee\b")),
    ("volunteer", re.compile(r"волонт[её]р|\bvolunteer")),
    (
        "project",
        re.compile(
            r"проектн\w+\s+(?:работ|занятост)|\bгпх\b|фриланс|\bfreelance|\bcontractor\b|"
            r"\bcontract(?:[\s-]to[\s-]hire)?\s+(?:role|position|basis|job|work|engagement)|"
            r"\b(?:b2b|freelance|fixed[\s-]term)\s+contract|\(contract\)|type\s*:\s*contract"
        ),
    ),
    (
        "temporary",
        re.compile(r"временн\w+\s+(?:работ|занятост)|сезонн\w+\s+работ|\btemporary\b|\bseasonal\b"),
    ),
    (
        "part",
        re.compile(
            r"частичн\w+\s+занятост|неполн\w+\s+(?:рабоч|занятост|день|ставк)|подработк|"
            r"\bpart[\s-]time\b"
        ),
    ),
    (
        "full",
        re.compile(
            r"полн\w+\s+(?:занятост|рабоч\w+\s+день|ставк|день)|\bfull[\s-]time\b|\bfulltime\b"
        ),
    ),
)


_EMPLOYMENT_KEYS: dict[Employment, tuple[str, ...]] = {
    "internship": ("стаж", "intern", "trainee"),
    "volunteer": ("волонт", "volunteer"),
    "project": ("проектн", "гпх", "фриланс", "freelance", "contract"),
    "temporary": ("временн", "сезонн", "temporary", "seasonal"),
    "part": ("частичн", "неполн", "подработк", "part"),
    "full": ("полн", "full"),
}  # fmt: skip


def employment(folded: str) -> Employment | None:
    """The employment type first named in the text."""
    best: tuple[int, Employment] | None = None
    for kind, pattern in _EMPLOYMENT:
        if not any(key in folded for key in _EMPLOYMENT_KEYS[kind]):
            continue
        match = pattern.search(folded)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), kind)
    return best[1] if best else None


# ---- a pasted vacancy's title and company --------------------------------------------------

_TITLE_PREFIX = re.compile(
    r"^(?:вакансия|должность|позиция|job\s+title|position|role|title|vacancy|job)\s*[:\-—]\s*",
    re.IGNORECASE,
)
_HIRING = re.compile(
    r"^(?P<company>.{2,60}?)\s+(?:is\s+hiring|are\s+hiring|is\s+looking\s+for|ищет|ищут|"
    r"приглашает|приглашают|открывает\s+вакансию)\s*(?:an?\s+|в\s+команду\s+)?[:\-—]?\s*"
    r"(?P<title>.+)$",
    re.IGNORECASE,
)
_AT_COMPANY = re.compile(
    r"^(?P<title>.{3,80}?)\s+(?:at|@|в\s+компанию|в\s+компании)\s+(?P<company>.{2,60})$"
)
_SEPARATED = re.compile(r"^(?P<title>.{3,80}?)\s+(?:\||—|–|-)\s+(?P<rest>.{2,80})$")
# What follows a title after a dash is its company only when it reads like one.
_COMPANY_MARK = re.compile(
    r"«|\"|\b(?:ООО|АО|ПАО|ЗАО|ИП|Inc|Ltd|LLC|LLP|GmbH|plc|Corp|Corporation|Group|Company|Co\.|"
    r"AG|SA|B\.V\.|Limited|Holding|Labs|Technologies|Solutions)\b"
)
_MONEY = re.compile(r"\d[\d\s]*(?:k|к|тыс|000)|[$€£₽]|руб|usd|eur|rub", re.IGNORECASE)
_LOCATION_WORDS = re.compile(
    r"remote|удал|гибрид|hybrid|москва|санкт|петербург|london|berlin|new\s+york|city|город|"
    r"офис|office|full[\s-]time|part[\s-]time|занятость",
    re.IGNORECASE,
)

_NAME = r"(?:«[^»\n]{1,60}»|\"[^\"\n]{1,60}\"|[A-ZА-ЯЁ0-9][\w&.+'-]*(?:\s+(?:[A-ZА-ЯЁ0-9][\w&.+'-]*|&)){0,3})"
_LEGAL = r"(?:ООО|АО|ПАО|ЗАО|ОАО|ИП|ГК|ГБУЗ|ГБУ|МБОУ|ГБОУ|ФГУП|НКО)"
_COMPANY_PATTERNS = (
    re.compile(
        r"(?im)^[\W_]*(?:компания|работодатель|организация|company|employer|organization|organisation)"
        r"[\W_]*[:\-—]\s*(?P<name>[^\n]{2,80}?)\s*$"
    ),
    re.compile(rf"(?P<name>{_LEGAL}\s*(?:«[^»\n]{{1,60}}»|\"[^\"\n]{{1,60}}\"))"),
    re.compile(
        rf"(?:^|[\s(])(?:[Кк]омпания|[Кк]омпанию|[Кк]омпании|[Гг]руппа\s+компаний)\s+(?P<name>{_NAME})"
    ),
    re.compile(rf"(?m)^(?P<name>{_NAME})\s+(?:is\s+hiring|is\s+looking\s+for|ищет|приглашает)\b"),
    re.compile(rf"(?m)^[\W_]*(?:About|О\s+компании)\s+(?P<name>{_NAME})[\W_]*$"),
    re.compile(rf"\b(?:At|Join)\s+(?P<name>{_NAME}),?\s+(?:we|you|our|the|a|an)\b"),
    re.compile(rf"(?m)^(?P<name>{_NAME})\s+(?:is\s+an?|is\s+the|—\s+это|-\s+это|это)\s+"),
    re.compile(rf"\b(?:We'?re|We\s+are)\s+(?P<name>{_NAME}),"),
    re.compile(rf"\b[Jj]oin\b[^.\n]{{0,60}}?\bat\s+(?P<name>{_NAME})"),
)
# A name in «quotes» early in the text ("маркетплейс «Лавка Мастеров»").
_QUOTED = re.compile(r"«(?P<name>[^»\n]{2,40})»")
_NOT_A_COMPANY = re.compile(
    r"^(?:the|a|an|we|our|you|us|мы|наша|наш|это|it|this|team|команда|компания|company|"
    r"about|о|job|role|position|vacancy|вакансия|senior|junior|middle|lead)$",
    re.IGNORECASE,
)


def _clean_company(name: str) -> str | None:
    name = name.strip(" \t,.;:!—-")
    if name.startswith(("«", '"')) and name.endswith(("»", '"')):
        name = name[1:-1].strip()
    first = name.split(" ", 1)[0] if name else ""
    if not name or (_NOT_A_COMPANY.match(first) and " " not in name) or _NOT_A_COMPANY.match(name):
        return None
    if heading_kind(name) is not None and not re.search(r"[«\"]", name):
        return None
    return name


def _is_heading_like(line: str) -> bool:
    bare = re.sub(r"^[\W_]+|[\W_]+$", "", line)
    return heading_kind(bare) is not None


def title_and_company(text: str, lines: list[Line]) -> tuple[str, str | None]:
    """The vacancy's title (the first short line that isn't a heading) and its company."""
    title: str | None = None
    company: str | None = None
    for line in lines[:6]:
        raw = text[line.start : line.end].strip()
        body = re.sub(r"^[\W_]+|[\s*_#:]+$", "", raw)
        if not body or len(body) > 100 or _is_heading_like(body) or body.endswith("."):
            continue
        if len(body.split()) > 12:
            continue
        body = _TITLE_PREFIX.sub("", body)
        if re.match(r"(?i)^(?:компания|работодатель|company|employer)\s*[:\-—]", body):
            continue
        hiring = _HIRING.match(body)
        if hiring:
            company = _clean_company(hiring["company"])
            body = hiring["title"]
        else:
            at = _AT_COMPANY.match(body)
            if at and not _MONEY.search(at["company"]):
                company = _clean_company(at["company"])
                body = at["title"]
            else:
                separated = _SEPARATED.match(body)
                if separated and (
                    _MONEY.search(separated["rest"]) or _COMPANY_MARK.search(separated["rest"])
                ):
                    rest = separated["rest"]
                    body = separated["title"]
                    if not _MONEY.search(rest) and not _LOCATION_WORDS.search(rest):
                        company = _clean_company(rest)
        title = _unshout(body.strip(" ,.;:!—-"))
        if title:
            title = title[0].upper() + title[1:]
            index = lines.index(line)
            if company is None and index + 1 < len(lines) and not lines[index + 1].after_blank:
                company = _second_line_company(text, lines[index + 1])
            break
    if company is None:
        company = find_company(text)
    if not title:
        first = next((text[ln.start : ln.end].strip() for ln in lines), "")
        title = first[:100]
    return title, company


def find_company(text: str) -> str | None:
    for pattern in _COMPANY_PATTERNS:
        for match in pattern.finditer(text):
            name = _clean_company(match["name"])
            if name:
                return name
    quoted = _QUOTED.search(text, 0, 600)
    return _clean_company(quoted["name"]) if quoted else None


def _second_line_company(text: str, line: Line) -> str | None:
    """ "St. Agnes Regional Hospital, Baltimore, MD" under the title: the employer."""
    raw = text[line.start : line.end].strip()
    if (
        not raw[:1].isupper()
        or ":" in raw
        or raw.endswith((".", "!", "?"))
        or len(raw) > 80
        or len(raw.split()) > 10
        or _MONEY.search(raw)
        or _is_heading_like(raw)
    ):
        return None
    name = re.split(r"\s+[—–-]\s+|,\s+|\s+\(", raw, maxsplit=1)[0]
    if _LOCATION_WORDS.fullmatch(name):
        return None
    return _clean_company(name)


def _unshout(title: str) -> str:
    """An all-caps title in sentence case, keeping short Latin acronyms (QA, SRE, IT)."""
    if not title.isupper() or len(title.split()) < 2:
        return title
    words = [
        w if re.fullmatch(r"[A-Z0-9/+#.-]{1,4}", w.strip("()")) else w.lower()
        for w in title.split(" ")
    ]
    joined = " ".join(words)
    return joined[0].upper() + joined[1:]
