"""LinkedIn's data archive ("Get a copy of your data", a ZIP of CSV files) → QH values.

The archive is refused before any file in it is read when the body, its number of entries
or the sizes its central directory declares are over the limits; the files that are read
are counted again while they expand (a ZIP can lie about sizes). Only the CSV files below
are read; names are matched without case, spaces or underscores, in any folder
(``Basic_LinkedInDataExport_…/Positions.csv``). CSV files are UTF-8, with or without BOM.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any, Protocol

import pycountry

from qh.kit.problems import FieldError, InvalidValue, PayloadTooLarge
from qh.user_data.domain.exchange.jsonresume import REQUIRED, note_levels, take
from qh.user_data.domain.exchange.mapped import Mapped, Normalised, Unmapped, present


class _Limits(Protocol):
    archive_max_bytes: int
    archive_max_entries: int
    archive_max_expanded_bytes: int


@dataclass(frozen=True)
class ArchiveLimits:
    max_bytes: int
    max_entries: int
    max_expanded_bytes: int


def limits_of(settings: _Limits) -> ArchiveLimits:
    return ArchiveLimits(
        settings.archive_max_bytes,
        settings.archive_max_entries,
        settings.archive_max_expanded_bytes,
    )


# file key → (QH section or "" for personal, {LinkedIn column (case-folded): QH field})
FILES: dict[str, tuple[str, dict[str, str]]] = {
    "profile": (
        "",
        {
            "headline": "headline",
            "summary": "summary",
            "address": "address",
            "zip code": "postal_code",
            "geo location": "geo",
            "birth date": "birth_date",
            "first name": "first_name",
            "last name": "last_name",
            "maiden name": "maiden_name",
            "twitter handles": "twitter",
            "websites": "websites",
        },
    ),
    "positions": (
        "experience",
        {
            "company name": "company",
            "title": "position",
            "description": "description",
            "location": "location",
            "started on": "start_date",
            "finished on": "end_date",
        },
    ),
    "education": (
        "education",
        {
            "school name": "institution",
            "degree name": "degree",
            "start date": "start_date",
            "end date": "end_date",
        },
    ),
    "skills": ("skills", {"name": "name"}),
    "languages": ("languages", {"name": "name", "proficiency": "level_text"}),
    "certifications": (
        "certificates",
        {"name": "name", "url": "url", "authority": "issuer", "started on": "date"},
    ),
    "projects": (
        "projects",
        {
            "title": "name",
            "description": "description",
            "url": "url",
            "started on": "start_date",
            "finished on": "end_date",
        },
    ),
    "emailaddresses": ("", {"email address": "email"}),
    "phonenumbers": ("", {"number": "phone"}),
}
_DATE_FIELDS = {"start_date", "end_date", "date", "birth_date"}
_MONTHS = {
    name: index
    for index in range(1, 13)
    for name in (
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"][
            index - 1
        ],
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ][index - 1],
    )
}
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})$")
_SLASHED = re.compile(r"^(\d{1,2})/(?:(\d{1,2})/)?(\d{4})$")
_ISO = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_BRACKETED = re.compile(r"^\[(.*)\]$", re.DOTALL)


def linkedin_date(value: str) -> str | None:
    """``Jan 2020`` → ``2020-01``; ``Mar 5, 2020`` / ``5 Mar 2020`` → ``2020-03-05``;
    ``2020`` stays; ``01/2020`` → ``2020-01``; ``03/05/2020`` (LinkedIn's US order) →
    ``2020-03-05``. None when it is none of these."""
    text = value.strip()
    if _ISO.match(text):
        return text
    if match := _MONTH_YEAR.match(text):
        month = _MONTHS.get(match.group(1).casefold())
        return f"{match.group(2)}-{month:02d}" if month else None
    if match := _MONTH_DAY_YEAR.match(text):
        month = _MONTHS.get(match.group(1).casefold())
        day = int(match.group(2))
        return f"{match.group(3)}-{month:02d}-{day:02d}" if month else None
    if match := _DAY_MONTH_YEAR.match(text):
        month = _MONTHS.get(match.group(2).casefold())
        day = int(match.group(1))
        return f"{match.group(3)}-{month:02d}-{day:02d}" if month else None
    if match := _SLASHED.match(text):
        first, second, year = match.groups()
        if second is None:
            return f"{year}-{int(first):02d}"
        return f"{year}-{int(first):02d}-{int(second):02d}"
    return None


def _key(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    if not base.casefold().endswith(".csv"):
        return ""
    return re.sub(r"[^a-z0-9]", "", base[:-4].casefold())


def _too_large(limits: ArchiveLimits) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The archive would expand past {limits.max_expanded_bytes} bytes; export only "
        "the profile data from LinkedIn"
    )


def open_archive(body: bytes, limits: ArchiveLimits) -> dict[str, bytes]:
    """The CSV files of interest (key → bytes), after the size and entry checks."""
    if len(body) > limits.max_bytes:
        raise PayloadTooLarge(f"The archive is larger than {limits.max_bytes} bytes")
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidValue.field("body", f"is not a ZIP archive ({exc})") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_entries:
            raise PayloadTooLarge(f"The archive holds more than {limits.max_entries} files")
        if sum(entry.file_size for entry in entries) > limits.max_expanded_bytes:
            raise _too_large(limits)
        wanted = [(entry, _key(entry.filename)) for entry in entries if not entry.is_dir()]
        files: dict[str, bytes] = {}
        budget = limits.max_expanded_bytes
        for entry, key in wanted:
            if key not in FILES or key in files:
                continue
            chunks, size = [], 0
            try:
                with archive.open(entry) as stream:
                    while chunk := stream.read(64 * 1024):
                        size += len(chunk)
                        if size > entry.file_size or size > budget:
                            raise _too_large(limits)
                        chunks.append(chunk)
            except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
                raise InvalidValue.field(entry.filename, f"cannot be read ({exc})") from None
            budget -= size
            files[key] = b"".join(chunks)
        return files


def _rows(name: str, data: bytes, columns: dict[str, str]) -> list[dict[str, str]]:
    """The rows of a CSV, keys case-folded; lines before the header (LinkedIn puts notes
    above some tables) are skipped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidValue.field(name, "is not UTF-8 text") from None
    lines = list(csv.reader(io.StringIO(text)))
    start = next(
        (i for i, line in enumerate(lines) if any(c.strip().casefold() in columns for c in line)),
        None,
    )
    if start is None:
        return []
    keys = [cell.strip().casefold() for cell in lines[start]]
    rows = []
    for line in lines[start + 1 :]:
        if not any(cell.strip() for cell in line):
            continue
        rows.append({key: line[i] if i < len(line) else "" for i, key in enumerate(keys) if key})
    return rows


_FILE_NAMES = {
    "profile": "Profile.csv",
    "positions": "Positions.csv",
    "education": "Education.csv",
    "skills": "Skills.csv",
    "languages": "Languages.csv",
    "certifications": "Certifications.csv",
    "projects": "Projects.csv",
    "emailaddresses": "Email Addresses.csv",
    "phonenumbers": "PhoneNumbers.csv",
}
_PERSONAL_PATHS = {
    "full_name": "Profile.csv.First Name",
    "headline": "Profile.csv.Headline",
    "summary": "Profile.csv.Summary",
    "birth_date": "Profile.csv.Birth Date",
    "location.address": "Profile.csv.Address",
    "location.postal_code": "Profile.csv.Zip Code",
    "location.city": "Profile.csv.Geo Location",
    "location.country_code": "Profile.csv.Geo Location",
    "email": "Email Addresses.csv.Email Address",
    "phone": "PhoneNumbers.csv.Number",
    "links": "Profile.csv.Websites",
}


def _personal_path(field: str) -> str:
    if field.startswith("links"):
        return "Profile.csv.Websites" + field[len("links") :].split(".", 1)[0]
    return _PERSONAL_PATHS.get(field, f"Profile.csv.{field}")


def _country(name: str) -> str | None:
    """A country written as LinkedIn writes it (``Russia``, ``United States``)."""
    try:
        return str(pycountry.countries.lookup(name.strip()).alpha_2)
    except LookupError:
        pass
    try:
        found = pycountry.countries.search_fuzzy(name.strip())
    except LookupError:
        return None
    return str(found[0].alpha_2) if len(found) == 1 else None


def _date(value: str, path: str, out: Mapped) -> str | None:
    parsed = linkedin_date(value)
    if parsed is None:
        out.unmapped.append(Unmapped(path, f"not a date QH can read: {value[:50]!r}"))
    elif parsed != value.strip():
        out.normalised.append(Normalised(path, value, parsed))
    return parsed


def _profile(rows: list[dict[str, str]], out: Mapped) -> None:
    if not rows:
        return
    path = "Profile.csv[0]"
    columns = FILES["profile"][1]
    named = {c: " ".join(w.capitalize() for w in c.split()) for c in rows[0]}
    values = take(rows[0], columns, path, out)
    for extra in [u for u in out.unmapped if u.path.startswith(f"{path}.")]:
        column = extra.path[len(path) + 1 :]
        extra.path = f"Profile.csv.{named.get(column, column)}"
    name = " ".join(v.strip() for v in (values.get("first_name"), values.get("last_name")) if v)
    if name:
        out.personal["full_name"] = name
    if values.get("maiden_name"):
        out.unmapped.append(Unmapped("Profile.csv.Maiden Name", "QH has no field for it"))
    for field in ("headline", "summary"):
        if values.get(field):
            out.personal[field] = values[field]
    if values.get("birth_date"):
        born = _date(values["birth_date"], "Profile.csv.Birth Date", out)
        if born:
            out.personal["birth_date"] = born
    location: dict[str, Any] = {}
    if values.get("address"):
        location["address"] = values["address"]
    if values.get("postal_code"):
        location["postal_code"] = values["postal_code"]
    if geo := values.get("geo"):
        parts = [part.strip() for part in geo.split(",") if part.strip()]
        code = _country(parts[-1]) if parts else None
        if code is not None and len(parts) > 1:
            location["country_code"] = code
            parts = parts[:-1]
        elif code is not None:
            location["country_code"] = code
            parts = []
        if parts:
            location["city"] = parts[0]
        stored = ", ".join(filter(None, (location.get("city"), location.get("country_code"))))
        out.normalised.append(Normalised("Profile.csv.Geo Location", geo, stored))
    if location:
        out.personal["location"] = location
    links: list[dict[str, Any]] = []
    for handle in _listed(values.get("twitter", "")):
        links.append({"network": "Twitter", "username": handle.lstrip("@")})
    for site in _listed(values.get("websites", "")):
        label, sep, url = site.partition(":")
        if sep and label.isalpha() and label.isupper():
            links.append({"network": label.capitalize(), "url": url.strip()})
        else:
            links.append({"network": "Website", "url": site})
    if links:
        out.personal["links"] = links


def _listed(value: str) -> list[str]:
    """LinkedIn writes lists as ``[a,b]``."""
    text = value.strip()
    if match := _BRACKETED.match(text):
        text = match.group(1)
    return [part.strip() for part in text.split(",") if part.strip()]


def _pick(rows: list[dict[str, str]], column: str, file: str, out: Mapped, prefer: Any) -> str:
    """One value of a contact table (the primary one, or the first); the others reported."""
    given = [row for row in rows if (row.get(column) or "").strip()]
    if not given:
        return ""
    chosen = next((row for row in given if prefer(row)), given[0])
    for index, row in enumerate(rows):
        if row in given and row is not chosen:
            out.unmapped.append(
                Unmapped(f"{file}[{index}]", "QH keeps one; this one is not the primary")
            )
    return chosen[column].strip()


def read_archive(body: bytes, limits: ArchiveLimits) -> Mapped:
    files = open_archive(body, limits)
    out = Mapped(fmt="linkedin", personal_namer=_personal_path)
    if not files:
        raise InvalidValue.field(
            "body",
            "holds none of LinkedIn's CSV files (Profile.csv, Positions.csv, Education.csv, "
            "Skills.csv, Languages.csv, Certifications.csv, Projects.csv, …)",
        )
    tables = {key: _rows(_FILE_NAMES[key], data, FILES[key][1]) for key, data in files.items()}
    _profile(tables.get("profile", []), out)
    email = _pick(
        tables.get("emailaddresses", []),
        "email address",
        "Email Addresses.csv",
        out,
        lambda row: (row.get("primary") or "").strip().casefold() == "yes",
    )
    if email:
        out.personal["email"] = email
    phone = _pick(
        tables.get("phonenumbers", []),
        "number",
        "PhoneNumbers.csv",
        out,
        lambda row: (row.get("type") or "").strip().casefold() == "mobile",
    )
    if phone:
        out.personal["phone"] = phone

    for key, (section, columns) in FILES.items():
        if not section:
            continue
        file = _FILE_NAMES[key]
        rows = out.sections.setdefault(section, [])
        names = {qh: " ".join(w.capitalize() for w in col.split()) for col, qh in columns.items()}
        if section == "languages":
            names["level"] = "Proficiency"
        for index, row in enumerate(tables.get(key, [])):
            path = f"{file}[{index}]"
            values = take(row, columns, path, out)
            for field in _DATE_FIELDS & set(values):
                parsed = _date(values[field], f"{path}.{names[field]}", out)
                if parsed is None:
                    del values[field]
                else:
                    values[field] = parsed
            note_levels(section, path, values, out)
            for entry in out.normalised:
                if entry.path == f"{path}.fluency":
                    entry.path = f"{path}.Proficiency"
            required = REQUIRED[section]
            missing = [names[f] for f in required if not values.get(f)]
            if missing:
                if any(present(v) for v in row.values()):
                    out.unmapped.append(Unmapped(path, f"left out: QH needs {', '.join(missing)}"))
                continue
            rows.append((path, values, names))
    for entry in out.unmapped:
        entry.path = _column_case(entry.path)
    return out


def _column_case(path: str) -> str:
    """``Positions.csv[0].company name`` → ``Positions.csv[0].Company Name``."""
    head, sep, column = path.rpartition("].")
    if not sep:
        return path
    return f"{head}].{' '.join(w.capitalize() for w in column.split())}"


__all__ = ["ArchiveLimits", "FieldError", "limits_of", "linkedin_date", "read_archive"]
