"""Field-level precision and recall of the resume-file import over its test fixtures.

    uv run python benchmarks/resume_import_quality.py

Reads every file of ``services/user-data/tests/fixtures/resumes`` that has an
``.expected.json`` beside it, proposes a profile the way ``POST /me/import?format=file``
does (offline, no model) and compares per language: contact fields (name, e-mail, phone,
city, links, desired position and salary where the file has them), experience entries
(company, position, start and end dates), education (institution, degree, field, end),
skills and spoken languages (code and level). Values are compared case-blind with spaces
collapsed. Targets: contact ≥ 0.95, experience ≥ 0.85, skills ≥ 0.85.

Then the round trip (issue 16): each distinct person of those fixtures (3 Russian, 3
English) is rendered by resume-generation's own renderer (``ResumeRenderer``, the code
behind its PDF and DOCX exports, no vacancy) with each template to PDF (A4) and DOCX, and
each file is read back by ``propose_offline``. Recovery per template, format and language
over: name, e-mail, phone, each job's company, position, start and end, each education's
institution, each skill and each spoken language (code and level). Target ≥ 0.95.
``--no-roundtrip`` skips it; ``-v`` lists every missed field.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from qh.user_data.domain.exchange.resume_file import propose_offline

FIXTURES = Path(__file__).parent.parent / "services/user-data/tests/fixtures/resumes"
TARGETS = {"contact": 0.95, "experience": 0.85, "skills": 0.85}


def norm(value: Any) -> str:
    return " ".join(str(value).casefold().replace("ё", "е").split())


def facts(profile: dict[str, Any]) -> dict[str, set[tuple[str, ...]]]:
    """The comparable facts of a profile, per group."""
    personal = profile["personal"]
    contact: set[tuple[str, ...]] = set()
    for name in ("full_name", "email", "phone", "desired_position"):
        if personal.get(name):
            contact.add((name, norm(personal[name])))
    city = personal.get("city") or (personal.get("location") or {}).get("city")
    if city:
        contact.add(("city", norm(city)))
    for link in personal.get("links") or []:
        contact.add(("link", norm(link if isinstance(link, str) else link["url"])))
    salary = personal.get("desired_salary")
    if salary:
        contact.add(("salary", str(salary["amount"]), salary["currency"]))
    experience = set()
    for job in profile.get("experience") or []:
        key = norm(job["start_date"])
        experience.add(("company", key, norm(job["company"])))
        experience.add(("position", key, norm(job["position"])))
        experience.add(("start_date", key))
        experience.add(("end_date", key, norm(job.get("end_date"))))
    education = set()
    for item in profile.get("education") or []:
        for name in ("institution", "degree", "field", "end_date"):
            if item.get(name):
                education.add((name, norm(item[name])))
    skills = {(norm(s if isinstance(s, str) else s["name"]),) for s in profile.get("skills") or []}
    languages = {(x["code"], str(x["level"])) for x in profile.get("languages") or []}
    return {
        "contact": contact,
        "experience": experience,
        "education": education,
        "skills": skills,
        "languages": languages,
    }


ROUNDTRIP_TARGET = 0.95


def as_profile(expected: dict[str, Any]) -> dict[str, Any]:
    """A fixture's expected profile in the export shape ``build_content`` reads."""
    personal = expected["personal"]
    return {
        "personal": {
            "full_name": personal["full_name"],
            "email": personal.get("email"),
            "phone": personal.get("phone"),
            "desired_position": personal.get("desired_position"),
            "location": {"city": personal.get("city")},
            "links": [{"url": url} for url in personal.get("links") or []],
        },
        "experience": expected["experience"],
        "education": expected["education"],
        "skills": [{"name": s} for s in expected["skills"]],
        "languages": expected["languages"],
    }


def roundtrip_facts(profile: dict[str, Any]) -> set[tuple[str, ...]]:
    """The fields the round trip scores, from an expected profile or a proposal."""
    personal = profile["personal"]
    out: set[tuple[str, ...]] = set()
    for name in ("full_name", "email", "phone"):
        if personal.get(name):
            out.add((name, norm(personal[name])))
    for job in profile.get("experience") or []:
        key = norm(job["start_date"])
        out.add(("company", key, norm(job["company"])))
        out.add(("position", key, norm(job["position"])))
        out.add(("start_date", key))
        out.add(("end_date", key, norm(job.get("end_date"))))
    for item in profile.get("education") or []:
        out.add(("institution", norm(item["institution"])))
    for skill in profile.get("skills") or []:
        out.add(("skill", norm(skill if isinstance(skill, str) else skill["name"])))
    for item in profile.get("languages") or []:
        out.add(("language", item["code"], str(item["level"])))
    return out


