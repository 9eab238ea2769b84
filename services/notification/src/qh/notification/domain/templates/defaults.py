"""The built-in messages: every kind in Russian and English, for every channel.

Per kind and locale: the e-mail's subject and plain text, a short text for SMS, push and
the inbox, and the label of the e-mail's button. Variables are strings the service
prepares (dates already written in the user's time zone and language)."""

from __future__ import annotations

from dataclasses import dataclass

KINDS = (
    "welcome",
    "email_verification",
    "password_reset",
    "resume_ready",
    "cover_letter_ready",
    "document_shared",
    "document_opened",
    "analysis_completed",
    "sign_in_alert",
)
CHANNELS = ("email", "sms", "push", "inbox")
LOCALES = ("ru", "en")

# Messages about the account itself: always e-mailed, never in the inbox (their links are
# secrets), not silenced by preferences or quiet hours.
ACCOUNT_KINDS = frozenset({"email_verification", "password_reset"})
# Security messages: always e-mailed (the kind's e-mail preference does not silence them,
# nor the hourly limit), and kept in the inbox too (they carry no secret).
SECURITY_KINDS = frozenset({"sign_in_alert"})


@dataclass(frozen=True)
class Copy:
    subject: str
    text: str
    short: str
    action: str


GREETING_RU = "{% if name %}Здравствуйте, {{ name }}!{% else %}Здравствуйте!{% endif %}"
GREETING_EN = "{% if name %}Hello {{ name }},{% else %}Hello,{% endif %}"
SIGNATURE_RU = "\n\n— Команда QH"
SIGNATURE_EN = "\n\n— The QH team"

