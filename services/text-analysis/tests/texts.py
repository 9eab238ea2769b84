"""Resumes and vacancies the tests share (Russian, English, mixed)."""

VACANCY_EN = """Senior Python Developer

Requirements:
- 5+ years of commercial experience with Python
- Django or FastAPI, PostgreSQL, Docker
- Kubernetes in production
- Upper-Intermediate English (B2)
- Higher education in computer science

Nice to have:
- Go
- Kafka

Responsibilities:
- Design and build backend services for payments
- Review code and mentor junior developers
"""

RESUME_RU = """Иван Петров
Python-разработчик
ivan.petrov@example.ru, +7 916 123-45-67

Опыт работы
Python-разработчик, Яндекс (03.2017 – 05.2024)
- Разработал сервис платежей на Django и PostgreSQL, ускорил ответы на 40%
- Перевёл сборку на Docker, проводил ревью кода и наставлял младших разработчиков

Образование
МГТУ им. Баумана, высшее, информатика (2011 – 2016)

Навыки
Python, Django, FastAPI, PostgreSQL, Docker, Kafka

Языки
Английский — B2
"""

RESUME_EN_POOR = """Anna Smith
Pastry chef
anna@example.com

Experience
Pastry chef, Cafe Rouge (2018 - 2023)
- Baked cakes and desserts for 200 guests a day

Education
Culinary college (2014 - 2017)

Skills
Baking, food safety, menu planning
"""

RESUME_MIXED = """Мария Иванова
Backend developer / бэкенд-разработчик
maria@example.com

Experience / Опыт работы
Backend developer, Ozon (2016 - 2024)
- Built payment services with Python, Django and PostgreSQL; сократила время ответа на 30%
- Развернула Kubernetes в продакшене

Skills
Python, Django, PostgreSQL, Docker, Kubernetes

Languages
English — C1
"""
