"""LinkedIn job pages: a job view with JSON-LD and a guest fragment without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from qh.job_data.parsing.linkedin import (
    guest_url,
    is_linkedin_page,
    linkedin_job_id,
    parse_linkedin,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "linkedin"
VIEW_URL = (
    "https://nl.linkedin.com/jobs/view/senior-android-engineer-at-booking-holdings-4012345678"
)
GUEST_URL = "https://www.linkedin.com/jobs-guest/jobs/api/jobPosting/4098765432"


def page(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("url", "job_id"),
    [
        ("https://www.linkedin.com/jobs/view/4012345678/", "4012345678"),
        (VIEW_URL, "4012345678"),
        (GUEST_URL, "4098765432"),
        (
            "https://www.linkedin.com/jobs/search/?currentJobId=4011111111&keywords=python",
            "4011111111",
        ),
        ("https://www.linkedin.com/in/someone/", None),
        ("https://linkedin.com.evil.example/jobs/view/4012345678", None),
        ("https://example.com/jobs/view/4012345678", None),
        (None, None),
    ],
)
def test_job_ids(url: str | None, job_id: str | None) -> None:
    assert linkedin_job_id(url) == job_id


def test_guest_url() -> None:
    assert guest_url("4098765432") == GUEST_URL


def test_job_view_with_json_ld() -> None:
    vacancy = parse_linkedin(page("job_view_jsonld.html"), url=VIEW_URL)
    assert vacancy.title == "Senior Android Engineer"
    assert vacancy.company == "Booking Holdings"
    assert vacancy.location is not None
    assert (vacancy.location.city, vacancy.location.country_code) == ("Amsterdam", "NL")
    assert vacancy.employment == "full"
    assert vacancy.salary is None
    assert vacancy.experience is not None
    assert vacancy.experience.min_years == 5
    assert vacancy.requirements.education == "bachelor degree"
    assert "• Kotlin, Jetpack Compose, Coroutines" in vacancy.description_text
    assert vacancy.description_html is not None
    assert "<ul>" in vacancy.description_html
    assert vacancy.source.kind == "linkedin"
    assert vacancy.source.external_id == "4012345678"
    assert vacancy.source.url == VIEW_URL
    assert vacancy.published_at is not None


def test_guest_page_without_json_ld() -> None:
    vacancy = parse_linkedin(page("guest_job_posting.html"), url=GUEST_URL)
    assert vacancy.title == "Machine Learning Engineer"
    assert vacancy.company == "Nebula AI"
    assert vacancy.location is not None
    assert (vacancy.location.city, vacancy.location.country_code) == ("London", "GB")
    assert vacancy.salary is not None
    salary = vacancy.salary
    assert (salary.min, salary.max, salary.currency, salary.period) == (70000, 90000, "GBP", "year")
    assert vacancy.employment == "project"  # "Contract"
    assert vacancy.work_format == ["hybrid"]
    assert vacancy.description_text.startswith("Nebula AI builds forecasting models")
    assert "• Python, PyTorch, SQL" in vacancy.description_text
    assert vacancy.source.external_id == "4098765432"


def test_recognises_linkedin_pages() -> None:
    assert is_linkedin_page("<html></html>", "https://www.linkedin.com/jobs/view/1234567")
    assert is_linkedin_page(page("guest_job_posting.html"))
    assert not is_linkedin_page("<html><h1>Jobs</h1></html>", "https://jobs.example/1")


def test_entry_level_means_no_experience_needed() -> None:
    html = page("guest_job_posting.html").replace(">Associate<", ">Entry level<")
    vacancy = parse_linkedin(html, url=GUEST_URL)
    assert vacancy.experience is not None
    assert vacancy.experience.min_years == 0


# -- with the text analysis ---------------------------------------------------------------


def test_skills_come_from_text() -> None:
    vacancy = parse_linkedin(page("guest_job_posting.html"), url=GUEST_URL)
    canonicals = {s.canonical for s in vacancy.requirements.skills}
    assert {"Python", "PyTorch", "SQL", "Docker"} <= canonicals
    assert vacancy.experience is not None
    assert vacancy.experience.min_years == 2
    assert vacancy.language == "en"
