"""The text of a resume file (PDF, DOCX or TXT) in reading order, within limits.

The type is told by the content, never by the name or the declared media type: ``%PDF-``,
a ZIP holding ``word/document.xml``, or text that decodes as UTF-8 (else cp1251) without
control bytes. Anything else (an executable renamed ``.pdf``) is 415.

PDF: pypdf reports every piece of text with its position; pieces are put into lines, lines
into the page's columns. Two columns that both hold section headings (a sidebar beside the
main column) are read one after the other; otherwise (hh.ru's export: the dates of a job in
a narrow left column, the company, position and text beside them) the page is read in rows,
each left block followed by what stands beside it. pypdf's own decompression limits stay
on. DOCX: python-docx, the body walked in document order, paragraphs and table cells (a
table used for layout is read cell by cell), list paragraphs marked with a bullet; the ZIP
is checked first (entry count and the expanded size the directory declares), then every
entry is expanded once, counted, before python-docx reads it. Pages, characters and time
are bounded too.
"""

from __future__ import annotations

import io
import re
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

from qh.kit.problems import InvalidValue, PayloadTooLarge, UnsupportedMediaType
from qh.nlp.resume_headings import resume_heading

FileKind = Literal["pdf", "docx", "txt"]


@dataclass(frozen=True)
class ExtractLimits:
    max_pages: int = 20
    max_entries: int = 500
    max_expanded_bytes: int = 32 * 1024 * 1024
    max_chars: int = 200_000
    max_seconds: float = 20.0


@dataclass(frozen=True)
class Extracted:
    kind: FileKind
    text: str
    pages: int


class TooSlow(Exception):
    pass


