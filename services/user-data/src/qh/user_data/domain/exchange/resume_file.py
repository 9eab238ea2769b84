"""``POST /me/import?format=file``: a resume file read into a PROPOSED profile, saving nothing.

The proposal has the shape of a QH export (``schema_version`` 1.1, ``personal``, every
section), so the client shows it for review and saves it with
``POST /me/import?format=qh&mode=merge|replace``. The report says where each value came
from (offsets into the extracted ``text``, ``offline`` or the AI provider), what could not
be placed (lines no field took) and what an AI provider proposed that the file does not say
(``dropped``).

With ``ai=gemini|openai`` the model fills only what the offline pass left empty, under the
grounding rule: every string it proposes must appear in the file's text (whitespace and
case aside); anything else is dropped and listed.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, Literal

import msgspec
import phonenumbers
from msgspec import Struct

from qh.kit.context import ServiceContext
from qh.kit.llm import LLMRequest, LLMRouter, Prompts
from qh.nlp.periods import read_date
from qh.user_data.domain.exchange.resume_file_extract import Extracted, ExtractLimits, extract
from qh.user_data.domain.exchange.resume_file_parse import Found, Parsed, lines_of, parse_resume
from qh.user_data.domain.exchange.schemas import SCHEMA_VERSION
from qh.user_data.domain.profiles import schemas
from qh.user_data.domain.profiles.sections import SECTIONS
from qh.user_data.settings import UserDataSettings

AiChoice = Literal["offline", "gemini", "openai"]
PROMPTS = Prompts("qh.user_data", "prompts")


class FieldSource(Struct, kw_only=True):
    """Where one value of the proposal was read: ``text[start:end]`` of the report."""

    path: str
    source: str  # "offline" or the AI provider
    start: int
    end: int


class UnplacedLine(Struct, kw_only=True):
    """A line of the file no field of the proposal took."""

    text: str
    start: int
    end: int


class DroppedValue(Struct, kw_only=True):
    """A value the AI provider proposed that the file does not say."""

    path: str
    value: str
    reason: str


class ResumeFileReport(Struct, kw_only=True):
    """How the file was read: its type, pages and language, the extracted text the offsets
    point into, the source of every value, the lines left unplaced and the AI's dropped
    values."""

    format: Literal["file"] = "file"
    file_type: Literal["pdf", "docx", "txt"]
    pages: int
    language: str
    ai: str
    model: str | None = None
    text: str
    fields: list[FieldSource]
    unplaced: list[UnplacedLine]
    dropped: list[DroppedValue]


class ResumeFileProposal(Struct, kw_only=True):
    """A proposed profile in the QH export's shape (nothing saved) and how it was read.
    Review it, then save it with ``POST /me/import?format=qh&mode=merge|replace``."""

    proposal: dict[str, Any]
    report: ResumeFileReport


def limits_of(settings: UserDataSettings) -> ExtractLimits:
    return ExtractLimits(
        max_pages=settings.resume_file_max_pages,
        max_entries=settings.archive_max_entries,
        max_expanded_bytes=settings.archive_max_expanded_bytes,
        max_seconds=settings.resume_file_max_seconds,
    )


# --- the proposal -------------------------------------------------------------------------


def _empty_personal() -> dict[str, Any]:
    personal: dict[str, Any] = dict.fromkeys(schemas.PersonalDataIn.__struct_fields__)
    personal["links"] = []
    personal["resume_languages"] = []
    return personal


def _item(name: str, values: dict[str, Any]) -> dict[str, Any]:
    spec = SECTIONS[name]
    item: dict[str, Any] = {}
    for field in spec.fields:
        default = getattr(spec.create, "__struct_defaults__", ())
        del default
        item[field] = values.get(field)
    for field, value in list(item.items()):
        if value is None and field in {"highlights", "skills", "keywords", "courses", "roles"}:
            item[field] = []
    return item


def to_proposal(parsed: Parsed) -> dict[str, Any]:
    personal = _empty_personal()
    for key, value in parsed.personal.items():
        if key == "location":
            personal["location"] = {
                "city": value.get("city"),
                "region": None,
                "country_code": None,
                "address": None,
                "postal_code": None,
            }
        else:
            personal[key] = value
    personal["resume_languages"] = [parsed.language] if parsed.language in ("ru", "en") else []
    document: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "personal": personal}
    for name in SECTIONS:
        document[name] = [_item(name, values) for values in parsed.sections.get(name, [])]
    return document


def _report(
    extracted: Extracted, parsed: Parsed, ai: str, model: str | None, dropped: list[DroppedValue]
) -> ResumeFileReport:
    used = sorted(parsed.used)
    unplaced = []
    for line in lines_of(extracted.text):
        if not re.search(r"[^\W\d_]", line.text):
            continue
        if any(start < line.end and end > line.start for start, end in used):
            continue
        unplaced.append(UnplacedLine(text=line.text, start=line.start, end=line.end))
    return ResumeFileReport(
        file_type=extracted.kind,
        pages=extracted.pages,
        language=parsed.language,
        ai=ai,
        model=model,
        text=extracted.text,
        fields=[
            FieldSource(path=f.path, source=f.source, start=f.start, end=f.end)
            for f in parsed.found
        ],
        unplaced=unplaced,
        dropped=dropped,
    )


def read_file(
    body: bytes, limits: ExtractLimits | None = None, default_region: str | None = None
) -> tuple[Extracted, Parsed]:
    extracted = extract(body, limits or ExtractLimits())
    return extracted, parse_resume(extracted.text, default_region=default_region)


def propose_offline(
    body: bytes, limits: ExtractLimits | None = None, default_region: str | None = None
) -> tuple[dict[str, Any], ResumeFileReport]:
    """The offline proposal of a file (what the route answers with ``ai=offline``)."""
    extracted, parsed = read_file(body, limits, default_region)
    return to_proposal(parsed), _report(extracted, parsed, "offline", None, [])


# --- the AI fill-in -----------------------------------------------------------------------

_STR = {"type": "string"}
FILL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "full_name": _STR,
        "headline": _STR,
        "email": _STR,
        "phone": _STR,
        "city": _STR,
        "summary": _STR,
        "experience": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "company": _STR,
                    "position": _STR,
                    "start": _STR,
                    "end": _STR,
                    "highlights": {"type": "array", "items": _STR},
                },
                "required": ["company", "position", "start"],
            },
        },
        "education": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "institution": _STR,
                    "degree": _STR,
                    "field": _STR,
                    "end": _STR,
                },
                "required": ["institution"],
            },
        },
        "skills": {"type": "array", "items": _STR},
    },
}


def find_in_text(text: str, value: str) -> tuple[int, int] | None:
    """Where ``value`` stands in ``text``, whitespace and case aside; None when it does not."""
    words = value.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(word) for word in words)
    match = re.search(pattern, text, re.IGNORECASE)
    return (match.start(), match.end()) if match else None


class _Grounder:
    def __init__(self, text: str, parsed: Parsed, source: str) -> None:
        self.text, self.parsed, self.source = text, parsed, source
        self.dropped: list[DroppedValue] = []

    def take(self, path: str, value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            return None
        value = value.strip()
        span = find_in_text(self.text, value)
        if span is None:
            self.dropped.append(
                DroppedValue(path=path, value=value[:500], reason="not in the file's text")
            )
            return None
        self.parsed.found.append(Found(path, span[0], span[1], self.source))
        self.parsed.used.append(span)
        return self.text[span[0] : span[1]]

    def date(self, path: str, value: Any) -> str | None:
        written = self.take(path, value)
        if written is None:
            return None
        read = read_date(written)
        if read is None:
            self.dropped.append(DroppedValue(path=path, value=written, reason="not a date"))
        return read


def apply_fill(
    text: str, parsed: Parsed, data: dict[str, Any], source: str, region: str | None
) -> list[DroppedValue]:
    """Fill what the offline pass left empty with grounded values of the model's answer."""
    g = _Grounder(text, parsed, source)
    personal = parsed.personal
    for name in ("full_name", "headline", "summary", "email"):
        if not personal.get(name) and data.get(name):
            value = g.take(f"personal.{name}", data[name])
            if value:
                personal[name] = value
    if not personal.get("phone") and data.get("phone"):
        value = g.take("personal.phone", data["phone"])
        if value:
            try:
                number = phonenumbers.parse(value, region)
                if phonenumbers.is_valid_number(number):
                    personal["phone"] = phonenumbers.format_number(
                        number, phonenumbers.PhoneNumberFormat.E164
                    )
            except phonenumbers.NumberParseException:
                g.dropped.append(
                    DroppedValue(path="personal.phone", value=value, reason="not a phone number")
                )
    if not (personal.get("location") or {}).get("city") and data.get("city"):
        value = g.take("personal.location.city", data["city"])
        if value:
            personal["location"] = {"city": value}
    if not parsed.sections.get("experience"):
        jobs: list[dict[str, Any]] = []
        for index, job in enumerate(data.get("experience") or []):
            path = f"experience[{len(jobs)}]"
            company = g.take(f"{path}.company", job.get("company"))
            position = g.take(f"{path}.position", job.get("position"))
            start = g.date(f"{path}.start_date", job.get("start"))
            if not (company and position and start):
                del index
                continue
            item: dict[str, Any] = {"company": company, "position": position, "start_date": start}
            if job.get("end"):
                item["end_date"] = g.date(f"{path}.end_date", job["end"])
            highlights = [
                h
                for i, raw in enumerate(job.get("highlights") or [])
                if (h := g.take(f"{path}.highlights[{i}]", raw))
            ]
            if highlights:
                item["highlights"] = highlights
            jobs.append(item)
        if jobs:
            parsed.sections["experience"] = jobs
    if not parsed.sections.get("education"):
        schools: list[dict[str, Any]] = []
        for entry in data.get("education") or []:
            path = f"education[{len(schools)}]"
            institution = g.take(f"{path}.institution", entry.get("institution"))
            if not institution:
                continue
            item = {"institution": institution}
            for name in ("degree", "field"):
                if entry.get(name) and (value := g.take(f"{path}.{name}", entry[name])):
                    item[name] = value
            if entry.get("end") and (end := g.date(f"{path}.end_date", entry["end"])):
                item["end_date"] = end
            schools.append(item)
        if schools:
            parsed.sections["education"] = schools
    skills = parsed.sections.setdefault("skills", [])
    known = {s["name"].casefold() for s in skills}
    for raw in data.get("skills") or []:
        if isinstance(raw, str) and raw.strip().casefold() not in known:
            value = g.take(f"skills[{len(skills)}].name", raw)
            if value:
                known.add(value.casefold())
                skills.append({"name": value})
    if not skills:
        parsed.sections.pop("skills")
    return g.dropped


