"""qh.nlp skill matcher against a plain rapidfuzz scan, on ~5 kB vacancies (RU and EN).

Run: ``uv run python benchmarks/nlp_matcher.py``. Prints p50 per text for ``find_skills``
(index built and warmed first) and for the naive approach (every taxonomy alias through
``rapidfuzz.fuzz.partial_ratio(alias, text) >= 90``), their ratio and the machine.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable

from rapidfuzz import fuzz

from qh.nlp import find_skills, fold, taxonomy

RU_VACANCY = """\
Senior Python-разработчик (платёжная платформа)

О компании
Мы — продуктовая финтех-компания: обрабатываем больше миллиона платежей в день для интернет-магазинов,
маркетплейсов и сервисов доставки в России и Казахстане. В команде 120 человек, из них 70 инженеров.
Работаем по Scrum двухнедельными спринтами, релизимся несколько раз в день, каждая команда сама
отвечает за свои сервисы в продакшене.

Чем предстоит заниматься
• развивать ядро платёжной платформы: приём платежей, выплаты, сверки с банками и эквайрами;
• проектировать и писать микросервисы на Python (FastAPI, aiohttp), участвовать в выборе архитектуры;
• работать с PostgreSQL: проектирование схем, оптимизация запросов, партиционирование;
• строить асинхронные интеграции через Kafka и RabbitMQ, следить за идемпотентностью обработки;
• писать юнит- и интеграционные тесты (pytest), участвовать в код-ревью;
• настраивать CI/CD в GitLab CI, выкатывать сервисы в Kubernetes через Helm;
• разбирать инциденты вместе с SRE, улучшать мониторинг в Grafana и Prometheus;
• менторить разработчиков уровня middle, проводить технические собеседования.

Что мы ждём
• опыт коммерческой разработки на Python от 5 лет;
• уверенное знание asyncio, SQLAlchemy, Pydantic;
• опыт работы с PostgreSQL и Redis под высокой нагрузкой (high load), понимание индексов и блокировок;
• понимание принципов микросервисной архитектуры, DDD, event-driven подходов;
• опыт работы с Docker и Kubernetes, понимание сетей и Linux на уровне администрирования своих сервисов;
• знание алгоритмов и структур данных, умение оценивать сложность решений;
• английский на уровне чтения технической документации (B1 и выше);
• ответственность, самостоятельность, умение работать в команде и аргументировать решения.

Будет плюсом
• Go или Rust; опыт с ClickHouse, Elasticsearch;
• знание стандартов PCI DSS, опыт интеграции с банками и платёжными системами;
• опыт построения ETL и хранилищ данных, Apache Airflow;
• понимание бухгалтерского учёта платежей и сверок, работа с 1С на уровне выгрузок;
• опыт управления проектами или небольшой командой;
• публичные выступления на конференциях, статьи на Хабре.

Условия
• зарплата от 350 000 до 450 000 ₽ на руки, годовой бонус до 20 %;
• официальное оформление по ТК РФ, ДМС со стоматологией с первого месяца;
• удалённая работа из любой точки России или офис в Москве у метро;
• компенсация обучения, конференций и курсов английского;
• современная техника: MacBook Pro или ноутбук на Linux на выбор;
• гибкий график, без бюрократии, прозрачные процессы и понятные цели (OKR).

Как проходит отбор
1. Короткий звонок с рекрутером (30 минут) — расскажем о команде и задачах.
2. Техническое интервью: Python, базы данных, системный дизайн платёжного сервиса.
3. Встреча с руководителем направления и командой.
4. Оффер в течение двух рабочих дней после финальной встречи.

Стек: Python 3.12, FastAPI, aiohttp, SQLAlchemy, Alembic, PostgreSQL 16, Redis, Kafka, RabbitMQ,
ClickHouse, Docker, Kubernetes, Helm, Terraform, GitLab CI, Grafana, Prometheus, Sentry, Jira,
Confluence. Мы не используем Java и JavaScript на бэкенде; фронтенд пишет отдельная команда на React
и TypeScript. Опыт работы с аналитикой данных (pandas, SQL) приветствуется, как и навыки A/B
тестирования платёжных сценариев совместно с продуктовыми аналитиками. Готовы рассмотреть
кандидатов с опытом в Kotlin или C#, если есть сильная база и желание перейти на Python.
"""

EN_VACANCY = """\
Senior Data Engineer (Marketplace Analytics)

About us
We run a two-sided marketplace connecting 40,000 independent sellers with millions of buyers across
Europe. Our data platform powers pricing, search ranking, fraud detection and the weekly business
review, and it is owned end to end by a team of twelve engineers and analysts.

What you will do
- Design, build and operate batch and streaming pipelines with Apache Spark, Apache Kafka and dbt.
- Own our data warehouse on Google BigQuery and the lakehouse on Amazon S3; model data for analysts
  using dimensional modeling and Data Vault where it pays off.
- Orchestrate workloads with Apache Airflow, deploy with Terraform and GitHub Actions, and run
  services on Kubernetes (GKE) with Docker images built in CI/CD.
