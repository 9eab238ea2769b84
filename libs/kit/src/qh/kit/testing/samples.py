"""A candidate in Russian and in English (QH exports, ``format=qh``, as user-data gives
them) and a vacancy (job-data's shape): sample peers' data for the tests and benchmarks of
the services that read a profile and a vacancy (resume-generation, cover-letters)."""

from __future__ import annotations

from typing import Any

PROFILE_RU: dict[str, Any] = {
    "schema_version": "1.1",
    "personal": {
        "full_name": "Анна Сергеевна Кузнецова",
        "headline": "Инженер данных",
        "email": "anna.kuznetsova@example.ru",
        "phone": "+79161234567",
        "location": {"city": "Санкт-Петербург", "country_code": "RU"},
        "links": [{"network": "GitHub", "url": "https://github.com/anna-k"}],
        "summary": "Строю хранилища и потоки данных восемь лет. Люблю понятные пайплайны и "
        "метрики качества. Наставник для младших инженеров.",
        "resume_languages": ["ru"],
    },
    "experience": [
        {
            "company": "Яндекс",
            "position": "Ведущий инженер данных",
            "location": "Санкт-Петербург",
            "start_date": "2021-03",
            "end_date": None,
            "description": "Платформа данных рекламы.",
            "highlights": [
                "Провела собеседования с 40 кандидатами",
                "Перевела отчётность с Excel на дашборды в Tableau",
                "Построила потоковую обработку событий на Kafka и Spark",
                "Сократила время расчёта витрин в ClickHouse с 6 часов до 40 минут",
            ],
            "skills": ["Python", "Kafka", "Spark", "ClickHouse"],
        },
        {
            "company": "Тинькофф",
            "position": "Инженер данных",
            "start_date": "2017-09",
            "end_date": "2021-02",
            "highlights": [
                "Организовала корпоратив на 200 человек",
                "Написала ETL на Airflow и Python для 30 источников",
                "Настроила PostgreSQL-реплики для аналитиков",
            ],
            "skills": ["Airflow", "PostgreSQL"],
        },
    ],
    "education": [
        {
            "institution": "Санкт-Петербургский государственный университет",
            "degree": "Магистр",
            "field": "Прикладная математика",
            "start_date": "2011",
            "end_date": "2017",
        }
    ],
    "skills": [
        {"name": "Excel", "level": "advanced"},
        {"name": "Python", "level": "expert", "years": 8},
        {"name": "SQL", "level": "expert"},
        {"name": "Tableau"},
        {"name": "Kafka", "level": "advanced"},
    ],
    "languages": [
        {"code": "ru", "level": "native"},
        {"name": "Английский", "code": "en", "level": "C1"},
    ],
    "certificates": [{"name": "Cloudera Data Engineer", "issuer": "Cloudera", "date": "2020-05"}],
}

PROFILE_EN: dict[str, Any] = {
    "schema_version": "1.1",
    "personal": {
        "full_name": "Anna Kuznetsova",
        "headline": "Data Engineer",
        "email": "anna.kuznetsova@example.com",
        "phone": "+79161234567",
        "location": {"city": "Saint Petersburg", "country_code": "RU"},
        "links": [{"network": "GitHub", "url": "https://github.com/anna-k"}],
        "summary": "I build data warehouses and streaming pipelines. I care about clear "
        "pipelines and data quality metrics. Mentor for junior engineers.",
        "resume_languages": ["en"],
    },
    "experience": [
        {
            "company": "Yandex",
            "position": "Lead Data Engineer",
            "location": "Saint Petersburg",
            "start_date": "2021-03",
            "end_date": None,
            "highlights": [
                "Interviewed 40 candidates",
                "Moved reporting from Excel to Tableau dashboards",
                "Built event stream processing on Kafka and Spark",
                "Cut ClickHouse mart build time from 6 hours to 40 minutes",
            ],
            "skills": ["Python", "Kafka", "Spark", "ClickHouse"],
        },
        {
            "company": "Tinkoff",
            "position": "Data Engineer",
            "start_date": "2017-09",
            "end_date": "2021-02",
            "highlights": [
                "Organised a company party for 200 people",
                "Wrote ETL in Airflow and Python for 30 sources",
                "Set up PostgreSQL replicas for analysts",
            ],
            "skills": ["Airflow", "PostgreSQL"],
        },
    ],
    "education": [
        {
            "institution": "Saint Petersburg State University",
            "degree": "Master",
            "field": "Applied Mathematics",
            "start_date": "2011",
            "end_date": "2017",
        }
    ],
    "skills": [
        {"name": "Excel", "level": "advanced"},
        {"name": "Python", "level": "expert", "years": 8},
        {"name": "SQL", "level": "expert"},
        {"name": "Tableau"},
        {"name": "Kafka", "level": "advanced"},
    ],
    "languages": [
        {"code": "ru", "level": "native"},
        {"code": "en", "level": "C1"},
    ],
    "certificates": [{"name": "Cloudera Data Engineer", "issuer": "Cloudera", "date": "2020-05"}],
}

VACANCY: dict[str, Any] = {
    "title": "Senior Data Engineer",
    "company": "Ozon",
    "description_text": "We build a streaming platform. You will develop pipelines on Kafka "
    "and Spark, and tune ClickHouse marts.",
    "requirements": {
        "skills": [
            {"name": "Kafka", "canonical": "Apache Kafka", "required": True},
            {"name": "ClickHouse", "canonical": "ClickHouse", "required": True},
            {"name": "Spark", "canonical": "Apache Spark", "required": True},
            {"name": "Airflow", "canonical": "Apache Airflow", "required": False},
        ]
    },
    "responsibilities": ["Develop streaming pipelines", "Tune ClickHouse marts"],
}
