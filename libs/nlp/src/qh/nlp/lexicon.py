"""Word lists for Russian and English text checks: stop words, action verbs, clichés,
filler, negative wording, sentiment cues, section headings and education levels.

Words are written in their dictionary form (``lemma`` of :mod:`qh.nlp.morph`); phrases as
folded text (lowercase, ``ё`` as ``е``). Every list is a frozenset or a tuple so it can be
shared freely.
"""

from __future__ import annotations

from typing import Literal


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


__all__ = [
    "ACTION_VERBS",
    "CLICHES",
    "EDUCATION_LEVELS",
    "FILLERS",
    "HEADINGS",
    "INFORMAL",
    "NEGATIVE_PHRASES",
    "NEGATIVE_WORDS",
    "POSITIVE_WORDS",
    "STOP_WORDS",
    "SectionKind",
    "heading_kind",
]

STOP_WORDS_EN = _set(
    """a about above after again against all also am an and any are aren as at be because
    been before being below between both but by can cannot could did do does doing down
    during each etc few for from further had has have having he her here hers herself him
    himself his how i if in into is it its itself just let me more most must my myself no nor
    not of off on once only or other ought our ours ourselves out over own per same she
    should so some such than that the their theirs them themselves then there these they
    this those through to too under until up upon us very via was we were what when where
    which while who whom why will with within without would you your yours yourself
    yourselves able ability strong good excellent great knowledge experience experienced
    understanding skill skills work working year years plus new well using use including
    include etc e.g i.e like one two three four five six seven eight nine ten least
    relevant related required requirement requirements preferred candidate role job team
    company successful responsibility responsibilities position looking seeking join
    ideal proficiency proficient familiarity familiar"""
)
STOP_WORDS_RU = _set(
    """а без более бы был была были было быть в вам вас весь во вот все всё всего вы где да
    даже для до его ее её если есть еще ещё же за здесь и из или им их к как какой когда
    кто ли либо между меня мне много может можно мой мы на над нам нас наш не него нее неё
    нет ни них но ну о об однако он она они оно от очень по под при с со так также такой
    там те тем то того тоже той только том тот ты у уже хотя чего чей чем что чтобы чье чья
    эта эти это этот я который свой наш ваш себя год лет опыт работа работать умение знание
    навык хороший отличный уверенный понимание требование обязанность задача кандидат
    компания команда наличие готовность возможность уровень плюс желательно необходимый
    также др т.д т.п т.е мочь иметь являться"""
)
STOP_WORDS = STOP_WORDS_EN | STOP_WORDS_RU

# Verbs a strong highlight starts with (lemmas). Russian: both aspects and the past tense
# forms' lemmas (pymorphy3 gives the infinitive).
ACTION_VERBS_EN = _set(
    """accelerate achieve acquire adapt administer advise align analyse analyze architect
    arrange assemble assess audit automate balance boost build calculate champion clarify
    coach collaborate complete compile conceive conduct consolidate construct consult
    contribute control convert coordinate create cut decrease define deliver deploy design
    detect develop devise diagnose direct discover double drive earn educate eliminate
    enable engineer enhance establish evaluate exceed execute expand expedite facilitate
    forecast formulate found generate grow guide halve handle identify implement improve
    increase influence initiate innovate inspect install instruct integrate introduce
    invent investigate launch lead lower maintain manage maximize measure mentor migrate
    minimize model modernize monitor motivate negotiate operate optimise optimize
    orchestrate organize organise originate overhaul oversee pilot pioneer plan prepare
    present prevent prioritize produce program promote propose prototype publish raise
    reach rebuild recruit redesign reduce refactor reengineer regulate reorganize repair
    replace research resolve restructure revamp review revitalize save scale schedule
    secure select ship simplify sell solve spearhead standardize streamline strengthen
    supervise support survey systematize teach test train transform translate triple
    troubleshoot tune unify upgrade win write"""
)
ACTION_VERBS_RU = _set(
    """автоматизировать адаптировать анализировать внедрить внедрять возглавить возглавлять
    вывести выводить выполнить выполнять выпустить выстроить выстраивать достигнуть
    достичь добиться довести доработать запустить запускать заключить завершить
    интегрировать инициировать исследовать контролировать координировать курировать
    масштабировать мигрировать модернизировать настроить настраивать наладить нанять
    обеспечить обеспечивать обучить обучать объединить оптимизировать организовать
    организовывать открыть отладить оценить перевести перенести переписать
    перестроить повысить повышать подготовить подготавливать построить построять
    провести проводить продать продвигать проектировать произвести разработать
    разрабатывать развернуть развить развивать реализовать реализовывать
    реорганизовать решить решать руководить сократить сокращать сопровождать составить
    создать создавать сформировать увеличить увеличивать ускорить ускорять улучшить
    улучшать управлять упростить усовершенствовать установить утвердить участвовать
    формировать спроектировать написать писать протестировать тестировать
    провести выиграть вести наставлять привлечь привлекать согласовать
    стандартизировать снизить снижать удвоить утроить обслуживать"""
)
ACTION_VERBS = ACTION_VERBS_EN | ACTION_VERBS_RU

