"""Field-level precision and recall of the resume-file import over its test fixtures.

    uv run python benchmarks/resume_import_quality.py

Reads every file of ``services/user-data/tests/fixtures/resumes`` that has an
``.expected.json`` beside it, proposes a profile the way ``POST /me/import?format=file``
does (offline, no model) and compares per language: contact fields (name, e-mail, phone,
city, links, desired position and salary where the file has them), experience entries
(company, position, start and end dates), education (institution, degree, field, end),
skills and spoken languages (code and level). Values are compared case-blind with spaces
collapsed. Targets: contact ≥ 0.95, experience ≥ 0.85, skills ≥ 0.85.
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
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
