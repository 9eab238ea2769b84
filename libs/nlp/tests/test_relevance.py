"""Relevance of profile lines to a vacancy: required skills weigh most."""

from __future__ import annotations

from qh.nlp.relevance import line_score, order_lines, vacancy_focus

VACANCY = {
    "title": "Senior Data Engineer",
    "requirements": {
        "skills": [
            {"name": "Kafka", "required": True},
            {"name": "ClickHouse", "required": True},
            {"name": "Airflow", "required": False},
        ]
    },
    "responsibilities": ["Build streaming pipelines"],
}


def test_required_skills_come_first_and_ties_keep_the_order() -> None:
    focus = vacancy_focus(VACANCY)
    assert focus is not None
    lines = [
        "Interviewed 40 candidates",
        "Wrote ETL in Airflow for 30 sources",
        "Built event streaming on Kafka and ClickHouse",
        "Organised a party",
    ]
    ordered = order_lines(lines, focus, keep=3)
    assert ordered[:2] == [lines[2], lines[1]]
    assert line_score(lines[2], focus) > line_score(lines[1], focus) > line_score(lines[3], focus)
    assert order_lines(lines, None, keep=1) == lines
    assert vacancy_focus(None) is None
