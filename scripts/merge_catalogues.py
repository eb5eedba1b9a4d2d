"""Merge two versions of a translation catalogue entry by entry (for branches that both added
entries): ``python scripts/merge_catalogues.py OURS THEIRS OUT [BASE]``. An entry in both keeps
OURS' translation unless it is empty or fuzzy there, or — given the merge BASE — unless only
THEIRS changed it since the base (then THEIRS' wins; changed on both sides, OURS' wins and the
entry is listed). Afterwards run makemessages, which drops entries the sources no longer use."""

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


def text(entry):
    return (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())))


def main(ours_path, theirs_path, out_path, base_path=None) -> int:
    ours = polib.pofile(ours_path)
    theirs = polib.pofile(theirs_path)
    base = {key(e): text(e) for e in polib.pofile(base_path)} if base_path else {}
    index = {key(entry): entry for entry in ours}
    added = replaced = 0
    for entry in theirs:
        if entry.obsolete:
            continue
        mine = index.get(key(entry))
        if mine is None:
            ours.append(entry)
            added += 1
        elif (not translated(mine) and translated(entry)) or (
            key(entry) in base
            and text(mine) == base[key(entry)]
            and text(entry) != base[key(entry)]
            and translated(entry)
        ):
            mine.msgstr, mine.msgstr_plural, mine.flags = (
                entry.msgstr,
                entry.msgstr_plural,
                list(entry.flags),
            )
            replaced += 1
        elif (
            key(entry) in base
            and text(mine) != base[key(entry)]
            and text(entry) != base[key(entry)]
            and text(mine) != text(entry)
        ):
            print(f"changed on both sides, ours kept: {entry.msgid[:70]!r}")
    ours.save(out_path)
    print(f"{added} entries added, {replaced} translations taken from {theirs_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
