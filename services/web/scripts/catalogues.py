"""Rebuild the catalogues: extract the messages (Babel), keep the Russian translations
below, write ``locale/{ru,en}/LC_MESSAGES/messages.po`` and compile the ``.mo`` files.

    uv run python services/web/scripts/catalogues.py

A message without a Russian translation is listed and the run fails, so a new string
cannot ship untranslated."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent.parent
LOCALE = HERE / "src" / "qh" / "web" / "locale"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from ru import RU  # noqa: E402


def main() -> int:
    pot = Path(tempfile.mkdtemp()) / "messages.pot"
    subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(HERE / "babel.cfg"),
            "-k",
            "N_",
            "-k",
            "_",
            "-k",
            "gettext",
            "--no-location",
            "--sort-output",
            "--project",
            "qh-web",
            "-o",
            str(pot),
            str(HERE),
        ],
        check=True,
        cwd=HERE,
        capture_output=True,
    )
    missing = []
    for lang in ("ru", "en"):
        with pot.open("rb") as file:
            catalog = read_po(file, locale=lang)
        catalog.project, catalog.version = "qh-web", "0.1.0"
        for message in catalog:
            if not message.id:
                continue
            if lang == "ru":
                if message.id in RU:
                    message.string = RU[message.id]
                else:
                    missing.append(message.id)
            else:
                message.string = message.id
        folder = LOCALE / lang / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "messages.po").open("wb") as file:
            write_po(file, catalog, omit_header=False, no_location=True, width=100)
        with (folder / "messages.mo").open("wb") as file:
            write_mo(file, catalog)
    if missing:
        print("untranslated:", *missing, sep="\n  ")
        return 1
    print(f"{len(RU)} Russian messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
