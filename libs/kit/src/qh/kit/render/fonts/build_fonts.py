"""Build the packaged fonts: PT Sans and PT Serif (ParaType, SIL OFL 1.1) from the
``@fontsource/pt-sans`` and ``@fontsource/pt-serif`` npm packages, whose WOFF2 files are cut
by script (latin, latin-ext, cyrillic). For each style the latin, latin-ext and cyrillic
files are merged into one font and subset ONCE, here, to what the templates print: Basic
Latin and Latin-1, Cyrillic (Russian, Ukrainian, Belarusian, Kazakh letters), general
punctuation, № and the currency signs ₽ € $ £. The result is a plain TTF that WeasyPrint
embeds whole, so no render subsets or compresses a font again.

Run from the repository root (needs npm and the render extra's fonttools[woff])::

    cd /tmp && npm pack @fontsource/pt-sans@5.3.0 @fontsource/pt-serif@5.3.0
    uv run python libs/kit/src/qh/kit/render/fonts/build_fonts.py /tmp

It rewrites ``*.ttf`` beside this script; ``OFL.txt`` is the fonts' licence.
"""

from __future__ import annotations

import sys
import tarfile
import tempfile
from pathlib import Path

from fontTools import subset
from fontTools.merge import Merger
from fontTools.ttLib import TTFont

HERE = Path(__file__).parent
FAMILIES = {"pt-sans": "PTSans", "pt-serif": "PTSerif"}
STYLES = {
    "400-normal": "Regular",
    "700-normal": "Bold",
    "400-italic": "Italic",
    "700-italic": "BoldItalic",
}
PIECES = ("latin", "latin-ext", "cyrillic")
UNICODES = [
    *range(0x20, 0x7F),  # Basic Latin
    *range(0xA0, 0x100),  # Latin-1 (« » © ° · é ü …)
    0x131,
    0x152,
    0x153,
    *range(0x400, 0x460),  # Cyrillic
    0x490,
    0x491,
    0x492,
    0x493,
    0x49A,
    0x49B,
    0x4A2,
    0x4A3,
    0x4AE,
    0x4AF,
    0x4B0,
    0x4B1,
    0x4BA,
    0x4BB,
    0x4D8,
    0x4D9,
    0x4E8,
    0x4E9,  # Ukrainian Ґ, Kazakh letters
    *range(0x2010, 0x2027),  # dashes, quotes, bullet, ellipsis
    0x2030,
    0x2032,
    0x2033,
    0x2039,
    0x203A,
    0x2044,
    0x20AC,
    0x20BD,
    0x20B4,
    0x20B8,  # € ₽ ₴ ₸
    0x2116,
    0x2122,
    0x2212,
    0x2192,
    0x25CF,
    0xFFFD,
]


def woff2_to_ttf(source: Path, target: Path) -> Path:
    font = TTFont(source)
    font.flavor = None
    font.save(target)
    return target


def build(npm_folder: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for package, family in FAMILIES.items():
            archive = next(npm_folder.glob(f"fontsource-{package}-*.tgz"))
            with tarfile.open(archive) as tar:
                tar.extractall(work / package, filter="data")
            files = work / package / "package" / "files"
            for style, style_name in STYLES.items():
                parts = [
                    woff2_to_ttf(
                        files / f"{package}-{piece}-{style}.woff2",
                        work / f"{package}-{piece}-{style}.ttf",
                    )
                    for piece in PIECES
                ]
                merged = Merger().merge([str(p) for p in parts])
                options = subset.Options()
                options.layout_features = ["kern", "liga", "locl", "mark", "mkmk", "ccmp"]
                options.name_IDs = ["*"]
                options.notdef_outline = True
                options.hinting = False  # PDFs are not hinted; smaller files
                options.desubroutinize = True
                subsetter = subset.Subsetter(options)
                subsetter.populate(unicodes=UNICODES)
                subsetter.subset(merged)
                out = HERE / f"{family}-{style_name}.ttf"
                merged.save(out)
                print(
                    f"{out.name}: {out.stat().st_size} bytes, {len(merged.getBestCmap())} characters"
                )


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
