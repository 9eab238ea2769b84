"""The skill taxonomy shipped with the package (``data/skills.json``)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import msgspec

from qh.nlp.morph import alias_match_keys, match_keys
from qh.nlp.text import fold
from qh.nlp.tokens import scan

#: The domains the taxonomy must cover, each with at least 30 skills.
DOMAINS: tuple[str, ...] = (
    "it",
    "data",
    "design",
    "marketing",
    "sales",
    "finance",
    "hr",
    "logistics",
    "healthcare",
    "education",
    "manufacturing",
    "soft_skills",
)


class Skill(msgspec.Struct, frozen=True):
    """One skill. ``aliases`` holds every spelling (the canonical name included), Russian and
    English; ``strict`` the aliases that are also ordinary words and match only under the rules
    in the README (``Go``, ``R``, ``Swift``)."""

    id: str
    name: str
    category: str
    aliases: tuple[str, ...]
    related: tuple[str, ...] = ()
    strict: tuple[str, ...] = ()


class _File(msgspec.Struct, frozen=True):
    version: int
    categories: dict[str, str]
    skills: list[Skill]


def alias_key(alias: str) -> tuple[str, ...]:
    """The folded token sequence an alias matches as (``CI/CD`` → ``("ci", "/", "cd")``)."""
    return tuple(scan(fold(alias))[0])


def key_variants(
    key: tuple[str, ...], limit: int = 64, *, alias: bool = True
) -> list[tuple[str, ...]]:
    """Every lemma-key sequence a folded token sequence can match as (bounded)."""
    keys_of = alias_match_keys if alias else match_keys
    paths: list[tuple[str, ...]] = [()]
    for k in key:
        options = sorted(keys_of(k)) if k[0].isalnum() else [k]
        paths = [(*p, o) for p in paths for o in options][:limit]
    return paths


class Taxonomy:
    """Skills by id and by any alias; ``lookup`` is case, ``ё`` and (Russian) inflection blind."""

    def __init__(self, skills: list[Skill], categories: dict[str, str]) -> None:
        self.skills = skills
        self.categories = categories
        self._by_id = {s.id: s for s in skills}
        self._by_alias: dict[tuple[str, ...], Skill] = {}
        for skill in skills:
            for alias in (skill.name, *skill.aliases):
                self._by_alias.setdefault(alias_key(alias), skill)
        self._by_lemma: dict[tuple[str, ...], Skill] | None = None

    def __len__(self) -> int:
        return len(self.skills)

    def get(self, skill_id: str) -> Skill | None:
        return self._by_id.get(skill_id)

    def lookup(self, name: str) -> Skill | None:
        """The skill one of whose aliases ``name`` is, exactly or inflected (``Экселем``)."""
        key = alias_key(name)
        found = self._by_alias.get(key)
        if found is not None or not key:
            return found
        if self._by_lemma is None:
            self._by_lemma = {}
            for skill in self.skills:
                for alias in skill.aliases:
                    if alias not in skill.strict:
                        for path in key_variants(alias_key(alias)):
                            self._by_lemma.setdefault(path, skill)
        for candidate in key_variants(key, alias=False):
            found = self._by_lemma.get(candidate)
            if found is not None:
                return found
        return None

    def canonical(self, name: str) -> str | None:
        """The canonical display name for any spelling, or None."""
        skill = self.lookup(name)
        return skill.name if skill is not None else None

    def in_category(self, category: str) -> list[Skill]:
        return [s for s in self.skills if s.category == category]


def load_taxonomy(data: bytes) -> Taxonomy:
    parsed = msgspec.json.decode(data, type=_File)
    return Taxonomy(parsed.skills, parsed.categories)


@cache
def taxonomy() -> Taxonomy:
    """The packaged taxonomy, loaded on first call and shared afterwards."""
    data = resources.files("qh.nlp").joinpath("data/skills.json").read_bytes()
    return load_taxonomy(data)