# Clichés: (folded phrase, suggestion). Matched as whole words, any inflection of the last
# word is not attempted: the phrases are written as they usually appear.
CLICHES: tuple[tuple[str, str, str], ...] = (
    ("стрессоустойчивость", "ru", "опишите случай, когда вы справились с нагрузкой"),
    ("стрессоустойчивый", "ru", "опишите случай, когда вы справились с нагрузкой"),
    ("стрессоустойчива", "ru", "опишите случай, когда вы справились с нагрузкой"),
    ("коммуникабельность", "ru", "приведите пример переговоров или совместной работы"),
    ("коммуникабельный", "ru", "приведите пример переговоров или совместной работы"),
    ("коммуникабельна", "ru", "приведите пример переговоров или совместной работы"),
    ("ответственность", "ru", "покажите, за какой результат вы отвечали"),
    ("ответственный", "ru", "покажите, за какой результат вы отвечали"),
    ("ответственна", "ru", "покажите, за какой результат вы отвечали"),
    ("пунктуальность", "ru", "уберите: это ожидается от всех"),
    ("пунктуальный", "ru", "уберите: это ожидается от всех"),
    ("исполнительность", "ru", "назовите конкретный результат"),
    ("целеустремленность", "ru", "назовите цель, которой вы добились"),
    ("целеустремленный", "ru", "назовите цель, которой вы добились"),
    ("обучаемость", "ru", "назовите, что и как быстро вы освоили"),
    ("быстрая обучаемость", "ru", "назовите, что и как быстро вы освоили"),
    ("легко обучаем", "ru", "назовите, что и как быстро вы освоили"),
    ("умение работать в команде", "ru", "опишите вклад в общий результат команды"),
    ("работа в команде", "ru", "опишите вклад в общий результат команды"),
    ("командный игрок", "ru", "опишите вклад в общий результат команды"),
    ("нацеленность на результат", "ru", "приведите измеримый результат"),
    ("ориентация на результат", "ru", "приведите измеримый результат"),
    ("активная жизненная позиция", "ru", "уберите или замените фактом"),
    ("креативность", "ru", "приведите пример нестандартного решения"),
    ("креативный", "ru", "приведите пример нестандартного решения"),
    ("многозадачность", "ru", "опишите, какие задачи вы совмещали"),
    ("внимательность к деталям", "ru", "приведите пример, где это помогло"),
    ("внимание к деталям", "ru", "приведите пример, где это помогло"),
    ("без вредных привычек", "ru", "уберите: к работе это не относится"),
    ("team player", "en", "describe what you contributed to a team result"),
    ("hard-working", "en", "show the result of the work instead"),
    ("hardworking", "en", "show the result of the work instead"),
    ("hard worker", "en", "show the result of the work instead"),
    ("detail-oriented", "en", "give an example where this mattered"),
    ("detail oriented", "en", "give an example where this mattered"),
    ("attention to detail", "en", "give an example where this mattered"),
    ("results-driven", "en", "state a measurable result"),
    ("results driven", "en", "state a measurable result"),
    ("results-oriented", "en", "state a measurable result"),
    ("goal-oriented", "en", "name a goal you reached"),
    ("self-motivated", "en", "show initiative with an example"),
    ("self-starter", "en", "show initiative with an example"),
    ("go-getter", "en", "show initiative with an example"),
    ("think outside the box", "en", "describe the unusual solution"),
    ("thinking outside the box", "en", "describe the unusual solution"),
    ("out-of-the-box", "en", "describe the unusual solution"),
    ("synergy", "en", "say what was combined and what it gave"),
    ("dynamic", "en", "replace with a concrete fact"),
    ("passionate", "en", "show it with what you built or learned"),
    ("excellent communication skills", "en", "give an example of a negotiation or a talk"),
    ("strong communication skills", "en", "give an example of a negotiation or a talk"),
    ("proven track record", "en", "list the record itself: numbers, results"),
    ("best of breed", "en", "replace with a concrete fact"),
    ("go-to person", "en", "say what people came to you for"),
    ("fast learner", "en", "name what you learned and how fast"),
    ("quick learner", "en", "name what you learned and how fast"),
    ("works well under pressure", "en", "describe a deadline you met"),
    ("stress-resistant", "en", "describe a deadline you met"),
    ("responsible for", "en", "start with what you achieved, not what you were assigned"),
)