COPY: dict[str, dict[str, Copy]] = {
    "welcome": {
        "ru": Copy(
            subject="Добро пожаловать в QH",
            text=GREETING_RU
            + "\n\nСпасибо, что присоединились к QH. Заполните профиль один раз — и мы"
            " поможем составить резюме и сопроводительное письмо под каждую вакансию и"
            " покажем, насколько вы ей подходите.\n\nНачать: {{ url }}" + SIGNATURE_RU,
            short="Добро пожаловать в QH! Заполните профиль, и мы поможем с резюме под каждую вакансию.",
            action="Открыть QH",
        ),
        "en": Copy(
            subject="Welcome to QH",
            text=GREETING_EN
            + "\n\nThank you for joining QH. Fill in your profile once, and we will help you"
            " tailor a resume and a cover letter to every vacancy and show how well you"
            " match it.\n\nGet started: {{ url }}" + SIGNATURE_EN,
            short="Welcome to QH! Fill in your profile and we will tailor a resume to every vacancy.",
            action="Open QH",
        ),
    },
    "email_verification": {
        "ru": Copy(
            subject="Подтвердите адрес электронной почты",
            text=GREETING_RU
            + "\n\nЧтобы подтвердить адрес для входа в QH, откройте ссылку:\n{{ url }}\n\n"
            "Ссылка действует до {{ expires_at }}. Если вы не регистрировались в QH,"
            " просто удалите это письмо." + SIGNATURE_RU,
            short="Подтвердите адрес почты для QH: {{ url }}",
            action="Подтвердить адрес",
        ),
        "en": Copy(
            subject="Confirm your e-mail address",
            text=GREETING_EN
            + "\n\nTo confirm the address you sign in to QH with, open this link:\n{{ url }}"
            "\n\nThe link works until {{ expires_at }}. If you did not sign up for QH,"
            " simply delete this message." + SIGNATURE_EN,
            short="Confirm your e-mail address for QH: {{ url }}",
            action="Confirm address",
        ),
    },
    "password_reset": {
        "ru": Copy(
            subject="Сброс пароля QH",
            text=GREETING_RU
            + "\n\nМы получили запрос на сброс пароля. Задать новый пароль можно по ссылке:"
            "\n{{ url }}\n\nСсылка действует до {{ expires_at }}. Если вы ничего не"
            " запрашивали, ничего не делайте: пароль останется прежним." + SIGNATURE_RU,
            short="Сброс пароля QH: {{ url }}",
            action="Задать новый пароль",
        ),
        "en": Copy(
            subject="Reset your QH password",
            text=GREETING_EN
            + "\n\nWe received a request to reset your password. Choose a new one here:"
            "\n{{ url }}\n\nThe link works until {{ expires_at }}. If you did not ask for"
            " this, do nothing: your password stays as it is." + SIGNATURE_EN,
            short="Reset your QH password: {{ url }}",
            action="Choose a new password",
        ),
    },
    "resume_ready": {
        "ru": Copy(
            subject="Резюме готово{% if title %}: {{ title }}{% endif %}",
            text=GREETING_RU
            + "\n\nРезюме{% if title %} «{{ title }}»{% endif %} готово. Посмотреть,"
            " поправить и скачать его можно здесь:\n{{ url }}" + SIGNATURE_RU,
            short="Резюме{% if title %} «{{ title }}»{% endif %} готово.",
            action="Открыть резюме",
        ),
        "en": Copy(
            subject="Your resume is ready{% if title %}: {{ title }}{% endif %}",
            text=GREETING_EN
            + "\n\nYour resume{% if title %} “{{ title }}”{% endif %} is ready. Review,"
            " edit and download it here:\n{{ url }}" + SIGNATURE_EN,
            short="Your resume{% if title %} “{{ title }}”{% endif %} is ready.",
            action="Open the resume",
        ),
    },
    "cover_letter_ready": {
        "ru": Copy(
            subject="Сопроводительное письмо готово{% if title %}: {{ title }}{% endif %}",
            text=GREETING_RU
            + "\n\nСопроводительное письмо{% if title %} «{{ title }}»{% endif %} готово."
            " Прочитайте его и поправьте, если нужно:\n{{ url }}" + SIGNATURE_RU,
            short="Сопроводительное письмо{% if title %} «{{ title }}»{% endif %} готово.",
            action="Открыть письмо",
        ),
        "en": Copy(
            subject="Your cover letter is ready{% if title %}: {{ title }}{% endif %}",
            text=GREETING_EN
            + "\n\nYour cover letter{% if title %} “{{ title }}”{% endif %} is ready. Read"
            " it through and adjust it if you like:\n{{ url }}" + SIGNATURE_EN,
            short="Your cover letter{% if title %} “{{ title }}”{% endif %} is ready.",
            action="Open the letter",
        ),
    },
    "document_shared": {
        "ru": Copy(
            subject="Создана ссылка на документ{% if title %} «{{ title }}»{% endif %}",
            text=GREETING_RU
            + "\n\nВы создали ссылку на документ{% if title %} «{{ title }}»{% endif %}."
            " По ней документ может открыть любой, у кого она есть, до {{ expires_at }}."
            " Отозвать ссылку и посмотреть, кто её открывал, можно здесь:\n{{ url }}"
            + SIGNATURE_RU,
            short="Создана ссылка на документ{% if title %} «{{ title }}»{% endif %}, действует до {{ expires_at }}.",
            action="Управлять ссылками",
        ),
        "en": Copy(
            subject="A share link to{% if title %} “{{ title }}”{% else %} your document{% endif %} was created",
            text=GREETING_EN
            + "\n\nYou created a share link to{% if title %} “{{ title }}”{% else %} your"
            " document{% endif %}. Anyone who has it can open the document until"
            " {{ expires_at }}. Revoke the link or see who opened it here:\n{{ url }}"
            + SIGNATURE_EN,
            short="A share link to{% if title %} “{{ title }}”{% else %} your document{% endif %} works until {{ expires_at }}.",
            action="Manage share links",
        ),
    },
    "document_opened": {
        "ru": Copy(
            subject="Ваш документ{% if title %} «{{ title }}»{% endif %} открыли",
            text=GREETING_RU
            + "\n\nДокумент{% if title %} «{{ title }}»{% endif %} открыли по вашей ссылке"
            " {{ accessed_at }}. Все открытия и сами ссылки — здесь:\n{{ url }}" + SIGNATURE_RU,
            short="Документ{% if title %} «{{ title }}»{% endif %} открыли по вашей ссылке {{ accessed_at }}.",
            action="Посмотреть открытия",
        ),
        "en": Copy(
            subject="Your document{% if title %} “{{ title }}”{% endif %} was opened",
            text=GREETING_EN
            + "\n\nYour document{% if title %} “{{ title }}”{% endif %} was opened through"
            " your share link on {{ accessed_at }}. Every opening and the links themselves"
            " are here:\n{{ url }}" + SIGNATURE_EN,
            short="Your document{% if title %} “{{ title }}”{% endif %} was opened through your link on {{ accessed_at }}.",
            action="See who opened it",
        ),
    },
    "analysis_completed": {
        "ru": Copy(
            subject="{% if analysis == 'match' %}Соответствие вакансии оценено{% else %}Разбор резюме готов{% endif %}",
            text=GREETING_RU + "\n\n{% if analysis == 'match' %}Мы сравнили ваш профиль с вакансией"
            "{% if score %}: совпадение {{ score }}{% endif %}. Что совпало и чего не"
            " хватает, — в отчёте{% else %}Разбор вашего резюме готов{% endif %}:\n{{ url }}"
            + SIGNATURE_RU,
            short="{% if analysis == 'match' %}Соответствие вакансии оценено{% if score %}: {{ score }}{% endif %}.{% else %}Разбор резюме готов.{% endif %}",
            action="Открыть отчёт",
        ),
        "en": Copy(
            subject="{% if analysis == 'match' %}Your match with the vacancy is ready{% else %}Your resume review is ready{% endif %}",
            text=GREETING_EN
            + "\n\n{% if analysis == 'match' %}We compared your profile with the vacancy"
            "{% if score %}: a {{ score }} match{% endif %}. What matches and what is"
            " missing is in the report{% else %}The review of your resume is ready{% endif %}:"
            "\n{{ url }}" + SIGNATURE_EN,
            short="{% if analysis == 'match' %}Your vacancy match is ready{% if score %}: {{ score }}{% endif %}.{% else %}Your resume review is ready.{% endif %}",
            action="Open the report",
        ),
    },
    "sign_in_alert": {
        "ru": Copy(
            subject="Новый вход в аккаунт QH",
            text=GREETING_RU + "\n\nВ ваш аккаунт QH вошли с нового устройства.\n\n"
            "Когда: {{ at }}\n"
            "Откуда (IP): {{ ip or 'неизвестно' }}\n"
            "Браузер: {{ browser or 'неизвестно' }}\n\n"
            "Если это были вы, ничего делать не нужно. Если нет — немедленно смените"
            " пароль{% if url %} по ссылке:\n{{ url }}{% else %}: на странице входа"
            " выберите «Забыли пароль?» и следуйте письму{% endif %}. Смена пароля"
            " завершит все открытые сеансы." + SIGNATURE_RU,
            short="Новый вход в QH {{ at }}{% if browser %}, {{ browser }}{% endif %}"
            "{% if ip %}, IP {{ ip }}{% endif %}. Не вы? Смените пароль.",
            action="Сменить пароль",
        ),
        "en": Copy(
            subject="New sign-in to your QH account",
            text=GREETING_EN + "\n\nYour QH account was just signed in to from a new device.\n\n"
            "When: {{ at }}\n"
            "Where (IP): {{ ip or 'unknown' }}\n"
            "Browser: {{ browser or 'unknown' }}\n\n"
            "If this was you, there is nothing to do. If it was not, change your password"
            ' now{% if url %}:\n{{ url }}{% else %}: on the sign-in page choose "Forgot'
            ' password?" and follow the e-mail{% endif %}. Changing it ends every open'
            " session." + SIGNATURE_EN,
            short="New sign-in to QH on {{ at }}{% if browser %}, {{ browser }}{% endif %}"
            "{% if ip %}, IP {{ ip }}{% endif %}. Not you? Change your password.",
            action="Change the password",
        ),
    },
}

