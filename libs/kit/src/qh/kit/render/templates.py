"""Document templates: a folder per design (``template.html``, ``style.css``,
``manifest.json``) under a service's package folder, found at start, no code per template.

The Jinja2 environment is a sandbox (no attribute access to internals, no ``import`` of
Python), autoescaping every value (a profile field holding ``<img src=…>`` is text), and its
loader reads only that folder (``FileSystemLoader`` refuses ``..``). A template gets the
document's data, the ``period``/``date`` filters in its language, ``t`` (the manifest's
words in the document's language) and ``styles``: the kit's fonts and the design's CSS,
inlined, with asset URLs pointing where the output is read (the PDF renderer's fetcher, or
the service's asset route for an HTML preview).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import msgspec
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from qh.kit.render.i18n import format_date, format_period

KIT_ASSETS = Path(__file__).parent
PageSize = Literal["A4", "Letter"]
PAGE_SIZES: tuple[PageSize, ...] = ("A4", "Letter")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_URL_IN_CSS = re.compile(r"url\(\s*(['\"]?)(?![a-z][a-z0-9+.-]*:)([^)'\"]+)\1\s*\)", re.I)


class TemplateManifest(msgspec.Struct, kw_only=True, frozen=True):
    """``manifest.json`` of a design."""

    title: dict[str, str]
    description: dict[str, str]
    languages: list[Literal["ru", "en"]] = msgspec.field(default_factory=lambda: ["ru", "en"])
    page_sizes: list[PageSize] = msgspec.field(default_factory=lambda: ["A4", "Letter"])
    one_page: bool = False
    photo: bool = True
    accent: str | None = None
    font: str = "PT Sans"
    words: dict[str, dict[str, str]] = msgspec.field(default_factory=dict)


class DocumentTemplate(msgspec.Struct, kw_only=True, frozen=True):
    name: str
    folder: Path
    manifest: TemplateManifest


class TemplateLibrary:
    """Every design under ``root`` (sub-folders with a ``manifest.json``; a folder whose
    name starts with ``_`` holds shared macros, not a design)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.templates: dict[str, DocumentTemplate] = {}
        for folder in sorted(self.root.iterdir()):
            manifest = folder / "manifest.json"
            if folder.name.startswith("_") or not manifest.is_file():
                continue
            if not _NAME.match(folder.name):
                raise ValueError(f"template folder name {folder.name!r} is not a slug")
            self.templates[folder.name] = DocumentTemplate(
                name=folder.name,
                folder=folder,
                manifest=msgspec.json.decode(manifest.read_bytes(), type=TemplateManifest),
            )
        self.env = ImmutableSandboxedEnvironment(
            loader=FileSystemLoader(self.root),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._kit_css = (KIT_ASSETS / "fonts.css").read_text(encoding="utf-8")
        self._css: dict[str, str] = {}

    def get(self, name: str) -> DocumentTemplate | None:
        return self.templates.get(name)

    def styles(self, template: DocumentTemplate, *, kit_base: str, template_base: str) -> Markup:
        """The kit's font faces and the design's CSS with relative ``url()`` made absolute
        (packaged CSS only: never user input)."""
        if template.name not in self._css:
            css = template.folder / "style.css"
            self._css[template.name] = css.read_text(encoding="utf-8") if css.is_file() else ""

        def absolute(css: str, base: str) -> str:
            return _URL_IN_CSS.sub(lambda m: f'url("{base}{m.group(2).strip()}")', css)

        return Markup(  # noqa: S704 - packaged CSS, not user input
            absolute(self._kit_css, kit_base)
            + "\n"
            + absolute(self._css[template.name], template_base)
        )

    def render(
        self,
        template: DocumentTemplate,
        data: Mapping[str, Any],
        *,
        language: str,
        page_size: PageSize = "A4",
        kit_base: str,
        template_base: str,
    ) -> str:
        words = {
            key: value.get(language, value.get("en", key))
            for key, value in template.manifest.words.items()
        }
        html = self.env.get_template(f"{template.name}/template.html")
        return html.render(
            **data,
            language=language,
            page_size=page_size,
            manifest=template.manifest,
            t=words,
            styles=self.styles(template, kit_base=kit_base, template_base=template_base),
            period=lambda start, end, short=False, current=True: format_period(
                start, end, language, short=short, current=current
            ),
            date=lambda value, short=False: format_date(value, language, short=short),
        )


__all__ = ["PAGE_SIZES", "DocumentTemplate", "PageSize", "TemplateLibrary", "TemplateManifest"]
