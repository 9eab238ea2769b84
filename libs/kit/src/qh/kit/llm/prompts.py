"""Prompts are files inside the calling package, one per language.

``Prompts("qh.resume_generation", "prompts")`` reads ``prompts/<name>.<lang>.txt`` (the
user message) and, when present, ``prompts/<name>.system.<lang>.txt`` (the system
message). Templates are Jinja2 in a sandbox with ``StrictUndefined``: a variable the caller
forgot is an error, never an empty string in the prompt. The kit ships no product prompts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import msgspec
from jinja2 import StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class PromptNotFound(LookupError):
    """No prompt file for this name and language (a bug in the calling service)."""


class RenderedPrompt(msgspec.Struct, frozen=True):
    user: str
    system: str | None = None


class Prompts:
    def __init__(self, package: str, folder: str = "prompts") -> None:
        self.package, self.folder = package, folder
        self._env = SandboxedEnvironment(
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._cache: dict[str, Template] = {}

    def _root(self) -> Traversable:
        return resources.files(self.package).joinpath(self.folder)

    def _template(self, filename: str) -> Template | None:
        if (cached := self._cache.get(filename)) is not None:
            return cached
        path = self._root().joinpath(filename)
        if not path.is_file():
            return None
        template = self._env.from_string(path.read_text(encoding="utf-8"))
        self._cache[filename] = template
        return template

    def render(self, name: str, language: str, variables: Mapping[str, Any]) -> RenderedPrompt:
        if not _NAME.match(name) or language not in ("ru", "en"):
            raise PromptNotFound(f"bad prompt name {name!r} or language {language!r}")
        user = self._template(f"{name}.{language}.txt")
        if user is None:
            raise PromptNotFound(
                f"no prompt {self.folder}/{name}.{language}.txt in package {self.package}"
            )
        system = self._template(f"{name}.system.{language}.txt")
        values = dict(variables)
        return RenderedPrompt(
            user=user.render(values).strip(),
            system=system.render(values).strip() if system is not None else None,
        )

    def missing(self, names: Iterable[str], languages: Iterable[str] = ("ru", "en")) -> list[str]:
        """The prompt files among ``names`` × ``languages`` that do not exist (for a test)."""
        langs = list(languages)
        return [
            f"{name}.{lang}.txt"
            for name in names
            for lang in langs
            if not self._root().joinpath(f"{name}.{lang}.txt").is_file()
        ]