# What each kind's templates are rendered with when an admin saves one (and in tests).
SAMPLES: dict[str, dict[str, str]] = {
    "welcome": {"name": "Анна Иванова", "url": "https://qh.example/"},
    "email_verification": {
        "name": "Анна Иванова",
        "url": "https://qh.example/api/v1/auth/verify-email?token=" + "x" * 43,
        "expires_at": "29 ноября 2026, 12:00 (Europe/Moscow)",
    },
    "password_reset": {
        "name": "Анна Иванова",
        "url": "https://qh.example/api/v1/auth/reset-password?token=" + "x" * 43,
        "expires_at": "27 ноября 2026, 13:00 (Europe/Moscow)",
    },
    "resume_ready": {
        "name": "Анна Иванова",
        "title": "Ведущий аналитик данных",
        "url": "https://qh.example/resumes/0190d3e0",
    },
    "cover_letter_ready": {
        "name": "Анна Иванова",
        "title": "Письмо в Яндекс",
        "url": "https://qh.example/cover-letters/0190d3e0",
    },
    "document_shared": {
        "name": "Анна Иванова",
        "title": "Резюме 2026",
        "url": "https://qh.example/documents/0190d3e0",
        "expires_at": "4 декабря 2026, 12:00 (Europe/Moscow)",
    },
    "document_opened": {
        "name": "Анна Иванова",
        "title": "Резюме 2026",
        "url": "https://qh.example/documents/0190d3e0",
        "accessed_at": "27 ноября 2026, 12:00 (Europe/Moscow)",
    },
    "analysis_completed": {
        "name": "Анна Иванова",
        "analysis": "match",
        "score": "82%",
        "url": "https://qh.example/analysis/0190d3e0",
    },
    "sign_in_alert": {
        "name": "Анна Иванова",
        "at": "1 декабря 2026, 12:30 (Europe/Moscow)",
        "ip": "203.0.113.7",
        "browser": "Firefox, Linux",
        "url": "",
    },
}