def sniff(body: bytes) -> FileKind:
    """The file's type from its bytes; 415 for anything that is not a resume file."""
    if body[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    if body.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(body)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            raise UnsupportedMediaType("The file is a damaged ZIP, not a DOCX") from None
        if "word/document.xml" in names:
            return "docx"
        raise UnsupportedMediaType("The ZIP file is not a DOCX document")
    if _decode_text(body) is not None:
        return "txt"
    raise UnsupportedMediaType("Send a PDF, DOCX or plain-text resume (the content is neither)")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _decode_text(body: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            return None
        return text
    return None


_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")


def clean_text(text: str) -> str:
    """NFC, odd spaces as spaces, invisible characters out, lines stripped, at most one
    blank line in a row."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text)).replace("\r\n", "\n")
    lines = [
        " ".join(_SPACES.sub(" ", line).split()) for line in text.replace("\r", "\n").split("\n")
    ]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return "\n".join(out).strip()


def extract(body: bytes, limits: ExtractLimits) -> Extracted:
    kind = sniff(body)
    deadline = time.monotonic() + limits.max_seconds
    try:
        if kind == "pdf":
            text, pages = _pdf_text(body, limits, deadline)
        elif kind == "docx":
            text, pages = _docx_text(body, limits, deadline), 1
        else:
            text, pages = _decode_text(body) or "", 1
    except TooSlow:
        raise InvalidValue.field(
            "file", f"took longer than {limits.max_seconds:g} s to read; send a simpler file"
        ) from None
    text = clean_text(text)
    if len(text) > limits.max_chars:
        raise PayloadTooLarge(f"The file holds more than {limits.max_chars} characters of text")
    if len(re.findall(r"[^\W\d_]", text)) < 20:
        if kind == "pdf":
            raise InvalidValue.field(
                "file",
                "has no text layer (a scanned or image-only PDF); export the resume as a "
                "PDF with text, or send DOCX or TXT",
            )
        raise InvalidValue.field("file", "holds no resume text")
    return Extracted(kind, text, pages)


# --- PDF -------------------------------------------------------------------------------


@dataclass
class _Run:
    x: float
    y: float
    size: float
    text: str
    end: float  # estimated right edge


def _pdf_text(body: bytes, limits: ExtractLimits, deadline: float) -> tuple[str, int]:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError, PdfStreamError

    try:
        reader = PdfReader(io.BytesIO(body))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InvalidValue.field("file", "is a password-protected PDF")
        count = len(reader.pages)
        if count > limits.max_pages:
            raise PayloadTooLarge(f"The PDF has {count} pages; at most {limits.max_pages} are read")
        texts = []
        for page in reader.pages:
            if time.monotonic() > deadline:
                raise TooSlow
            texts.append(_page_text(page))
        return "\n\n".join(texts), count
    except LimitReachedError:
        raise PayloadTooLarge("The PDF expands past the limits of what is read") from None
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, AttributeError):
        raise InvalidValue.field("file", "is a damaged PDF that cannot be read") from None


def _page_text(page: Any) -> str:
    pieces: list[tuple[float, float, float, str]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if not text.strip():
            return
        # The text matrix times the current transformation: where the piece is drawn.
        scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        pieces.append((x, y, (size or 10) * scale, text))

    page.extract_text(visitor_text=visit)
    width = float(page.mediabox.width) or 595.0
    return _layout(pieces, width)


def _lines(pieces: list[tuple[float, float, float, str]]) -> list[list[_Run]]:
    """Pieces grouped into lines (same baseline), each line split into runs where a gap
    wider than two characters separates them."""
    rows: dict[int, list[tuple[float, float, float, str]]] = {}
    for x, y, size, text in pieces:
        key = round(y / 2)
        rows.setdefault(key, []).append((x, y, size, text))
    lines: list[list[_Run]] = []
    for key in sorted(rows, reverse=True):
        runs: list[_Run] = []
        for x, y, size, text in sorted(rows[key]):
            for part in text.split("\n"):
                if not part.strip():
                    continue
                end = x + len(part) * size * 0.5
                if runs and x - runs[-1].end < size * 1.5 and _same_size(runs[-1].size, size):
                    joiner = "" if runs[-1].text.endswith(" ") or part.startswith(" ") else " "
                    runs[-1].text += joiner + part
                    runs[-1].end = max(runs[-1].end, end)
                else:
                    runs.append(_Run(x, y, size, part, end))
        lines.append(runs)
    return lines


def _same_size(a: float, b: float) -> bool:
    return max(a, b) <= min(a, b) * 1.3


def _join(line: list[_Run]) -> str:
    """The runs of one line; a run in a clearly different type size is a line of its own
    (a name in 16 pt with the headline in 10.5 pt beside it on the same baseline)."""
    out = line[0].text.strip()
    for before, run in pairwise(line):
        out += (" " if _same_size(before.size, run.size) else "\n") + run.text.strip()
    return out


def _layout(pieces: list[tuple[float, float, float, str]], width: float) -> str:
    lines = _lines(pieces)
    runs = [run for line in lines for run in line]
    if not runs:
        return ""
    left_margin = min(run.x for run in runs)
    # A second column: several runs starting at one x well right of the margin.
    starts: dict[int, int] = {}
    for run in runs:
        if run.x > left_margin + width * 0.18:
            starts[round(run.x / 4)] = starts.get(round(run.x / 4), 0) + 1
    split = None
    if starts:
        key, count = max(starts.items(), key=lambda item: (item[1], -item[0]))
        if count >= 3:
            split = key * 4 - 3
    if split is None:
        return "\n".join(_join(line) for line in lines)
    left = [run for run in runs if run.x < split]
    right = [run for run in runs if run.x >= split]
    heads = [any(resume_heading(run.text) for run in side) for side in (left, right)]
    if all(heads):
        return "\n".join(run.text.strip() for run in [*left, *right])
    return _rows(left, right)


def _blocks(runs: list[_Run]) -> list[list[_Run]]:
    blocks: list[list[_Run]] = []
    for run in runs:
        if blocks and blocks[-1][-1].y - run.y <= run.size * 1.7:
            blocks[-1].append(run)
        else:
            blocks.append([run])
    return blocks


def _rows(left: list[_Run], right: list[_Run]) -> str:
    """Each block of the left column, then what of the right column stands beside it
    (from its top down to the next left block)."""
    tops = [block[0].y for block in _blocks(left)]
    out: list[str] = []
    # What of the right column stands above the first left block comes first.
    bounds = [float("inf"), *tops]
    for index, top in enumerate(bounds):
        below = bounds[index + 1] if index + 1 < len(bounds) else float("-inf")
        if index > 0:
            out.extend(run.text.strip() for run in left if top >= run.y > below + 0.01)
        out.extend(
            run.text.strip() for run in right if (top + 3 if index else top) > run.y >= below + 3
        )
    return "\n".join(out)


# --- DOCX ------------------------------------------------------------------------------


def _docx_text(body: bytes, limits: ExtractLimits, deadline: float) -> str:
    archive = zipfile.ZipFile(io.BytesIO(body))
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise PayloadTooLarge(f"The DOCX holds more than {limits.max_entries} files")
    if sum(entry.file_size for entry in entries) > limits.max_expanded_bytes:
        raise PayloadTooLarge(
            f"The DOCX expands to more than {limits.max_expanded_bytes} bytes; it is not read"
        )
    expanded = 0
    for entry in entries:  # the declared sizes may lie: count while expanding
        try:
            with archive.open(entry) as stream:
                while chunk := stream.read(1 << 16):
                    expanded += len(chunk)
                    if expanded > limits.max_expanded_bytes:
                        raise PayloadTooLarge(
                            f"The DOCX expands to more than {limits.max_expanded_bytes} bytes"
                        )
                    if time.monotonic() > deadline:
                        raise TooSlow
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
            raise InvalidValue.field("file", "is a damaged DOCX that cannot be read") from None
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(body))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise InvalidValue.field("file", "is a damaged DOCX that cannot be read") from exc
    except Exception as exc:  # lxml's syntax errors and other malformed parts
        raise InvalidValue.field("file", "is a damaged DOCX that cannot be read") from exc
    lines: list[str] = []
    _walk(document.element.body, document, lines, deadline)
    return "\n".join(lines)


def _walk(container: Any, parent: Any, lines: list[str], deadline: float) -> None:
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    if time.monotonic() > deadline:
        raise TooSlow
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = Paragraph(child, parent)
            text = paragraph.text
            style = (paragraph.style.name or "") if paragraph.style is not None else ""
            numbered = child.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None
            if text.strip() and (numbered or style.startswith("List")):
                text = "• " + text.strip()
            lines.append(text)
        elif child.tag == qn("w:tbl"):
            table = Table(child, parent)
            for row in table.rows:
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell repeats
                        continue
                    seen.add(id(cell._tc))
                    _walk(cell._tc, cell, lines, deadline)
                    lines.append("")
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                _walk(content, parent, lines, deadline)