- Improve data quality with automated tests, contracts and monitoring in Grafana and Datadog.
- Partner with data scientists on feature engineering and the deployment of machine learning models
  (XGBoost, LightGBM, PyTorch) through MLflow.
- Support product analytics: A/B testing infrastructure, cohort analysis and unit economics.
- Mentor two mid-level engineers and take part in code review and hiring.

What we are looking for
- 5+ years of experience in data engineering or backend development.
- Excellent SQL and Python; pandas and PySpark in production.
- Hands-on experience with Kafka, Spark and a cloud data warehouse (BigQuery, Snowflake or
  Amazon Redshift).
- Solid grasp of data modeling, ETL/ELT design and query optimization.
- Familiarity with Google Cloud Platform or Amazon Web Services, Linux and networking basics.
- Experience with Tableau, Looker Studio or Power BI dashboards is a plus.
- Strong communication skills, ownership and attention to detail; you enjoy working in a team.
- English: fluent (C1); German or Polish is a bonus.

Nice to have
- Scala or Java for Spark jobs, Go for small services.
- Experience with ClickHouse, Apache Flink or Trino.
- Knowledge of GDPR and data governance practices.
- Background in statistics, time series forecasting or recommender systems.
- Exposure to marketing analytics, attribution modeling and Google Analytics data.

What we offer
- Salary €75,000–€95,000 gross per year plus an annual bonus and stock options.
- Hybrid work from our Berlin office or fully remote within the EU.
- 30 days of paid vacation, a learning budget of €2,000 a year and conference trips.
- A modern laptop of your choice (MacBook Pro or a Linux machine).
- Relocation support and visa sponsorship for you and your family.

About the team
You will join the data platform team: four data engineers, two analytics engineers, a product
manager and an engineering manager, working closely with eight product analysts and five data
scientists. We plan quarterly with OKRs, work in two-week sprints with Kanban boards in Jira,
document decisions in Confluence and keep our runbooks next to the code in GitHub. On-call is
shared across the team, one week in six, with a clear escalation policy and paid on-call hours.
Last year we moved the warehouse from Amazon Redshift to BigQuery, cut pipeline costs by a third,
replaced a home-grown scheduler with Airflow and introduced data contracts between product teams.
This year we are building a real-time feature store for the pricing and fraud models, migrating
the remaining Scala jobs to PySpark and rolling out self-service dashboards in Looker Studio for
sales, marketing and customer support.

Our stack
Python 3.12, SQL, dbt, Apache Spark (PySpark), Apache Kafka, Apache Airflow, Google BigQuery,
PostgreSQL, Redis, Terraform, Kubernetes, Docker, Helm, GitHub Actions, Grafana, Prometheus,
Datadog, Sentry, MLflow, Jupyter, Tableau, Looker Studio, Jira and Confluence. We review every
change, pair on hard problems and value clear written communication over long meetings. We care
about project management basics: every initiative has an owner, a scope and a date.

Our process
1. A 30-minute call with a recruiter to get to know each other.
2. A technical interview on SQL, Python and data modeling.
3. A system design session: a streaming pipeline for marketplace events.
4. A conversation with the head of data and two future teammates.
We reply within a week after each step, and we give written feedback to every candidate who
reached the technical interview. If you are excited about data platforms, Kubernets and Postgress
typos included, we would love to hear from you, even if you do not match every requirement.
Please apply with your CV; a cover letter is optional. We do not use JavaScript in the data team,
though our frontend colleagues use React and TypeScript every day.
"""


def p50(fn: Callable[[], object], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def naive_scan(text: str, aliases: list[str]) -> list[str]:
    return [a for a in aliases if fuzz.partial_ratio(a, text) >= 90]


def main() -> None:
    t0 = time.perf_counter()
    find_skills("warm up: Python")
    build = time.perf_counter() - t0
    aliases = sorted({fold(a) for s in taxonomy().skills for a in s.aliases})
    print(f"machine: {os.cpu_count()} CPUs, {platform.platform()}, {platform.processor() or '?'}")
    print(
        f"python: {sys.version.split()[0]}; taxonomy: {len(taxonomy())} skills, {len(aliases)} aliases"
    )
    print(f"first call (taxonomy + morphology + index): {build * 1000:.0f} ms")
    print(
        f"{'text':<4} {'size':>6} {'found':>5} {'find_skills p50':>16} {'naive p50':>11} {'ratio':>7}"
    )
    for label, text in (("ru", RU_VACANCY), ("en", EN_VACANCY)):
        find_skills(text)
        mentions = find_skills(text)
        ours = p50(lambda text=text: find_skills(text), 200)
        folded = fold(text)
        naive = p50(lambda folded=folded: naive_scan(folded, aliases), 5)
        print(
            f"{label:<4} {len(text.encode()):>6} {len(mentions):>5} {ours * 1000:>13.2f} ms "
            f"{naive * 1000:>8.0f} ms {naive / ours:>6.0f}x"
        )


if __name__ == "__main__":
    main()
