import json
from collections import Counter
from importlib import resources

import pytest

from qh.nlp import Skill, Taxonomy, taxonomy
from qh.nlp.taxonomy import DOMAINS, alias_key


@pytest.fixture(scope="module")
def raw() -> dict:
    return json.loads(resources.files("qh.nlp").joinpath("data/skills.json").read_text("utf-8"))


def test_file_integrity(raw: dict) -> None:
    skills = raw["skills"]
    assert len(skills) >= 800
    ids = [s["id"] for s in skills]
    assert len(ids) == len(set(ids))
    assert all(s["category"] in raw["categories"] for s in skills)
    assert set(DOMAINS) <= set(raw["categories"])
    owners: dict[tuple[str, ...], str] = {}
    for skill in skills:
        assert skill["name"] in skill["aliases"]
        assert set(skill.get("strict", [])) <= set(skill["aliases"])
        for alias in skill["aliases"]:
            key = alias_key(alias)
            assert key, alias
            assert owners.setdefault(key, skill["id"]) == skill["id"], (
                alias,
                owners[key],
                skill["id"],
            )
    known = set(ids)
    for skill in skills:
        assert set(skill.get("related", [])) <= known


def test_every_domain_has_thirty_skills(raw: dict) -> None:
    counts = Counter(s["category"] for s in raw["skills"])
    for domain in DOMAINS:
        assert counts[domain] >= 30, domain


def test_every_skill_has_russian_or_english_spellings(raw: dict) -> None:
    # Most skills carry both scripts; a brand name may legitimately be Latin only.
    both = sum(
        1
        for s in raw["skills"]
        if any(any("а" <= c.lower() <= "я" for c in a) for a in s["aliases"])
        and any(a.isascii() for a in s["aliases"])
    )
    assert both / len(raw["skills"]) > 0.6


def test_taxonomy_is_cached_and_typed() -> None:
    tx = taxonomy()
    assert tx is taxonomy()
    assert isinstance(tx, Taxonomy)
    assert isinstance(tx.skills[0], Skill)
    assert len(tx) == len(tx.skills)
    assert "it" in tx.categories


@pytest.mark.parametrize(
    ("name", "skill_id"),
    [
        ("JS", "javascript"),
        ("javascript", "javascript"),
        ("Postgres", "postgresql"),
        ("1С:Предприятие", "1c-enterprise"),
        ("1C", "1c-enterprise"),
        ("Эксель", "microsoft-excel"),
        ("Экселем", "microsoft-excel"),
        ("управление проектами", "project-management"),
        ("управлением проектами", "project-management"),
        ("К8s", "kubernetes"),
        ("Питон", "python"),
        ("бухучет", "accounting"),
        ("бухгалтерского учёта", "accounting"),
        ("Accounting", "accounting"),
    ],
)
def test_lookup_any_alias(name: str, skill_id: str) -> None:
    skill = taxonomy().lookup(name)
    assert skill is not None
    assert skill.id == skill_id


def test_get_and_canonical() -> None:
    tx = taxonomy()
    k8s = tx.get("kubernetes")
    assert k8s is not None
    assert k8s.category == "it"
    assert tx.canonical("кубер") == "Kubernetes"
    assert tx.canonical("no such skill at all") is None
    assert tx.get("nope") is None
