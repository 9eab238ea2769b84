"""Jinja2 pages from the package, one environment per language (the catalogue installed
with Jinja's i18n extension), autoescaped; static files read once and versioned by their
hash so browsers keep them."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from jinja2 import ChainableUndefined, Environment, PackageLoader, select_autoescape

from qh.web.i18n import LANGUAGES, formatters, translations

if TYPE_CHECKING:
    from qh.web.web import Visitor


@cache
def _static_bytes(name: str) -> bytes:
    return (resources.files("qh.web") / "static" / name).read_bytes()


_DEFAULTS: dict[str, Any] = {
    "notice": None,
    "message": None,
    "errors": {},
    "values": {},
    "expired": False,
    "shared": None,
    "imported": False,
    "report": None,
    "mode": "merge",
}


def _attr_of(name: str, item: dict[str, Any]) -> Any:
    return item.get(name)


class Renderer:
    def __init__(self) -> None:
        self.environments: dict[str, Environment] = {}
        for lang in LANGUAGES:
            environment = Environment(
                loader=PackageLoader("qh.web", "templates"),
                autoescape=select_autoescape(default=True, default_for_string=True),
                extensions=["jinja2.ext.i18n"],
                undefined=ChainableUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
                auto_reload=False,
            )
            environment.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
            environment.globals.update(formatters(lang))
            environment.globals["lang"] = lang
            environment.globals["static"] = self.static_url
            environment.filters["attr_of"] = _attr_of
            self.environments[lang] = environment

    def render(self, visitor: Visitor, template: str, values: dict[str, Any]) -> str:
        environment = self.environments[visitor.lang]
        values = {**_DEFAULTS, **values}
        return environment.get_template(template).render(v=visitor, **values)

    @staticmethod
    def static(name: str) -> bytes:
        return _static_bytes(name)

    @staticmethod
    @cache
    def static_url(name: str) -> str:
        digest = hashlib.sha256(_static_bytes(name)).hexdigest()[:12]
        return f"/static/{name}?v={digest}"


__all__ = ["Renderer"]
