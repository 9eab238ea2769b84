"""False matches and misses reported against the job-data text parser, one test each."""

from __future__ import annotations

import pytest

from qh.nlp import find_languages, find_salary, find_skills


def ids(text: str) -> set[str]:
    return {m.skill.id for m in find_skills(text)}


@pytest.mark.parametrize(
    ("text", "skill_id"),
    [
        ("Experience with Lever or Greenhouse", "greenhouse"),
        ("Experience with Lever or Greenhouse", "lever-ats"),
        ("NetSuite and Excel", "netsuite"),
        ("Gainsight or Totango", "gainsight"),
        ("alerting with PagerDuty", "pagerduty"),
        ("payroll in ADP Workforce Now", "adp"),
        ("MEDDIC qualification", "meddic"),
        ("charting in Cerner", "cerner"),
        ("работа с Veeam", "veeam"),
        ("email flows in Klaviyo", "klaviyo"),
        ("API tests with REST Assured", "rest-assured"),
        ("стойки Sinumerik", "sinumerik"),
        ("Haas or Mazak controls", "haas"),
        ("Haas or Mazak controls", "mazak"),
        ("blueprints and GD&T", "gd-t"),
        ("Inspect parts with calipers, micrometers and CMM", "calipers"),
        ("Inspect parts with calipers, micrometers and CMM", "micrometers"),
        ("Inspect parts with calipers, micrometers and CMM", "cmm"),
        ("unit tests with XCTest", "xctest"),
        ("CI/CD (Fastlane)", "fastlane"),
        ("Experience with Core Data", "core-data"),
        ("трансформеры (BERT)", "bert"),
        ("Google Classroom", "google-classroom"),
        ("Material Design и Human Interface Guidelines", "material-design"),
        ("Material Design и Human Interface Guidelines", "human-interface-guidelines"),
        ("Lead the monthly close and consolidation", "month-end-close"),
        ("Lead the monthly close and consolidation", "consolidation"),
        ("post journal entries", "journal-entries"),
        ("payroll taxes and filings", "payroll-tax"),
        ("Manage ventilators, arterial lines", "ventilator-management"),
        ("Manage ventilators, arterial lines", "arterial-lines"),
        ("ручной дуговой сваркой (РДС) и полуавтоматом (MIG/MAG)", "manual-arc-welding"),
        ("ручной дуговой сваркой (РДС) и полуавтоматом (MIG/MAG)", "mig-mag-welding"),
        ("газовая резка металла", "gas-cutting"),
        ("знание 1С:УПП", "1c-upp"),
        ("написание отчётов на СКД", "1c-skd"),
        ("резервное копирование, работа с Veeam", "backup"),
        ("настройка групповых политик", "group-policy"),
        ("Build and tune monitoring with Prometheus", "monitoring"),
        ("Lead incident response", "incident-management"),
        ("gRPC and distributed systems", "distributed-systems"),
        ("Build and maintain dashboards in Tableau", "dashboards"),
        ("ведение Telegram-канала и группы ВКонтакте", "telegram"),
        ("ведение Telegram-канала и группы ВКонтакте", "vk"),
        ("manage onboarding and offboarding", "offboarding"),
        ("operate a pallet jack and an RF scanner", "pallet-jack"),
        ("operate a pallet jack and an RF scanner", "rf-scanner"),
        ("Design and analyse A/B tests", "a-b-testing"),
        ("водительское удостоверение категории C", "category-c-driving-license"),
    ],
)
def test_found(text: str, skill_id: str) -> None:
    assert skill_id in ids(text)


@pytest.mark.parametrize(
    ("text", "skill_id"),
    [
        ("оклад 100 000 руб", "ruby"),
        ("зарплата 50 тыс. руб.", "ruby"),
        ("keep the site safe and clean", "safe"),
        ("Solid communication skills", "solid"),
        ("следование гайдлайнов платформы", "brand-book"),
        ("Provide care to ICU patients", "intellectual-property"),
        ("Build and tune monitoring with Prometheus", "mentoring"),
        ("Perform daily inspections", "injections"),
        ("On-the-job training provided", "corporate-training"),
        ("водительское удостоверение категории C", "category-b-driving-license"),
    ],
)
def test_not_found(text: str, skill_id: str) -> None:
    assert skill_id not in ids(text)


def test_acronyms_still_match_as_written() -> None:
    assert "solid" in ids("принципы SOLID, DRY")
    assert "safe" in ids("Experience with SAFe and Scrum")


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("£400/day", "day"),
        ("€450 - €550 per day", "day"),
        ("3 500 руб за смену", "day"),
        ("от 100 000 руб в месяц", "month"),
    ],
)
def test_salary_periods(text: str, period: str) -> None:
    assert find_salary(text)[0].period == period


def test_find_languages_unchanged_by_the_faster_patterns() -> None:
    found = find_languages("Английский язык — B2, fluent German; Polish, polish")
    assert [(r.code, r.level, r.text) for r in found] == [
        ("en", "B2", "Английский язык — B2"),
        ("de", "C1", "fluent German"),
        ("pl", None, "Polish"),
    ]
