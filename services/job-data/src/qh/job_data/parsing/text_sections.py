"""Split a vacancy's plain text into lines, sections (by their RU/EN headings) and bullet
items, keeping character offsets into the text as given."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

SectionKind = Literal["requirements", "optional", "responsibilities", "benefits", "about", "other"]

# Same length as the input, so offsets found in the cleaned text hold for the original.
_SPACES = str.maketrans({"\xa0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "\t": " "})


def clean_same_length(text: str) -> str:
    return text.replace("\r\n", " \n").replace("\r", "\n").translate(_SPACES)


def fold(text: str) -> str:
    """Lower case, ё as е, one kind of apostrophe: for matching cues, never for output."""
    return text.lower().replace("ё", "е").replace("’", "'").replace("`", "'")


_BULLET = re.compile(r"[ \t]*(?:[•\-–—·▪►▸◦●○■□✓✔✅➢➤→+]|\*(?!\*)|\d{1,2}[.)](?![\d.]))[ \t]*")
# Markers that also decorate headings ("✅ Что мы ждём"), unlike "-", "•" or "1.".
_SYMBOL_BULLET = re.compile(r"\s*[✓✔✅➢➤→►▸]")
_LEADING_NOISE = re.compile(r"^[\W_\d]*?(?=\w)", re.UNICODE)
_TRAILING_NOISE = re.compile(r"[\W_]+$", re.UNICODE)
_WORD = re.compile(r"\w+(?:['’-]\w+)*")

# A heading starts with at most three of these words before its key phrase
# ("Наши основные требования", "What we're looking for").
_FILLER = (
    r"(?:(?:наши|ваши|твои|основные|ключевые|главные|обязательные|общие|чем|что|какие|мы|"
    r"для|нас|вас|тебя|от|и|а|также|your|our|the|key|main|core|what|who|and|a|we|"
    r"primary|basic|minimum|essential|general|job|role|position|you|will)\s+){0,3}"
)

_HEADING_PHRASES: tuple[tuple[SectionKind, str], ...] = (
    (
        "optional",
        r"(?:будет\s+)?(?:большим\s+|дополнительным\s+)?(?:плюсом|преимуществом)|"
        r"(?:будет\s+)?(?:большим\s+)?плюс(?:ом)?\b|приветству|желательн|"
        r"будет\s+(?:здорово|круто|хорошо)|круто,?\s+если|дополнительн\w*\s+(?:навык|плюс)|"
        r"nice[\s-]to[\s-]haves?|good[\s-]to[\s-]haves?|bonus(?:\s+points?)?\b(?!es)|"
        r"preferred|desired|desirable|pluses|plus(?:es)?\b|(?:would\s+be\s+|it'?s\s+|is\s+)?a\s+plus|"
        r"extra\s+(?:points|credit)|ideally|what\s+(?:sets|makes)\s+you\s+(?:apart|stand)|"
        r"would\s+be\s+(?:great|nice)|optional|not\s+required\s+but",
    ),
    (
        "responsibilities",
        r"обязанност|задачи|(?:вам|тебе)\s+предстоит|предстоит|"
        r"(?:чем|что)\s+(?:(?:вам|тебе|нужно|будет|предстоит|ты\s+будешь|вы\s+будете)\s+)*"
        r"(?:делать|заниматься|сделать)|"
        r"функционал|функции|зона\s+ответственности|в\s+(?:ваши|твои)\s+задачи|"
        r"responsibilit|duties|tasks|what\s+you(?:'ll|\s+will)\s+(?:do|be\s+doing|work\s+on)|"
        r"you(?:'ll|\s+will)(?:\s+(?:do|be))?$|you(?:'ll|\s+will)\s+(?:do|be)|(?:the|your|this)\s+role|in\s+this\s+role|"
        r"(?:your|the)\s+(?:mission|impact|day)|day[\s-]to[\s-]day|what\s+the\s+job\s+involves|"
        r"what\s+you'?ll\s+be\s+working\s+on|role\s+description|job\s+duties",
    ),
    (
        "requirements",
        r"требовани|требуется|(?:мы\s+)?ожидаем|ожидания|(?:мы\s+)?ждем|что\s+(?:для\s+нас\s+)?важно|"
        r"нам\s+важно|необходим|что\s+нужно\s+(?:знать|уметь)|от\s+(?:вас|тебя|кандидата)|"
        r"(?:мы\s+)?ищем|кого\s+мы\s+ищем|(?:ты|вы)\s+нам\s+подход|квалификаци|"
        r"(?:ключевые\s+|необходимые\s+|требуемые\s+)?навыки|(?:наш\s+|технологический\s+)?стек|"
        r"технологии|инструменты|профиль\s+кандидата|кандидат|"
        r"must[\s-]haves?|requirements|required|qualifications|about\s+you|who\s+you\s+are|"
        r"what\s+you\s+(?:need|bring|have|should\s+have|'ll\s+need|will\s+need)|you\s+(?:have|are|bring|should)|"
        r"what\s+(?:we'?re|we\s+are)\s+looking\s+for|we'?re\s+looking\s+for|looking\s+for|"
        r"what\s+we\s+expect|we\s+expect|your\s+(?:profile|skills|background|experience)|"
        r"skills|experience|(?:the\s+)?ideal\s+candidate|(?:tech(?:nology)?\s+)?stack|"
        r"technologies|tools|you'?ll\s+(?:need|thrive)|is\s+this\s+you|expectations",
    ),
    (
        "benefits",
        r"условия|(?:мы\s+)?предлагаем|что\s+мы\s+(?:даем|предлагаем)|мы\s+гарантируем|гарантируем|"
        r"бонусы|плюшки|компенсаци|льготы|преимущества(?:\s+работы)?|что\s+(?:вы|ты)\s+получ|"
        r"почему\s+(?:мы|у\s+нас)|(?:мы\s+)?да[её]м|we\s+offer|what\s+we\s+offer|benefits|perks|"
        r"compensation|what\s+you(?:'ll|\s+will)?\s+get|why\s+(?:join\s+us|us|join|work\s+with\s+us)|"
        r"what'?s\s+in\s+it\s+for\s+you|our\s+offer|offer|we\s+provide|in\s+return",
    ),
    (
        "about",
        r"о\s+(?:компании|нас|проекте|команде|продукте|вакансии|позиции|роли|работе)|кто\s+мы|"
        r"описание(?:\s+(?:компании|вакансии|проекта))?|компания|"
        r"about\s+(?:us|the\s+(?:company|team|role|job|position|project|product)|[\w&.\- ]+)|"
        r"who\s+we\s+are|company(?:\s+overview|\s+description)?|overview|the\s+(?:company|team|project)|"
        r"job\s+description|description|summary",
    ),
)
_HEADINGS: tuple[tuple[SectionKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(f"{_FILLER}(?:{phrase})")) for kind, phrase in _HEADING_PHRASES
)

_MAX_HEADING_WORDS = 9


@dataclass(slots=True)
class Line:
    start: int  # of the line in the text
    end: int
    body_start: int  # after a bullet marker, or start
    bullet: bool
    text: str  # the body (after any bullet), right-stripped
    after_blank: bool  # a blank line (or the start of the text) precedes it


@dataclass(slots=True)
class Section:
    kind: SectionKind
    heading: str | None
    start: int  # of the content, after the heading
    end: int
    items: list[str] = field(default_factory=list)
    heading_start: int = 0  # where the heading's line starts


def split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    pos = 0
    blank = True
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        stripped = raw.rstrip()
        if not stripped.strip():
            blank = True
            continue
        match = _BULLET.match(stripped)
        bullet = bool(match) and match is not None and match.end() < len(stripped)
        body_start = start + (match.end() if bullet and match else len(raw) - len(raw.lstrip()))
        lines.append(Line(start, end, body_start, bullet, stripped[body_start - start :], blank))
        blank = False
    return lines


def heading_kind(candidate: str, *, max_rest_words: int = _MAX_HEADING_WORDS) -> SectionKind | None:
    """The kind of a heading, given its text without decoration; None if it isn't one.
    At most `max_rest_words` may follow the key phrase."""
    folded = fold(candidate).strip()
    if not folded or len(_WORD.findall(folded)) > _MAX_HEADING_WORDS:
        return None
    for kind, pattern in _HEADINGS:
        match = pattern.match(folded)
        if match and len(_WORD.findall(folded[match.end() :])) <= max_rest_words:
            return kind
    return None


def _strip_decoration(text: str) -> str:
    text = _LEADING_NOISE.sub("", text)
    return _TRAILING_NOISE.sub("", text)


def _heading_strength(line: Line, raw: str, next_line: Line | None) -> int:
    """How many words may follow a heading's key phrase on this line: 0 when the line can't
    be a heading. A plain short line ("Задачи") must stand apart (a blank line before it,
    or bullets after it), so that "Experience with Kubernetes" in a list stays an item."""
    body = raw.strip()
    bare = _strip_decoration(body)
    if not bare or len(bare) > 80:
        return 0
    words = len(_WORD.findall(bare))
    if words > _MAX_HEADING_WORDS:
        return 0
    ends_colon = bool(re.search(r"[:：]\W*$", body))
    if line.bullet and not ends_colon and not _SYMBOL_BULLET.match(raw):
        return 0
    if ends_colon or body.lstrip().startswith(("#", "**", "__")) or (bare.isupper() and words <= 6):
        return _MAX_HEADING_WORDS
    if re.search(r"[.,;!?]$", body) or words > 6:
        return 0
    if line.after_blank or (next_line is not None and next_line.bullet):
        return 3
    return 0


def _heading_of(
    line: Line, text: str, next_line: Line | None
) -> tuple[SectionKind, str, int] | None:
    """(kind, heading, where its content starts) if the line is a heading, or starts with
    one followed by a colon ("Требования: опыт от 3 лет")."""
    raw = text[line.start : line.end]
    colon = raw.find(":", 0, 61)
    if colon < 0 and (len(raw) > 90 or (line.bullet and not raw.rstrip(" *_").endswith(":"))):
        return None
    if colon > 0:
        head = _strip_decoration(raw[:colon])
        rest = raw[colon + 1 :]
        if head and rest.strip(" *_") and len(_WORD.findall(head)) <= 6:
            kind = heading_kind(head)
            if kind is not None:
                offset = len(rest) - len(rest.lstrip(" *_"))
                return kind, head, line.start + colon + 1 + offset
    strength = _heading_strength(line, raw, next_line)
    if strength:
        bare = _strip_decoration(raw)
        kind = heading_kind(bare, max_rest_words=strength)
        if kind is not None:
            return kind, bare, line.end
    return None


def split_sections(text: str, lines: list[Line]) -> list[Section]:
    """Sections in text order: what precedes the first heading is `about` (or `other` when
    the text has no headings at all)."""
    sections: list[Section] = []
    current = Section("about", None, 0, len(text))
    pending: list[str] = []
    previous_bullet = False

    def flush_items() -> None:
        for item in pending:
            current.items.extend(split_item(item))
        pending.clear()

    for index, line in enumerate(lines):
        next_line = lines[index + 1] if index + 1 < len(lines) else None
        found = _heading_of(line, text, next_line)
        if found is not None:
            kind, heading, content_start = found
            flush_items()
            current.end = line.start
            if current.heading is not None or text[current.start : current.end].strip():
                sections.append(current)
            current = Section(kind, heading, content_start, len(text), heading_start=line.start)
            rest = text[content_start : line.end].strip()
            if rest:
                pending.append(rest)
            previous_bullet = False
            continue
        body = line.text.strip()
        if pending and not line.bullet and previous_bullet and body[:1].islower():
            pending[-1] = f"{pending[-1]} {body}"
            continue
        pending.append(body)
        previous_bullet = line.bullet
    flush_items()
    current.end = len(text)
    sections.append(current)
    if len(sections) == 1 and sections[0].heading is None:
        sections[0].kind = "other"
    return sections


_ITEM_SPLIT = re.compile(r"\s*;\s*|\s+[•·▪]\s+")


def split_item(item: str) -> list[str]:
    parts = [p.strip(" \t.,;*_") for p in _ITEM_SPLIT.split(item)]
    return [p for p in parts if len(p) > 1]
