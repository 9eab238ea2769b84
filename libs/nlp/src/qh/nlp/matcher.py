"""Find taxonomy skills in free text, with offsets into the text as given.

Four passes over one token stream: exact (folded token sequences in a trie), lemma (Russian
normal forms and stems, English plural strip, in a second trie), fuzzy (rapidfuzz over
same-first-letter, similar-length aliases written as names, e.g. ``Kubernetes`` or any Cyrillic
spelling, never plain lowercase English words, and only for words nothing else explained) and
phrase (a multi-word alias whose words stand in order with at most two other words between
them inside one clause, "source passive candidates", "планирование сроков и бюджета", and the
verb form of an action-noun alias, "manage inventory"). Overlaps among the first three go to the
longest match. Aliases that are also ordinary words are ``strict`` (see README).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, Literal

import msgspec
from rapidfuzz import process
from rapidfuzz.distance import OSA

from qh.nlp.language import is_common_english
from qh.nlp.morph import _KEEP_S, english_lemma, has_cyrillic, is_known_russian, match_keys
from qh.nlp.phrases import verb_heads, verb_keys
from qh.nlp.taxonomy import Skill, Taxonomy, alias_key, key_variants, taxonomy
from qh.nlp.text import match_view, original_span
from qh.nlp.tokens import scan

How = Literal["exact", "lemma", "fuzzy"]
_HOW_RANK = {"exact": 0, "lemma": 1, "fuzzy": 2}
_LEMMA_SCORE = 0.9
_PHRASE_SCORE = 0.85
_MAX_GAP = 2  # words between the words of a phrase, in all
_FUZZY_MIN_LEN = 6
_FUZZY_TWO_EDITS = 12
_END = ""  # trie key of the terminal list; no token is empty

# Tokens that may sit between two skills of one list ("R, Python", "C/C++", "SQL и R").
_LIST_SEPARATORS = frozenset({",", "/", ";", "|", "(", ")", "•", "·", "и", "или", "and", "or"})
# A one-letter alias (R, C) needs one of these right before or after it, or a list neighbour.
_CUE_BEFORE = frozenset(
    [
        "язык",
        "языка",
        "языке",
        "языком",
        "языки",
        "языков",
        "языках",
        "программирования",
        "language",
        "languages",
        "lang",
        "in",
        "на",
    ]
)
_CUE_AFTER = frozenset(
    [
        "language",
        "programming",
        "developer",
        "developers",
        "engineer",
        "programmer",
        "разработчик",
        "разработчика",
        "разработчиков",
        "программист",
        "программиста",
        "language's",
    ]
)
# "Go to", "Make sure", "Spring is": a strict alias opening a sentence before one of these is
# the English word, not the skill.
_FUNCTION_AFTER = frozenset(
    [
        "to",
        "ahead",
        "through",
        "for",
        "back",
        "beyond",
        "live",
        "on",
        "with",
        "further",
        "from",
        "into",
        "out",
        "up",
        "down",
        "over",
        "sure",
        "the",
        "a",
        "an",
        "it",
        "this",
        "that",
        "your",
        "our",
        "their",
        "is",
        "are",
        "was",
        "were",
        "will",
        "be",
        "by",
        "of",
        "away",
        "around",
    ]
)
# English derivational endings: a word with one is an ordinary word, never a typo of a name.
_EN_SUFFIXES = (
    "ing",
    "ings",
    "tion",
    "tions",
    "sion",
    "sions",
    "ment",
    "ments",
    "ness",
    "ity",
    "ities",
    "ance",
    "ence",
    "ship",
    "ism",
)
_SENTENCE_BREAKS = frozenset({".", "!", "?", ":", "•", "-", "*", "·"})


class SkillMention(msgspec.Struct, frozen=True):
    """``text == source[start:end]``; ``score`` is 1 for exact, 0.9 for lemma, below for fuzzy."""

    skill: Skill
    start: int
    end: int
    text: str
    how: How
    score: float


class _Alias(msgspec.Struct, frozen=True):
    skill: Skill
    alias: str
    strict: bool
    single_letter: bool


class _Phrase(msgspec.Struct, frozen=True):
    entry: _Alias
    verb: bool  # the verb form of an action-noun alias ("manage inventory")

    @property
    def skill(self) -> Skill:
        return self.entry.skill


class SkillMatcher:
    """An index over a taxonomy's aliases; build once and reuse (``find_skills`` does)."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._exact: dict[str, Any] = {}
        self._lemma: dict[str, Any] = {}
        self._fuzzy_alias: dict[str, _Alias] = {}
        self._phrase: dict[str, Any] = {}
        buckets: dict[tuple[str, int], list[str]] = {}
        for skill in taxonomy.skills:
            for alias in dict.fromkeys((skill.name, *skill.aliases)):
                key = alias_key(alias)
                if not key or (len(key[0]) == 1 and not key[0].isalnum()):
                    continue
                strict = alias in skill.strict
                entry = _Alias(skill, alias, strict, strict and len(alias) == 1)
                _insert(self._exact, key, entry)
                if strict:
                    continue
                for path in key_variants(key, limit=16):
                    _insert(self._lemma, path, entry)
                if len(key) >= 2 and all(k[0].isalnum() for k in key):
                    for path in key_variants(key, limit=16):
                        _insert(self._phrase, path, _Phrase(entry, verb=False))
                    heads = verb_heads(key)
                    if heads is not None:
                        verbs, objects = heads
                        for path in key_variants(objects, limit=16):
                            for verb in verbs:
                                _insert(self._phrase, (verb, *path), _Phrase(entry, verb=True))
                word = key[0]
                if (
                    len(key) == 1
                    and len(word) >= _FUZZY_MIN_LEN
                    and word.isalpha()
                    and (has_cyrillic(alias) or not alias.islower())
                    and not _english_word_like(word)
                    and self._fuzzy_alias.setdefault(word, entry) is entry
                ):
                    for length in range(len(word) - 2, len(word) + 3):
                        buckets.setdefault((word[0], length), []).append(word)
        self._buckets = buckets
        self._fuzzy_cache: dict[str, tuple[str, int] | None] = {}

    def find(self, text: str, *, fuzzy: bool = True) -> list[SkillMention]:
        view, offsets = match_view(text)
        keys, starts, ends, words = scan(view)
        n = len(keys)
        candidates: list[tuple[int, int, _Alias, How, float]] = []
        token_keys: list[frozenset[str] | None] = [None] * n

        def lemma_keys(j: int) -> frozenset[str]:
            found = token_keys[j]
            if found is None:
                found = match_keys(keys[j]) if words[j] else frozenset((keys[j],))
                token_keys[j] = found
            return found

        for i in range(n):
            if not words[i]:
                continue
            node = self._exact.get(keys[i])
            exact_ends: set[int] = set()
            j = i
            while node is not None:
                j += 1
                for entry in node.get(_END, ()):
                    if not entry.strict or self._strict_ok(
                        text, view, offsets, keys, starts, ends, words, i, j, entry
                    ):
                        candidates.append((i, j, entry, "exact", 1.0))
                        exact_ends.add(j)
                node = node.get(keys[j]) if j < n else None
            frontier = [c for k in lemma_keys(i) if (c := self._lemma.get(k)) is not None]
            j = i
            while frontier:
                j += 1
                if j not in exact_ends:
                    seen: set[str] = set()
                    for nd in frontier:
                        for entry in nd.get(_END, ()):
                            if entry.skill.id not in seen:
                                seen.add(entry.skill.id)
                                candidates.append((i, j, entry, "lemma", _LEMMA_SCORE))
                if j >= n:
                    break
                nxt = lemma_keys(j)
                frontier = [c for nd in frontier for k in nxt if (c := nd.get(k)) is not None]

        taken = [False] * n
        accepted: list[tuple[int, int, _Alias, How, float]] = []
        candidates.sort(
            key=lambda c: (c[0] - c[1], starts[c[0]] - ends[c[1] - 1], _HOW_RANK[c[3]], c[0])
        )
        for cand in candidates:
            i, j = cand[0], cand[1]
            if not any(taken[i:j]):
                taken[i:j] = [True] * (j - i)
                accepted.append(cand)

        owner = [-1] * n
        for idx, (i, j, entry, _, _) in enumerate(accepted):
            if not entry.single_letter:
                owner[i:j] = [idx] * (j - i)
        kept = []
        for cand in accepted:
            if cand[2].single_letter and not _listed(keys, words, owner, cand[0], cand[1]):
                for t in range(cand[0], cand[1]):
                    taken[t] = False
                continue
            kept.append(cand)

        if fuzzy:
            for i in range(n):
                if taken[i] or not words[i]:
                    continue
                hit = self._fuzzy_one(keys[i])
                if hit is not None:
                    alias, distance = hit
                    score = round(1 - distance / max(len(alias), len(keys[i])), 3)
                    kept.append((i, i + 1, self._fuzzy_alias[alias], "fuzzy", score))

        kept.extend(self._phrases(view, keys, starts, ends, words, kept, lemma_keys))
        kept.sort(key=lambda c: (c[0], c[1]))
        mentions = []
        for i, j, entry, how, score in kept:
            s, e = original_span(offsets, starts[i], ends[j - 1])
            mentions.append(SkillMention(entry.skill, s, e, text[s:e], how, score))
        return mentions

    def _phrases(
        self,
        view: str,
        keys: list[str],
        starts: list[int],
        ends: list[int],
        words: list[bool],
        kept: list[tuple[int, int, _Alias, How, float]],
        lemma_keys: Callable[[int], frozenset[str]],
    ) -> list[tuple[int, int, _Alias, How, float]]:
        """Multi-word aliases with other words between theirs, and verb forms of action-noun
        aliases. Such a phrase may enclose or share a word with one-word mentions ("Планирование
        сроков и бюджета" is Planning and Budgeting) but not with a multi-word one, nor with
        another phrase; the skill is not repeated where a mention of it lies inside."""
        n = len(keys)
        unit = [False] * n  # words of a multi-word (or fuzzy) mention
        for i, j, _, how, _ in kept:
            if j - i > 1 or how == "fuzzy":
                unit[i:j] = [True] * (j - i)

        def phrase_keys(j: int) -> frozenset[str]:
            return lemma_keys(j) | verb_keys(keys[j]) if words[j] else frozenset()

        def joined(a: int, b: int) -> bool:
            return "\n" not in view[ends[a] : starts[b]]

        found: list[tuple[int, int, int, int, _Phrase]] = []  # (-words, skips, i, j, phrase)
        for i in range(n):
            if not words[i] or unit[i]:
                continue
            # (trie node, next token, skipped words, alias words)
            stack = [(node, i + 1, 0, 1) for k in phrase_keys(i) if (node := self._phrase.get(k))]
            while stack:
                node, j, skips, size = stack.pop()
                for phrase in node.get(_END, ()):
                    if size >= 2 and (skips or phrase.verb):
                        found.append((-size, skips, i, j, phrase))
                if j >= n or not words[j] or not joined(j - 1, j):
                    continue
                if not unit[j]:
                    for k in phrase_keys(j):
                        child = node.get(k)
                        if child is not None:
                            stack.append((child, j + 1, skips, size + 1))
                if skips < _MAX_GAP and j + 1 < n:
                    stack.append((node, j + 1, skips + 1, size))
        found.sort(key=lambda f: (f[0], f[1], f[2]))
        claimed = [False] * n
        out: list[tuple[int, int, _Alias, How, float]] = []
        for _, _, i, j, phrase in found:
            if any(claimed[i:j]) or any(
                e.skill.id == phrase.skill.id and i <= a and b <= j for a, b, e, _, _ in kept
            ):
                continue
            claimed[i:j] = [True] * (j - i)
            out.append((i, j, phrase.entry, "lemma", _PHRASE_SCORE))
        return out

    def _fuzzy_one(self, word: str) -> tuple[str, int] | None:
        if word in self._fuzzy_cache:
            return self._fuzzy_cache[word]
        hit: tuple[str, int] | None = None
        choices = self._buckets.get((word[0], len(word)))
        if (
            choices
            and len(word) >= _FUZZY_MIN_LEN
            and word.isalpha()
            and not (has_cyrillic(word) and is_known_russian(word))
            and not _english_word_like(word, plural=False)
            and not is_common_english(word)
        ):
            max_edits = 1 if len(word) < _FUZZY_TWO_EDITS else 2
            found = process.extractOne(word, choices, scorer=OSA.distance, score_cutoff=max_edits)
            if found is not None and found[1] > 0:
                hit = (found[0], int(found[1]))
        if len(self._fuzzy_cache) > 100_000:
            self._fuzzy_cache.clear()
        self._fuzzy_cache[word] = hit
        return hit

    @staticmethod
    def _strict_ok(
        text: str,
        view: str,
        offsets: list[int] | None,
        keys: list[str],
        starts: list[int],
        ends: list[int],
        words: list[bool],
        i: int,
        j: int,
        entry: _Alias,
    ) -> bool:
        s, e = original_span(offsets, starts[i], ends[j - 1])
        written = text[s:e]
        exact_case = written == entry.alias
        if entry.single_letter:
            return exact_case
        if _acronym_like(entry.alias) and not exact_case and not written.isupper():
            return False  # SOLID, SAFe, BERT: "Solid", "safe", "Bert" are the words
        prev_word = next((keys[k] for k in range(i - 1, -1, -1) if words[k]), None)
        next_word = next((keys[k] for k in range(j, len(keys)) if words[k]), None)
        russian_context = any(w is not None and has_cyrillic(w) for w in (prev_word, next_word))
        if not exact_case and not russian_context:
            return False
        sentence_start = (
            i == 0 or keys[i - 1] in _SENTENCE_BREAKS or "\n" in view[ends[i - 1] : starts[i]]
        )
        return not (sentence_start and j < len(keys) and keys[j] in _FUNCTION_AFTER)


