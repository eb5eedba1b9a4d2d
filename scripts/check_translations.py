"""Fail when a Turkish catalogue has untranslated or fuzzy entries (run after makemessages)."""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    problems = 0
    for po_path in sorted((ROOT / "locale").glob("tr/LC_MESSAGES/*.po")):
        catalogue = polib.pofile(str(po_path))
        for entry in catalogue.untranslated_entries() + catalogue.fuzzy_entries():
            print(f"{po_path.relative_to(ROOT)}: not translated: {entry.msgid!r}")
            problems += 1
    if problems:
        print(f"{problems} entries need a Turkish translation.")
        return 1
    print("Turkish catalogue complete.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