def roundtrip(verbose: bool) -> bool:
    from qh.resume_generation.domain.resumes.documents import ResumeRenderer
    from qh.resume_generation.domain.resumes.tailoring import build_content

    renderer = ResumeRenderer()
    people: dict[str, dict[str, Any]] = {}
    for path in sorted(FIXTURES.glob("*.expected.json")):
        expected = json.loads(path.read_text("utf-8"))
        people.setdefault(expected["personal"]["full_name"], expected)
    totals: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    missed: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    lines: list[str] = []
    started = time.perf_counter()
    for expected in people.values():
        language = expected["language"]
        content, _ = build_content(as_profile(expected), None, language)
        want = roundtrip_facts(expected)
        for name in sorted(renderer.library.templates):
            template = renderer.template(name)
            assert template is not None
            files = {
                "pdf": renderer.pdf(
                    template, content, language=language, page_size="A4", show_photo=False
                ).content,
                "docx": renderer.docx(template, content, language=language, title="CV"),
            }
            for kind, body in files.items():
                proposal, _report = propose_offline(body)
                hit = roundtrip_facts(proposal) & want
                for key in ((name, kind, language), (name, kind, "all")):
                    totals[key][0] += len(hit)
                    totals[key][1] += len(want)
                for fact in sorted(want - hit):
                    missed[(name, kind)][fact[0]] += 1
                    lines.append(
                        f"{name} {kind} {expected['personal']['full_name']}: missed {fact}"
                    )
    elapsed = time.perf_counter() - started
    print(
        f"\nround trip: {len(people)} people rendered by each template to PDF and DOCX and "
        f"read back, {elapsed:.1f} s"
    )
    print(f"{'template':9} {'format':6} {'language':8} {'recovered':>9} {'fields':>7}")
    ok = True
    for (name, kind, language), (hit, want_n) in sorted(totals.items()):
        recovery = hit / want_n if want_n else 1.0
        below = recovery < ROUNDTRIP_TARGET
        ok &= not below
        print(
            f"{name:9} {kind:6} {language:8} {recovery:9.3f} {want_n:7d}"
            + (" BELOW 0.95" if below else "")
        )
    for (name, kind), fields in sorted(missed.items()):
        print(
            f"missed in {name} {kind}: " + ", ".join(f"{k} ×{n}" for k, n in sorted(fields.items()))
        )
    if verbose:
        print("\n".join(lines))
    return ok


def main() -> int:
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    misses: list[str] = []
    started = time.perf_counter()
    files = sorted(p for p in FIXTURES.iterdir() if (p.parent / f"{p.name}.expected.json").exists())
    for path in files:
        want = json.loads((path.parent / f"{path.name}.expected.json").read_text("utf-8"))
        proposal, _report = propose_offline(path.read_bytes())
        got_facts, want_facts = facts(proposal), facts(want)
        for group in want_facts:
            hit = got_facts[group] & want_facts[group]
            for language in (want["language"], "all"):
                total = totals[(language, group)]
                total[0] += len(hit)
                total[1] += len(got_facts[group])
                total[2] += len(want_facts[group])
            for fact in sorted(want_facts[group] - got_facts[group]):
                misses.append(f"{path.name}: missed {group} {fact}")
            for fact in sorted(got_facts[group] - want_facts[group]):
                misses.append(f"{path.name}: wrong  {group} {fact}")
    elapsed = time.perf_counter() - started
    print(f"{len(files)} fixtures in {elapsed:.2f} s (the first includes loading the taxonomy)")
    print(f"{'language':8} {'group':11} {'precision':>9} {'recall':>7} {'target':>7}")
    failed = False
    for (language, group), (hit, got, want) in sorted(totals.items()):
        precision = hit / got if got else 1.0
        recall = hit / want if want else 1.0
        target = TARGETS.get(group)
        mark = ""
        if target is not None:
            ok = precision >= target and recall >= target
            failed |= not ok and language == "all"
            mark = f"{target:.2f} {'ok' if ok else 'MISSED'}"
        print(f"{language:8} {group:11} {precision:9.3f} {recall:7.3f} {mark:>7}")
    if "-v" in sys.argv:
        print("\n".join(misses))
    if "--no-roundtrip" not in sys.argv:
        failed |= not roundtrip("-v" in sys.argv)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
