"""The shared candidate and vacancy (``qh.kit.testing.samples``) and a vacancy in Russian,
for the tests and benchmarks/cover_letters.py."""

from __future__ import annotations

from typing import Any

from qh.kit.testing.samples import PROFILE_EN, PROFILE_RU, VACANCY

__all__ = ["PROFILE_EN", "PROFILE_RU", "VACANCY", "VACANCY_RU"]

VACANCY_RU: dict[str, Any] = {
    "title": "Старший инженер данных",
    "company": "Озон",
    "description_text": "Строим потоковую платформу. Вы будете разрабатывать пайплайны на Kafka "
    "и Spark и оптимизировать витрины в ClickHouse.",
    "requirements": {
        "skills": [
            {"name": "Kafka", "canonical": "Apache Kafka", "required": True},
            {"name": "ClickHouse", "canonical": "ClickHouse", "required": True},
            {"name": "Spark", "canonical": "Apache Spark", "required": True},
            {"name": "Airflow", "canonical": "Apache Airflow", "required": False},
        ]
    },
    "responsibilities": ["Разрабатывать потоковые пайплайны", "Оптимизировать витрины ClickHouse"],
}
