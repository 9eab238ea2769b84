"""Verb phrases for skill names built on an action noun, for the matcher's phrase pass.

A skill named by an action noun and its object ("inventory management", "управление
проектами", "candidate screening") is as often written as the verb and the object: "manage
inventory", "управлять проектами", "screen candidates". ``verb_paths`` gives the lemma-key
sequences of those verb phrases for one alias; ``verb_keys`` the base form(s) a word of the
text stands for when it is one of the listed verbs in any inflection.

The lists are closed on purpose: a verb too vague to name the skill with its object ("build
team" is not Team building, "do research") is not listed.
"""

from __future__ import annotations

from functools import cache

# English action noun -> verb base forms.
_EN_NOUN_VERB: dict[str, tuple[str, ...]] = {
    "management": ("manage",),
    "administration": ("administer",),
    "screening": ("screen",),
    "coordination": ("coordinate",),
    "reduction": ("reduce",),
    "processing": ("process",),
    "filling": ("fill",),
    "planning": ("plan",),
    "sourcing": ("source",),
    "onboarding": ("onboard",),
    "analysis": ("analyse", "analyze"),
    "preparation": ("prepare",),
    "reconciliation": ("reconcile",),
    "forecasting": ("forecast",),
    "budgeting": ("budget",),
    "scheduling": ("schedule",),
    "optimization": ("optimise", "optimize"),
    "optimisation": ("optimise", "optimize"),
    "reading": ("read",),
    "inspection": ("inspect",),
    "tracking": ("track",),
    "negotiation": ("negotiate",),
    "assessment": ("assess",),
    "evaluation": ("evaluate",),
    "maintenance": ("maintain",),
    "installation": ("install",),
    "configuration": ("configure",),
    "dispensing": ("dispense",),
    "gathering": ("gather",),
    "cutting": ("cut",),
    "welding": ("weld",),
    "prioritization": ("prioritise", "prioritize"),
    "prioritisation": ("prioritise", "prioritize"),
    "recruiting": ("recruit",),
    "recruitment": ("recruit",),
    "auditing": ("audit",),
}
# Verbs that double the final consonant before -ed/-ing, and irregular past forms.
_DOUBLING = frozenset({"plan", "cut"})
_IRREGULAR_PAST = {"read": "read", "cut": "cut"}

# Russian action noun -> verbs (both aspects where both are common).
_RU_NOUN_VERB: dict[str, tuple[str, ...]] = {
    "управление": ("управлять",),
    "планирование": ("планировать", "спланировать"),
    "ведение": ("вести",),
    "подготовка": ("готовить", "подготовить", "подготавливать"),
    "проведение": ("проводить", "провести"),
    "составление": ("составлять", "составить"),
    "разработка": ("разрабатывать", "разработать"),
    "настройка": ("настраивать", "настроить"),
    "администрирование": ("администрировать",),
    "тестирование": ("тестировать", "протестировать"),
    "сбор": ("собирать", "собрать"),
    "поиск": ("искать", "найти"),
    "подбор": ("подбирать", "подобрать"),
    "оформление": ("оформлять", "оформить"),
    "консультирование": ("консультировать", "проконсультировать"),
    "приёмка": ("принимать", "принять"),
    "приемка": ("принимать", "принять"),
    "проектирование": ("проектировать", "спроектировать"),
    "формирование": ("формировать", "сформировать"),
    "приоритизация": ("приоритизировать",),
    "внедрение": ("внедрять", "внедрить"),
    "оптимизация": ("оптимизировать",),
    "резка": ("резать",),
    "сопровождение": ("сопровождать",),
    "обслуживание": ("обслуживать",),
    "отпуск": ("отпускать", "отпустить"),
}


def _en_forms(base: str) -> tuple[str, ...]:
    """The inflected forms of a regular English verb: manage, manages, managed, managing."""
    third = base + ("es" if base.endswith(("s", "sh", "ch", "x", "z", "o")) else "s")
    if base in _DOUBLING:
        stem = base + base[-1]
    elif base.endswith("e") and not base.endswith("ee"):
        stem = base[:-1]
    else:
        stem = base
    past = _IRREGULAR_PAST.get(base, stem + "ed")
    return (base, third, past, stem + "ing")


@cache
def _en_verb_index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for bases in _EN_NOUN_VERB.values():
        for base in bases:
            for form in _en_forms(base):
                index.setdefault(form, set()).add(base)
    return {form: frozenset(bases) for form, bases in index.items()}


def verb_keys(folded: str) -> frozenset[str]:
    """The listed English verb bases ``folded`` is a form of (``managing`` → ``manage``)."""
    return _en_verb_index().get(folded, frozenset())


def verb_heads(key: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """For a folded alias key built on an action noun, (verbs, object words) in the order the
    verb phrase is written: English "inventory management" → (("manage",), ("inventory",)),
    Russian "управление проектами" → (("управлять",), ("проектами",)). None otherwise."""
    if len(key) < 2 or not all(k[0].isalnum() for k in key):
        return None
    if key[-1] in _EN_NOUN_VERB:
        return _EN_NOUN_VERB[key[-1]], key[:-1]
    if key[0] in _RU_NOUN_VERB:
        return _RU_NOUN_VERB[key[0]], key[1:]
    return None
