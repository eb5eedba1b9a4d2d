"""Merge two versions of a translation catalogue entry by entry (for branches that both added
entries): ``python scripts/merge_catalogues.py OURS THEIRS OUT``. An entry in both keeps OURS'
translation unless it is empty or fuzzy there; afterwards run makemessages, which drops entries
the sources no longer use."""

import sys

import polib


def key(entry):
    return (entry.msgctxt or "", entry.msgid)


def translated(entry) -> bool:
    if "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def main(ours_path, theirs_path, out_path) -> int:
    ours = polib.pofile(ours_path)
    theirs = polib.pofile(theirs_path)
    index = {key(entry): entry for entry in ours}
    added = replaced = 0
    for entry in theirs:
        if entry.obsolete:
            continue
        mine = index.get(key(entry))
        if mine is None:
            ours.append(entry)
            added += 1
        elif not translated(mine) and translated(entry):
            mine.msgstr, mine.msgstr_plural, mine.flags = (
                entry.msgstr,
                entry.msgstr_plural,
                list(entry.flags),
            )
            replaced += 1
    ours.save(out_path)
    print(f"{added} entries added, {replaced} translations taken from {theirs_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
