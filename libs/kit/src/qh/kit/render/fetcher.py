"""The only way a rendered document reaches a file: a WeasyPrint URL fetcher that serves
the packages' own assets (fonts, CSS, template images) and refuses everything else.

Assets live under one made-up origin, ``https://qh-assets.invalid/<root>/<path>`` (the
``.invalid`` top-level domain never resolves, RFC 2606), with each root a folder of a
package registered by name (``kit`` is the kit's fonts and base CSS, a service adds its
templates). ``file:``, ``http(s)`` to anywhere else, ``ftp:``, a path that climbs out of its
root or a file of a kind not listed is refused and counted; nothing is ever opened from the
network or the file system outside the roots. ``data:`` images (a photo the user uploaded)
are allowed when ``allow_data_images`` is true, PNG and JPEG only, at most 2 MiB.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSET_ORIGIN = "https://qh-assets.invalid/"
CONTENT_TYPES = {
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff2": "font/woff2",
    ".css": "text/css",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".jpg": "image/jpeg",
}
DATA_IMAGE_TYPES = ("image/png", "image/jpeg")
MAX_DATA_IMAGE = 2 * 1024 * 1024


class AssetRefused(ValueError):
    """A URL the renderer does not fetch."""


class AssetFetcher(URLFetcher):
    """Serve ``https://qh-assets.invalid/<root>/<path>`` from ``roots``; refuse the rest.

    ``served`` and ``refused`` list the URLs asked for (tests assert on them); the lists are
    bounded so a long-lived renderer does not grow.
    """

    KEEP = 200

    def __init__(self, roots: Mapping[str, Path], *, allow_data_images: bool = True) -> None:
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False)
        self.roots = {name: Path(path).resolve() for name, path in roots.items()}
        self.allow_data_images = allow_data_images
        self.served: list[str] = []
        self.refused: list[str] = []
        self.refused_total = 0
        self._lock = threading.Lock()

    def url(self, root: str, path: str = "") -> str:
        return f"{ASSET_ORIGIN}{root}/{path}"

    def _note(self, into: list[str], url: str) -> None:
        with self._lock:
            into.append(url[:300])
            del into[: -self.KEEP]
            if into is self.refused:
                self.refused_total += 1

    def _refuse(self, url: str, why: str) -> AssetRefused:
        self._note(self.refused, url)
        return AssetRefused(f"{why}: {url[:200]}")

    def resolve(self, url: str) -> Path:
        """The packaged file an asset URL names, or :class:`AssetRefused`."""
        if not url.startswith(ASSET_ORIGIN):
            raise self._refuse(url, "not a packaged asset")
        parts = urlsplit(url)
        if parts.query:
            raise self._refuse(url, "asset URLs take no query")
        root_name, _, rest = unquote(parts.path).lstrip("/").partition("/")
        root = self.roots.get(root_name)
        if root is None or not rest:
            raise self._refuse(url, "no such asset root")
        target = (root / rest).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            raise self._refuse(url, "no such asset")
        if target.suffix.lower() not in CONTENT_TYPES:
            raise self._refuse(url, "not an asset kind")
        return target

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return self._data(url)
        target = self.resolve(url)
        self._note(self.served, url)
        return URLFetcherResponse(
            url,
            target.read_bytes(),
            {"Content-Type": CONTENT_TYPES[target.suffix.lower()]},
        )

    def _data(self, url: str) -> URLFetcherResponse:
        head, _, payload = url.partition(",")
        media = head.removeprefix("data:").split(";")[0].lower()
        if not self.allow_data_images or media not in DATA_IMAGE_TYPES or ";base64" not in head:
            raise self._refuse(url, "not an allowed inline image")
        if len(payload) > MAX_DATA_IMAGE * 4 // 3 + 4:
            raise self._refuse(url, "inline image too large")
        try:
            body = base64.b64decode(payload, validate=True)
        except ValueError:
            raise self._refuse(url, "broken inline image") from None
        self._note(self.served, url)
        return URLFetcherResponse(url, body, {"Content-Type": media})


__all__ = ["ASSET_ORIGIN", "AssetFetcher", "AssetRefused"]
