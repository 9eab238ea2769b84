"""A resume file read into a proposed profile (``POST /me/import?format=file``): every
fixture against the profile it should give, the refusals (a scan, an executable, too big, a
ZIP bomb), nothing saved until the reviewed proposal comes back as ``format=qh``, and the AI
fill-in against a local OpenAI-compatible stub, whose values not in the file are dropped."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from qh.kit.testing import running, settings_for_tests
from qh.user_data.app import service

RESUMES = Path(__file__).parent / "fixtures" / "resumes"
FIXTURES = sorted(p.name for p in RESUMES.glob("*.expected.json"))


def upload(name: str, body: bytes) -> dict[str, Any]:
    return {"files": {"file": (name, body, "application/octet-stream")}}


def norm(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


@pytest.mark.parametrize("expected_name", FIXTURES)
async def test_each_fixture_gives_its_profile(alice, expected_name: str) -> None:
    name = expected_name.removesuffix(".expected.json")
    want = json.loads((RESUMES / expected_name).read_text("utf-8"))
    r = await alice.post("/me/import?format=file", **upload(name, (RESUMES / name).read_bytes()))
    assert r.status_code == 200, r.text
    proposal, report = r.json()["proposal"], r.json()["report"]
    assert proposal["schema_version"] == "1.1"
    assert report["language"] == want["language"]
    personal = proposal["personal"]
    for key in ("full_name", "email", "phone"):
        assert personal[key] == want["personal"][key], key
    assert personal["location"]["city"] == want["personal"]["city"]
    assert [link["url"] for link in personal["links"]] == want["personal"]["links"]
    for key in ("desired_position", "desired_salary"):
        if key in want["personal"]:
            assert personal[key] == want["personal"][key]
    jobs = [
        {k: norm(job[k]) for k in ("company", "position", "start_date", "end_date", "highlights")}
        for job in proposal["experience"]
    ]
    assert jobs == want["experience"]
    schools = [
        {k: school[k] for k in ("institution", "degree", "field", "end_date")}
        for school in proposal["education"]
    ]
    assert schools == want["education"]
    assert [s["name"] for s in proposal["skills"]] == want["skills"]
    languages = [{"code": lang["code"], "level": lang["level"]} for lang in proposal["languages"]]
    assert languages == want["languages"]
    # Every value points at the text it was read from.
    text = report["text"]
    sources = {f["path"]: f for f in report["fields"]}
    assert sources["personal.email"]["source"] == "offline"
    email = sources["personal.email"]
    assert text[email["start"] : email["end"]] == personal["email"]
    company = sources["experience[0].company"]
    assert norm(text[company["start"] : company["end"]]) == proposal["experience"][0]["company"]


async def test_the_hh_export_reports_what_it_could_not_place(alice) -> None:
    r = await alice.post(
        "/me/import?format=file", **upload("cv.pdf", (RESUMES / "ru_hh.pdf").read_bytes())
    )
    report = r.json()["report"]
    unplaced = [line["text"] for line in report["unplaced"]]
    assert "Права категории B" in unplaced
    assert "Мужчина, 33 года, родился 1 мая 1991" in unplaced
    assert "Ведущий Python-разработчик" not in unplaced  # the desired position
    assert report["file_type"] == "pdf"
    assert report["pages"] == 1


async def test_nothing_is_saved_until_the_reviewed_proposal_comes_back(alice) -> None:
    body = (RESUMES / "en_table.docx").read_bytes()
    r = await alice.post("/me/import?format=file", **upload("cv.docx", body))
    assert r.status_code == 200, r.text
    proposal = r.json()["proposal"]
    exported = (await alice.get("/me/export")).json()
    assert exported["experience"] == []
    assert exported["skills"] == []
    assert exported["personal"]["full_name"] is None
    # The candidate corrects a title, then saves the proposal.
    proposal["experience"][1]["position"] = "Data Analyst"
    saved = await alice.post("/me/import?format=qh&mode=replace", json=proposal)
    assert saved.status_code == 200, saved.text
    assert saved.json()["imported"]["experience"] == 2
    exported = (await alice.get("/me/export")).json()
    assert exported["personal"]["full_name"] == "Emily Zhang"
    assert exported["personal"]["phone"] == "+4930901820"
    assert [
        (j["company"], j["position"], j["start_date"], j["end_date"])
        for j in exported["experience"]
    ] == [
        ("Zalando SE", "Data Scientist", "2021-03", None),
        ("Delivery Hero", "Data Analyst", "2018-09", "2021-02"),
    ]
    assert [lang["code"] for lang in exported["languages"]] == ["en", "de", "zh"]


async def test_a_raw_body_is_read_too(alice) -> None:
    body = (RESUMES / "ru_cp1251.txt").read_bytes()
    r = await alice.post(
        "/me/import?format=file", content=body, headers={"Content-Type": "text/plain"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["proposal"]["personal"]["full_name"] == "Кузнецов Дмитрий Андреевич"


ONE_LINE_LISTS = """John Carter
john.carter@example.com · +442079460958 · London

