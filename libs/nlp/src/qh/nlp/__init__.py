"""QH Russian/English text tools: language, lemmas, skills, languages, experience, salary.

Nothing heavy happens at import: the morphology dictionaries, the taxonomy and the matcher's
index are built on first use and shared afterwards.
"""

from qh.nlp.experience import YearsRange, find_experience_years
from qh.nlp.language import Language, LanguageGuess, detect_language
from qh.nlp.matcher import SkillMatcher, SkillMention, find_skills
from qh.nlp.morph import lemma
from qh.nlp.proficiency import LanguageRequirement, Level, cefr_level, find_languages
from qh.nlp.salary import Salary, find_salary
from qh.nlp.taxonomy import Skill, Taxonomy, taxonomy
from qh.nlp.text import fold, normalize_text
from qh.nlp.tokens import Token, tokenize

__all__ = [
    "Language",
    "LanguageGuess",
    "LanguageRequirement",
    "Level",
    "Salary",
    "Skill",
    "SkillMatcher",
    "SkillMention",
    "Taxonomy",
    "Token",
    "YearsRange",
    "cefr_level",
    "detect_language",
    "find_experience_years",
    "find_languages",
    "find_salary",
    "find_skills",
    "fold",
    "lemma",
    "normalize_text",
    "taxonomy",
    "tokenize",
]