FILLERS: tuple[tuple[str, str], ...] = (
    ("very", "en"),
    ("really", "en"),
    ("basically", "en"),
    ("actually", "en"),
    ("literally", "en"),
    ("just", "en"),
    ("quite", "en"),
    ("somewhat", "en"),
    ("various", "en"),
    ("a lot of", "en"),
    ("kind of", "en"),
    ("sort of", "en"),
    ("in order to", "en"),
    ("очень", "ru"),
    ("как бы", "ru"),
    ("в принципе", "ru"),
    ("на самом деле", "ru"),
    ("в общем", "ru"),
    ("в целом", "ru"),
    ("достаточно", "ru"),
    ("так сказать", "ru"),
    ("собственно", "ru"),
    ("различные", "ru"),
    ("различных", "ru"),
    ("определенные", "ru"),
    ("определенных", "ru"),
    ("в том числе и", "ru"),
)

# Negative wording a resume or letter should not carry (folded phrases) with advice.
NEGATIVE_PHRASES: tuple[tuple[str, str, str], ...] = (
    ("unfortunately", "en", "state the fact without apologising"),
    ("failed", "en", "say what you learned or changed"),
    ("fired", "en", "leave the reason for the interview"),
    ("hated", "en", "describe what you prefer instead"),
    ("hate", "en", "describe what you prefer instead"),
    ("boring", "en", "describe what you prefer instead"),
    ("terrible", "en", "use neutral wording"),
    ("awful", "en", "use neutral wording"),
    ("toxic", "en", "use neutral wording"),
    ("incompetent", "en", "use neutral wording"),
    ("was not able", "en", "say what you did achieve"),
    ("wasn't able", "en", "say what you did achieve"),
    ("couldn't", "en", "say what you did achieve"),
    ("problems with", "en", "name the challenge and how you handled it"),
    ("к сожалению", "ru", "изложите факт без извинений"),
    ("не смог", "ru", "скажите, чего вы добились"),
    ("не смогла", "ru", "скажите, чего вы добились"),
    ("не удалось", "ru", "скажите, чего вы добились"),
    ("уволили", "ru", "причину лучше обсудить на собеседовании"),
    ("уволен", "ru", "причину лучше обсудить на собеседовании"),
    ("уволена", "ru", "причину лучше обсудить на собеседовании"),
    ("ненавижу", "ru", "опишите, что вам ближе"),
    ("скучно", "ru", "опишите, что вам ближе"),
    ("скучная", "ru", "опишите, что вам ближе"),
    ("ужасный", "ru", "используйте нейтральные слова"),
    ("ужасное", "ru", "используйте нейтральные слова"),
    ("токсичный", "ru", "используйте нейтральные слова"),
    ("некомпетентный", "ru", "используйте нейтральные слова"),
    ("некомпетентное", "ru", "используйте нейтральные слова"),
    ("проблемы с", "ru", "назовите задачу и как вы её решили"),
)