Experience
Senior Backend Engineer — Monzo Bank
January 2020 – present

Skills
Go Python PostgreSQL Kafka AWS Docker Kubernetes gRPC

Languages
English — native · French — B1

Education
University of Manchester · BSc · Computer Science · 2016
"""


async def test_one_line_lists_as_qh_templates_print_them(alice) -> None:
    """Languages on one line split by "·", an education entry on one line, and skills
    drawn as chips (extracted with spaces only): how resume-generation's templates print
    them, so a resume QH rendered comes back whole."""
    r = await alice.post(
        "/me/import?format=file", **upload("cv.txt", ONE_LINE_LISTS.encode("utf-8"))
    )
    assert r.status_code == 200, r.text
    proposal = r.json()["proposal"]
    languages = [(x["code"], x["level"]) for x in proposal["languages"]]
    assert languages == [("en", "native"), ("fr", "B1")]
    assert [s["name"] for s in proposal["skills"]] == [
        "Go", "Python", "PostgreSQL", "Kafka", "AWS", "Docker", "Kubernetes", "gRPC",
    ]  # fmt: skip
    [school] = proposal["education"]
    assert (school["institution"], school["degree"], school["field"], school["end_date"]) == (
        "University of Manchester", "BSc", "Computer Science", "2016",
    )  # fmt: skip


async def test_a_skills_line_the_taxonomy_does_not_cover_stays_whole(alice) -> None:
    body = ONE_LINE_LISTS.replace(
        "Go Python PostgreSQL Kafka AWS Docker Kubernetes gRPC", "Negotiation with suppliers"
    )
    r = await alice.post("/me/import?format=file", **upload("cv.txt", body.encode("utf-8")))
    assert [s["name"] for s in r.json()["proposal"]["skills"]] == ["Negotiation with suppliers"]


def text_pdf(pieces: list[tuple[float, float, float, str]]) -> bytes:
    """A one-page PDF (Helvetica, not embedded) drawing each ``(size, x, y, text)``."""
    stream = "".join(
        f"BT /F1 {size} Tf {x} {y} Td ({text}) Tj ET\n" for size, x, y, text in pieces
    ).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


async def test_a_headline_beside_the_name_is_not_part_of_it(alice) -> None:
    """The compact template sets the headline in small type on the name's baseline."""
    body = text_pdf(
        [
            (16, 40, 800, "John Carter "),
            (10.5, 150, 800, "Senior Backend Engineer"),
            (9, 40, 784, "john.carter@example.com | +442079460958 | London"),
            (10, 40, 760, "EXPERIENCE"),
            (9, 40, 745, "Senior Backend Engineer - Monzo Bank | January 2020 - present"),
        ]
    )
    r = await alice.post("/me/import?format=file", **upload("cv.pdf", body))
    assert r.status_code == 200, r.text
    personal = r.json()["proposal"]["personal"]
    assert personal["full_name"] == "John Carter"
    assert personal["email"] == "john.carter@example.com"


async def test_a_scanned_pdf_is_a_clear_422(alice, ud) -> None:
    r = await alice.post(
        "/me/import?format=file", **upload("scan.pdf", (RESUMES / "scanned.pdf").read_bytes())
    )
    assert "no text layer" in ud.fields_of(r)["file"]


@pytest.mark.parametrize(
    "body",
    [
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200),  # a Windows program
        b"\x7fELF\x02\x01\x01" + bytes(200),  # a Linux one
        b"\x89PNG\r\n\x1a\n" + bytes(100),
    ],
)
async def test_a_file_that_is_not_a_resume_is_415(alice, body: bytes) -> None:
    r = await alice.post("/me/import?format=file", **upload("resume.pdf", body))
    assert r.status_code == 415, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_a_zip_that_is_not_a_docx_is_415(alice) -> None:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("a.txt", "hello")
    r = await alice.post("/me/import?format=file", **upload("resume.docx", data.getvalue()))
    assert r.status_code == 415


def bomb(expanded: int) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * expanded)
    return data.getvalue()


@pytest.fixture
async def small(database_url: str, runtime: Any) -> Any:
    settings = settings_for_tests(
        service,
        database_url,
        resume_file_max_bytes=64 * 1024,
        archive_max_expanded_bytes=2 * 1024 * 1024,
        resume_file_max_pages=1,
    )
    app = service.create_app(settings, runtime=runtime)
    async with running(app, runtime) as client:
        yield client