def _acronym_like(alias: str) -> bool:
    """Written with capitals past the first letter (``SOLID``, ``SAFe``, ``ADP``)."""
    return sum(c.isupper() for c in alias[1:]) > 0


def _english_word_like(word: str, *, plural: bool = True) -> bool:
    """An ordinary English word by its ending (``mentoring``, ``injections``; with ``plural``
    also ``patents``): as a fuzzy target or candidate it is a different word, not a typo."""
    if has_cyrillic(word) or word in _KEEP_S:
        return False
    return word.endswith(_EN_SUFFIXES) or (plural and english_lemma(word) != word)


def _insert(trie: dict[str, Any], key: tuple[str, ...], entry: _Alias | _Phrase) -> None:
    node = trie
    for k in key:
        node = node.setdefault(k, {})
    bucket = node.setdefault(_END, [])
    if all(e.skill.id != entry.skill.id for e in bucket):
        bucket.append(entry)


def _listed(keys: list[str], words: list[bool], owner: list[int], i: int, j: int) -> bool:
    """Whether a one-letter mention at tokens [i, j) is a list item or cued (``язык R``)."""
    if i > 0 and keys[i - 1] in _CUE_BEFORE:
        return True
    if j < len(keys) and keys[j] in _CUE_AFTER:
        return True
    if i > 1 and keys[i - 1] in _LIST_SEPARATORS and owner[i - 2] >= 0:
        return True
    return j + 1 < len(keys) and keys[j] in _LIST_SEPARATORS and owner[j + 1] >= 0


@cache
def default_matcher() -> SkillMatcher:
    """The matcher over the packaged taxonomy, built on first use."""
    return SkillMatcher(taxonomy())


def find_skills(text: str, *, fuzzy: bool = True) -> list[SkillMention]:
    """Skills of the packaged taxonomy mentioned in ``text``, sorted by start, non-overlapping."""
    return default_matcher().find(text, fuzzy=fuzzy)