# Sentiment cues (lemmas). Negations flip the next cue.
POSITIVE_WORDS = _set(
    """achieve success successful successfully improve improved excellent great glad happy
    pleased excited enjoy love proud win award effective efficient growth grow
    opportunity thank thanks delighted passionate impressive best increase reliable
    достичь достижение успех успешный успешно улучшить отличный рад радостный доволен
    довольный нравиться любить гордиться победа победить награда эффективный рост расти
    возможность спасибо благодарить лучший увеличить надёжный надежный интересный
    вдохновлять вдохновить"""
)
NEGATIVE_WORDS = _set(
    """fail failure bad poor terrible awful hate unfortunately problem issue worse worst
    difficult boring angry sad lose loss toxic incompetent decline reject complain
    frustrating frustrated disappointed disappointing unhappy
    провал провалить плохой ужасный ненавидеть проблема хуже худший трудный скучный
    злой грустный потерять потеря токсичный некомпетентный снизиться отказать
    жаловаться разочарованный разочарование несчастный сожаление уволить"""
)
NEGATIONS = _set("not no never не нет никогда ни without без")

# Informal markers for formality (folded words).
INFORMAL = _set(
    """hey hi yo gonna wanna gotta guys cool awesome stuff lol btw ok okay kinda yeah yep
    nope dude привет пока круто классно клево прикольно норм ок ага кстати чувак ребята
    щас чё че типа вообще короче"""
)

SectionKind = Literal[
    "summary",
    "contacts",
    "experience",
    "education",
    "skills",
    "languages",
    "projects",
    "achievements",
    "certificates",
    "requirements",
    "optional",
    "responsibilities",
    "benefits",
    "about",
    "title",
    "other",
]

# Heading words (folded, without decoration) per section kind. Resume and vacancy headings
# share one table: a resume's "Skills" and a vacancy's "Required skills" both list skills.
HEADINGS: dict[str, SectionKind] = {
    # resume
    "summary": "summary",
    "profile": "summary",
    "professional summary": "summary",
    "about me": "summary",
    "objective": "summary",
    "о себе": "summary",
    "обо мне": "summary",
    "резюме": "summary",
    "цель": "summary",
    "профиль": "summary",
    "contacts": "contacts",
    "contact": "contacts",
    "contact information": "contacts",
    "personal information": "contacts",
    "personal details": "contacts",
    "контакты": "contacts",
    "контактная информация": "contacts",
    "личная информация": "contacts",
    "личные данные": "contacts",
    "experience": "experience",
    "work experience": "experience",
    "professional experience": "experience",
    "employment history": "experience",
    "work history": "experience",
    "career": "experience",
    "опыт работы": "experience",
    "опыт": "experience",
    "профессиональный опыт": "experience",
    "трудовая деятельность": "experience",
    "места работы": "experience",
    "education": "education",
    "образование": "education",
    "education and training": "education",
    "skills": "skills",
    "key skills": "skills",
    "technical skills": "skills",
    "core skills": "skills",
    "hard skills": "skills",
    "soft skills": "skills",
    "навыки": "skills",
    "ключевые навыки": "skills",
    "профессиональные навыки": "skills",
    "технические навыки": "skills",
    "компетенции": "skills",
    "languages": "languages",
    "языки": "languages",
    "знание языков": "languages",
    "иностранные языки": "languages",
    "projects": "projects",
    "проекты": "projects",
    "achievements": "achievements",
    "accomplishments": "achievements",
    "awards": "achievements",
    "достижения": "achievements",
    "награды": "achievements",
    "certificates": "certificates",
    "certifications": "certificates",
    "courses": "certificates",
    "сертификаты": "certificates",
    "курсы": "certificates",
    "повышение квалификации": "certificates",
    # vacancy
    "job title": "title",
    "position": "title",
    "должность": "title",
    "вакансия": "title",
    "requirements": "requirements",
    "required skills": "requirements",
    "required experience": "requirements",
    "qualifications": "requirements",
    "required qualifications": "requirements",
    "minimum qualifications": "requirements",
    "must have": "requirements",
    "what you need": "requirements",
    "what we expect": "requirements",
    "what we are looking for": "requirements",
    "who you are": "requirements",
    "you have": "requirements",
    "tech stack": "requirements",
    "stack": "requirements",
    "требования": "requirements",
    "требования к кандидату": "requirements",
    "мы ожидаем": "requirements",
    "что мы ждем": "requirements",
    "ожидания": "requirements",
    "что нужно": "requirements",
    "вам понадобится": "requirements",
    "стек": "requirements",
    "технологии": "requirements",
    "наш стек": "requirements",
    "nice to have": "optional",
    "preferred qualifications": "optional",
    "preferred": "optional",
    "bonus points": "optional",
    "a plus": "optional",
    "will be a plus": "optional",
    "будет плюсом": "optional",
    "будет преимуществом": "optional",
    "желательно": "optional",
    "приветствуется": "optional",
    "responsibilities": "responsibilities",
    "duties": "responsibilities",
    "what you will do": "responsibilities",
    "what you'll do": "responsibilities",
    "your role": "responsibilities",
    "the role": "responsibilities",
    "key responsibilities": "responsibilities",
    "обязанности": "responsibilities",
    "задачи": "responsibilities",
    "чем предстоит заниматься": "responsibilities",
    "что нужно делать": "responsibilities",
    "функционал": "responsibilities",
    "we offer": "benefits",
    "benefits": "benefits",
    "perks": "benefits",
    "what we offer": "benefits",
    "conditions": "benefits",
    "условия": "benefits",
    "мы предлагаем": "benefits",
    "что мы предлагаем": "benefits",
    "условия работы": "benefits",
    "about us": "about",
    "about the company": "about",
    "job summary": "about",
    "job description": "about",
    "description": "about",
    "о компании": "about",
    "о нас": "about",
    "описание": "about",
    "описание вакансии": "about",
}


