"""Regenerate ``municipalities/data/province_shapes.json`` (outlines of the 81 provinces).

Source: the npm package ``turkey-map-react@2.0.5`` (MIT licence, (c) 2020 Erdi Gökçe), fetched
with ``npm pack`` into a temp dir (never installed). Its ``lib/data/index.js`` holds
``export var cities = [{"id", "plateNumber", "name", "path"}, ...]``: one SVG path per province.

What the script does:

1. Reads every ``{...}`` object with a ``plateNumber`` and a ``path`` from the data module.
2. Drops any shape not keyed to a plate code 1..81 (e.g. a Cyprus / KKTC shape; 2.0.5 has none).
3. Parses each path (M L H V C S Q T A Z, absolute and relative), rewrites it with absolute
   commands only and rounds the coordinates to one decimal. Shapes that share a plate code (e.g.
   an Istanbul split into its European and Asian sides) are merged into one path whose subpaths
   each start with an absolute ``M``; in 2.0.5 Istanbul is already a single three-subpath shape.
4. Computes the viewBox from the union bounding box of all the paths (exact extrema for Bézier
   curves, endpoints for arcs), padded by 1% of the width / height on every side.
5. Checks that exactly plates 1..81 are present and writes the JSON (UTF-8, sorted by plate).

Usage (Python 3.11, standard library only; needs ``npm`` unless a local tarball is given)::

    python scripts/build_province_shapes.py
    python scripts/build_province_shapes.py --npm-tarball turkey-map-react-2.0.5.tgz
    python scripts/build_province_shapes.py --check   # compare with the committed file only
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT = REPO_ROOT / "municipalities" / "data" / "province_shapes.json"

NPM_NAME = "turkey-map-react"
NPM_VERSION = "2.0.5"
NPM_SPEC = f"{NPM_NAME}@{NPM_VERSION}"
NPM_TARBALL_SHA256 = "b6157f7d0bb0c048c8d795f9d1bb63dafc71053d34a867d4fa9a36809c9732eb"
DATA_MEMBER = "package/lib/data/index.js"
SOURCE_NOTE = f"{NPM_NAME} {NPM_VERSION}, MIT licence"

PLATES = range(1, 82)
DECIMALS = 1
PADDING = 0.01

_OBJECT = re.compile(r"\{[^{}]*\}")
_PLATE = re.compile(r"""["']?plateNumber["']?\s*:\s*["']?(\d+)""")
_PATH = re.compile(r"""["']?path["']?\s*:\s*(["'])(.*?)\1""", re.S)
_ID = re.compile(r"""["']?id["']?\s*:\s*(["'])(.*?)\1""")
_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARITY = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}


class DataError(Exception):
    """Raised when the source data does not look as expected."""


# --------------------------------------------------------------------------- fetching the package


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def download_npm_tarball(tmp: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise DataError("npm is not on PATH (or pass --npm-tarball)")
    subprocess.run(
        [npm, "pack", NPM_SPEC, "--silent"], check=True, cwd=tmp, stdout=subprocess.DEVNULL
    )
    tarballs = sorted(tmp.glob("*.tgz"))
    if len(tarballs) != 1:
        raise DataError(f"expected one tarball from npm pack, got {[t.name for t in tarballs]}")
    return tarballs[0]


def read_data_module(tarball: Path) -> str:
    with tarfile.open(tarball, "r:gz") as archive:
        manifest = json.load(archive.extractfile("package/package.json"))
        if manifest.get("license") != "MIT":
            raise DataError(f"unexpected licence {manifest.get('license')!r}")
        if manifest.get("version") != NPM_VERSION:
            print(f"warning: tarball is version {manifest.get('version')}", file=sys.stderr)
        return archive.extractfile(DATA_MEMBER).read().decode("utf-8")


# --------------------------------------------------------------------------- path geometry


def parse_path(d: str) -> list[tuple[str, list[float]]]:
    """Parse a path string into absolute commands (M L H V C S Q T A Z)."""
    tokens = _TOKEN.findall(d)
    leftover = _TOKEN.sub("", d).replace(",", "").strip()
    if leftover:
        raise DataError(f"unparsed characters in path: {leftover[:40]!r}")
    out: list[tuple[str, list[float]]] = []
    x = y = start_x = start_y = 0.0
    i = 0
    command = ""
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
        elif not command:
            raise DataError("path does not start with a command")
        upper = command.upper()
        relative = command.islower()
        if upper == "Z":
            out.append(("Z", []))
            x, y = start_x, start_y
            command = ""
            continue
        arity = _ARITY[upper]
        chunk = tokens[i : i + arity]
        if len(chunk) != arity or any(t.isalpha() for t in chunk):
            raise DataError(f"command {command} needs {arity} numbers")
        args = [float(t) for t in chunk]
        i += arity
        if upper == "H":
            x = args[0] + (x if relative else 0.0)
            out.append(("H", [x]))
        elif upper == "V":
            y = args[0] + (y if relative else 0.0)
            out.append(("V", [y]))
        elif upper == "A":
            ex, ey = args[5], args[6]
            if relative:
                ex, ey = ex + x, ey + y
            out.append(("A", [*args[:5], ex, ey]))
            x, y = ex, ey
        else:
            if relative:
                args = [v + (x if k % 2 == 0 else y) for k, v in enumerate(args)]
            out.append((upper, args))
            x, y = args[-2], args[-1]
            if upper == "M":
                start_x, start_y = x, y
                command = "l" if relative else "L"  # further pairs are implicit lineto
    if not out or out[0][0] != "M":
        raise DataError("path does not start with a moveto")
    return out


def _cubic_extrema(p0: float, p1: float, p2: float, p3: float) -> list[float]:
    """Values of a cubic Bézier coordinate at its interior extrema."""
    a = -p0 + 3 * p1 - 3 * p2 + p3
    b = 2 * (p0 - 2 * p1 + p2)
    c = p1 - p0
    roots: list[float] = []
    if abs(a) < 1e-12:
        if abs(b) > 1e-12:
            roots.append(-c / b)
    else:
        disc = b * b - 4 * a * c
        if disc >= 0:
            sq = math.sqrt(disc)
            roots += [(-b + sq) / (2 * a), (-b - sq) / (2 * a)]
    values = []
    for t in roots:
        if 0 < t < 1:
            u = 1 - t
            values.append(u**3 * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t**3 * p3)
    return values


def bbox(commands: list[tuple[str, list[float]]]) -> tuple[float, float, float, float]:
    """Bounding box (min x, min y, max x, max y) of absolute commands; arcs by endpoints."""
    xs: list[float] = []
    ys: list[float] = []
    x = y = start_x = start_y = 0.0
    prev_ctrl: tuple[str, float, float] | None = None
    for name, args in commands:
        ctrl: tuple[str, float, float] | None = None
        if name == "Z":
            x, y = start_x, start_y
        elif name == "H":
            x = args[0]
        elif name == "V":
            y = args[0]
        elif name in ("M", "L", "A"):
            x, y = args[-2], args[-1]
            if name == "M":
                start_x, start_y = x, y
        else:
            if name in ("C", "S"):
                if name == "S":
                    reflect = prev_ctrl is not None and prev_ctrl[0] == "C"
                    c1 = (2 * x - prev_ctrl[1], 2 * y - prev_ctrl[2]) if reflect else (x, y)
                    pts = [c1, (args[0], args[1]), (args[2], args[3])]
                else:
                    pts = [(args[0], args[1]), (args[2], args[3]), (args[4], args[5])]
                ctrl = ("C", pts[1][0], pts[1][1])
            else:  # Q, T: elevate to a cubic
                if name == "T":
                    reflect = prev_ctrl is not None and prev_ctrl[0] == "Q"
                    q = (2 * x - prev_ctrl[1], 2 * y - prev_ctrl[2]) if reflect else (x, y)
                    end = (args[0], args[1])
                else:
                    q, end = (args[0], args[1]), (args[2], args[3])
                ctrl = ("Q", q[0], q[1])
                pts = [
                    (x + 2 / 3 * (q[0] - x), y + 2 / 3 * (q[1] - y)),
                    (end[0] + 2 / 3 * (q[0] - end[0]), end[1] + 2 / 3 * (q[1] - end[1])),
                    end,
                ]
            xs += _cubic_extrema(x, pts[0][0], pts[1][0], pts[2][0])
            ys += _cubic_extrema(y, pts[0][1], pts[1][1], pts[2][1])
            x, y = pts[2]
        prev_ctrl = ctrl
        xs.append(x)
        ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


def fmt(value: float) -> str:
    text = f"{value:.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def serialise(commands: list[tuple[str, list[float]]]) -> str:
    parts = []
    for name, args in commands:
        if name == "A":
            radii = f"{fmt(args[0])},{fmt(args[1])} {fmt(args[2])}"
            flags = f"{int(args[3])},{int(args[4])}"
            parts.append(f"A{radii} {flags} {fmt(args[5])},{fmt(args[6])}")
        elif name in ("H", "V", "Z"):
            parts.append(name + " ".join(fmt(v) for v in args))
        else:
            pairs = [f"{fmt(args[k])},{fmt(args[k + 1])}" for k in range(0, len(args), 2)]
            parts.append(name + " ".join(pairs))
    return "".join(parts)


# --------------------------------------------------------------------------- building


def extract_shapes(source: str) -> list[tuple[int, str, str]]:
    """(plate, id, path d) for every object in the data module that has a plate and a path."""
    shapes = []
    for match in _OBJECT.finditer(source):
        body = match.group(0)
        path = _PATH.search(body)
        if path is None:
            continue
        plate = _PLATE.search(body)
        ident = _ID.search(body)
        shapes.append(
            (
                int(plate.group(1)) if plate else 0,
                ident.group(2) if ident else "?",
                path.group(2),
            )
        )
    if not shapes:
        raise DataError("no shapes found in the data module")
    return shapes


def build(source: str) -> dict:
    merged: dict[int, list[tuple[str, list[float]]]] = {}
    for plate, ident, d in extract_shapes(source):
        if plate not in PLATES:
            print(f"dropped shape {ident!r} (plate {plate})", file=sys.stderr)
            continue
        if plate in merged:
            print(f"merged a second shape {ident!r} into plate {plate}", file=sys.stderr)
        merged.setdefault(plate, []).extend(parse_path(d))
    missing = [p for p in PLATES if p not in merged]
    if missing:
        raise DataError(f"plates without a shape: {missing}")

    boxes = [bbox(commands) for commands in merged.values()]
    min_x = min(b[0] for b in boxes)
    min_y = min(b[1] for b in boxes)
    max_x = max(b[2] for b in boxes)
    max_y = max(b[3] for b in boxes)
    pad_x = (max_x - min_x) * PADDING
    pad_y = (max_y - min_y) * PADDING
    left = math.floor((min_x - pad_x) * 10) / 10
    top = math.floor((min_y - pad_y) * 10) / 10
    width = math.ceil((max_x + pad_x - left) * 10) / 10
    height = math.ceil((max_y + pad_y - top) * 10) / 10
    return {
        "viewBox": " ".join(fmt(v) for v in (left, top, width, height)),
        "source": SOURCE_NOTE,
        "provinces": {str(p): serialise(merged[p]) for p in PLATES},
    }


def render(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--npm-tarball", type=Path, help="local copy of the npm tarball")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--no-verify-hashes", action="store_true")
    parser.add_argument("--check", action="store_true", help="only compare with --output")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tarball = args.npm_tarball or download_npm_tarball(Path(tmp))
            digest = sha256_of(tarball)
            if digest != NPM_TARBALL_SHA256:
                message = f"{tarball.name}: sha256 {digest} differs from the pinned one"
                if not args.no_verify_hashes:
                    raise DataError(message + " (use --no-verify-hashes to accept it)")
                print(f"warning: {message}", file=sys.stderr)
            text = render(build(read_data_module(tarball)))
    except (DataError, OSError, KeyError, subprocess.CalledProcessError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text.encode('utf-8')):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