async def test_limits_size_zip_bomb_and_pages(small: Any, tokens: Any, two_page_pdf: bytes) -> None:
    import uuid

    headers = tokens.headers(uuid.uuid4(), ("user",))
    url = "/api/v1/profile/me/import?format=file"
    too_big = b"%PDF-1.4\n" + b"x" * (65 * 1024)
    r = await small.post(url, headers=headers, **upload("cv.pdf", too_big))
    assert r.status_code == 413, r.text
    payload = bomb(3 * 1024 * 1024)
    assert len(payload) < 64 * 1024  # small on the wire, large when expanded
    r = await small.post(url, headers=headers, **upload("cv.docx", payload))
    assert r.status_code == 413, r.text
    assert "expands" in r.json()["detail"]
    r = await small.post(url, headers=headers, **upload("cv.pdf", two_page_pdf))
    assert r.status_code == 413, r.text
    assert "pages" in r.json()["detail"]


@pytest.fixture
def two_page_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(RESUMES / "en_onecol.pdf")
    writer = PdfWriter()
    writer.add_page(reader.pages[0])
    writer.add_page(reader.pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- the AI fill-in against a local OpenAI-compatible stub ---------------------------------


class _Stub:
    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = answer
        self.requests: list[dict[str, Any]] = []


@pytest.fixture
def openai_stub() -> Iterator[Any]:
    holder: dict[str, _Stub] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            payload = json.loads(self.rfile.read(length) or b"{}")
            holder["stub"].requests.append({"path": self.path, "json": payload})
            body = json.dumps(
                {
                    "model": "stub-model",
                    "choices": [
                        {
                            "index": 0,
                            "message": {
                                "role": "assistant",
                                "content": json.dumps(holder["stub"].answer, ensure_ascii=False),
                            },
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 10},
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()

    def make(answer: dict[str, Any]) -> tuple[str, _Stub]:
        holder["stub"] = _Stub(answer)
        return f"http://127.0.0.1:{server.server_port}/v1", holder["stub"]

    yield make
    server.shutdown()
    server.server_close()


# Written so the offline reader finds the contacts but no job: a job on one line in prose.
PROSE = """Анна Петрова
anna.petrova@example.ru, +7 903 111-22-33, Казань

Карьера
С марта 2021 года работаю в компании Ак Барс Банк на должности ведущий аналитик,
до этого — бухгалтер в ООО «Татнефть» с 2017 года.
"""


async def test_the_model_fills_what_was_missed_and_invented_values_are_dropped(
    database_url: str, runtime: Any, tokens: Any, openai_stub: Any
) -> None:
    import uuid

    url, stub = openai_stub(
        {
            "experience": [
                {"company": "Ак Барс Банк", "position": "ведущий аналитик", "start": "марта 2021"},
                {"company": "Газпром", "position": "бухгалтер", "start": "2017"},
            ],
            "skills": ["Excel", "1С:Предприятие"],
            "headline": "ведущий аналитик",
        }
    )
    settings = settings_for_tests(service, database_url, llm_openai_base_url=url)
    app = service.create_app(settings, runtime=runtime)
    headers = tokens.headers(uuid.uuid4(), ("user",))
    async with running(app, runtime) as client:
        r = await client.post(
            "/api/v1/profile/me/import?format=file&ai=openai",
            headers=headers,
            **upload("cv.txt", PROSE.encode()),
        )
        assert r.status_code == 200, r.text
        proposal, report = r.json()["proposal"], r.json()["report"]
        assert (report["ai"], report["model"]) == ("openai", "stub-model")
        sent = stub.requests[0]["json"]
        assert "Ак Барс Банк" in sent["messages"][-1]["content"]  # the file's text went in
        assert [(j["company"], j["position"], j["start_date"]) for j in proposal["experience"]] == [
            ("Ак Барс Банк", "ведущий аналитик", "2021-03")
        ]
        dropped = {(d["path"], d["value"]) for d in report["dropped"]}
        assert ("experience[1].company", "Газпром") in dropped  # not in the file
        assert {"Excel", "1С:Предприятие"} <= {value for _, value in dropped}
        assert not {"Excel", "1С:Предприятие"} & {s["name"] for s in proposal["skills"]}
        sources = {f["path"]: f for f in report["fields"]}
        assert sources["experience[0].company"]["source"] == "openai"
        span = sources["experience[0].company"]
        assert report["text"][span["start"] : span["end"]] == "Ак Барс Банк"
        assert sources["personal.email"]["source"] == "offline"
        assert proposal["personal"]["email"] == "anna.petrova@example.ru"
        # A provider this service does not have is a 422 on ai.
        r = await client.post(
            "/api/v1/profile/me/import?format=file&ai=gemini",
            headers=headers,
            **upload("cv.txt", PROSE.encode()),
        )
        assert r.status_code == 422, r.text