def heading_kind(line: str) -> SectionKind | None:
    """The section a heading line opens, or None when the line is not a known heading.
    Decoration is ignored: ``## Required Skills``, ``ОПЫТ РАБОТЫ:``, ``Skills —``."""
    words = line.strip().strip("#*=_-—–:|. \t").strip()
    if not words or len(words) > 60:
        return None
    key = " ".join(words.casefold().replace("ё", "е").split())
    return HEADINGS.get(key)


# Education levels, ordered: a requirement is met by its level or a higher one.
# (folded phrase, level) with 1 secondary, 2 vocational, 3 higher/bachelor, 4 master, 5 PhD.
EDUCATION_LEVELS: tuple[tuple[str, int], ...] = (
    ("phd", 5),
    ("ph.d", 5),
    ("doctorate", 5),
    ("doctoral", 5),
    ("кандидат наук", 5),
    ("кандидат технических наук", 5),
    ("доктор наук", 5),
    ("аспирантура", 5),
    ("master", 4),
    ("masters", 4),
    ("msc", 4),
    ("m.sc", 4),
    ("mba", 4),
    ("магистр", 4),
    ("магистратура", 4),
    ("специалист", 3),
    ("специалитет", 3),
    ("bachelor", 3),
    ("bachelors", 3),
    ("bsc", 3),
    ("b.sc", 3),
    ("b.a", 3),
    ("degree", 3),
    ("university", 3),
    ("higher education", 3),
    ("высшее", 3),
    ("бакалавр", 3),
    ("бакалавриат", 3),
    ("университет", 3),
    ("институт", 3),
    ("вуз", 3),
    ("associate degree", 2),
    ("college", 2),
    ("vocational", 2),
    ("среднее специальное", 2),
    ("среднее профессиональное", 2),
    ("колледж", 2),
    ("техникум", 2),
    ("high school", 1),
    ("secondary", 1),
    ("ged", 1),
    ("среднее", 1),
    ("школа", 1),
)