def _missing(parsed: Parsed) -> list[str]:
    personal = parsed.personal
    missing = [
        n for n in ("full_name", "email", "phone", "headline", "summary") if not personal.get(n)
    ]
    if not (personal.get("location") or {}).get("city"):
        missing.append("city")
    missing += [n for n in ("experience", "education", "skills") if not parsed.sections.get(n)]
    return missing


async def propose(
    body: bytes,
    settings: UserDataSettings,
    context: ServiceContext[UserDataSettings],
    ai: AiChoice | None,
) -> ResumeFileProposal:
    limits = limits_of(settings)
    extracted, parsed = await asyncio.wait_for(
        asyncio.to_thread(read_file, body, limits, settings.default_phone_region),
        timeout=settings.resume_file_max_seconds * 2,
    )
    name = ai or "offline"
    model: str | None = None
    dropped: list[DroppedValue] = []
    if name != "offline":
        router = await LLMRouter.from_settings(settings, context.runtime.secrets, prompts=PROMPTS)
        try:
            provider = router.provider(name)
            language = "ru" if parsed.language == "ru" else "en"
            result = await router.generate(
                LLMRequest(
                    prompt="resume_fill",
                    language=language,
                    variables={
                        "text": extracted.text,
                        "missing": _missing(parsed),
                        "found": msgspec.json.encode(
                            {"personal": parsed.personal, **parsed.sections}
                        ).decode(),
                    },
                    schema=FILL_SCHEMA,
                    schema_name="resume",
                    max_tokens=4000,
                    temperature=0.0,
                ),
                name,
            )
            del provider
        finally:
            await router.aclose()
        model = result.model
        region = settings.default_phone_region or ("RU" if parsed.language == "ru" else None)
        if isinstance(result.data, dict):
            dropped = apply_fill(extracted.text, parsed, result.data, result.provider, region)
    return ResumeFileProposal(
        proposal=to_proposal(parsed), report=_report(extracted, parsed, name, model, dropped)
    )


def schema_examples(documents: list[Any]) -> dict[str, list[Any]]:
    """OpenAPI examples of the resume-file import's answer (Russian and English)."""
    ru_text = "Иванов Алексей\na.ivanov@example.ru\nОпыт работы\nЯнварь 2020 — настоящее время"
    en_text = "John Carter\njohn.carter@example.com\nExperience\nJan 2020 - Present"
    fields = [
        [
            {"path": "personal.full_name", "source": "offline", "start": 0, "end": 14},
            {"path": "personal.email", "source": "offline", "start": 15, "end": 34},
        ],
        [
            {"path": "personal.full_name", "source": "offline", "start": 0, "end": 11},
            {"path": "experience[0].company", "source": "openai", "start": 36, "end": 41},
        ],
    ]
    unplaced = [
        {"text": "Права категории B", "start": 120, "end": 137},
        {"text": "Hobbies: sailing", "start": 210, "end": 226},
    ]
    dropped = [
        {"path": "experience[1].company", "value": "Газпром", "reason": "not in the file's text"},
        {"path": "skills[3].name", "value": "Kubernetes", "reason": "not in the file's text"},
    ]
    reports = [
        {
            "format": "file",
            "file_type": "pdf",
            "pages": 2,
            "language": "ru",
            "ai": "offline",
            "model": None,
            "text": ru_text,
            "fields": fields[0],
            "unplaced": unplaced[:1],
            "dropped": [],
        },
        {
            "format": "file",
            "file_type": "docx",
            "pages": 1,
            "language": "en",
            "ai": "openai",
            "model": "gpt-4o-mini",
            "text": en_text,
            "fields": fields[1],
            "unplaced": unplaced[1:],
            "dropped": dropped[1:],
        },
    ]
    return {
        "FieldSource": [fields[0][0], fields[1][1]],
        "UnplacedLine": unplaced,
        "DroppedValue": dropped,
        "ResumeFileReport": reports,
        "ResumeFileProposal": [
            {"proposal": documents[0], "report": reports[0]},
            {"proposal": documents[1], "report": reports[1]},
        ],
    }
