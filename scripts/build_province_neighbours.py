"""Derive which provinces border each other from the province outlines of the reports' map
(``municipalities/data/province_shapes.json``) and write
``cooperation/data/province_neighbours.csv``.

    python scripts/build_province_neighbours.py           # write the file
    python scripts/build_province_neighbours.py --check   # fail if the file is out of date

The outlines are a schematic map that leaves small gaps between neighbouring provinces, so two
provinces border each other when at least MIN_POINTS vertices of each lie within GAP map units
of a vertex of the other (a corner touching is not enough). Standard library only. How the
result was checked: ``cooperation/data/province_neighbours.README.md``.
"""

import argparse
import csv
import io
import json
import math
import re
import sys
from collections import defaultdict
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SHAPES = BASE_DIR / "municipalities" / "data" / "province_shapes.json"
OUTPUT = BASE_DIR / "cooperation" / "data" / "province_neighbours.csv"
GAP = 3.0
MIN_POINTS = 2
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def vertices(path: str) -> list[tuple[float, float]]:
    """Every coordinate pair of an SVG path of absolute commands (M, L, C, Z)."""
    numbers = [float(n) for n in NUMBER.findall(path)]
    return list(zip(numbers[0::2], numbers[1::2], strict=False))


def neighbours(shapes: dict[str, str]) -> set[tuple[int, int]]:
    points = {int(plate): vertices(path) for plate, path in shapes.items()}
    grid = defaultdict(list)
    for plate, pts in points.items():
        for x, y in pts:
            grid[(int(x // GAP), int(y // GAP))].append((plate, x, y))
    close = defaultdict(set)  # (plate, other) -> indexes of plate's vertices near other
    for plate, pts in points.items():
        for index, (x, y) in enumerate(pts):
            cx, cy = int(x // GAP), int(y // GAP)
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    for other, ox, oy in grid.get((cx + dx, cy + dy), ()):
                        if other != plate and math.dist((x, y), (ox, oy)) < GAP:
                            close[(plate, other)].add(index)
    return {
        (a, b)
        for (a, b), near in close.items()
        if a < b and len(near) >= MIN_POINTS and len(close.get((b, a), ())) >= MIN_POINTS
    }


def render(pairs) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["plate", "neighbour"])
    writer.writerows(sorted(pairs))
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    options = parser.parse_args()
    shapes = json.loads(SHAPES.read_text(encoding="utf-8"))["provinces"]
    text = render(neighbours(shapes))
    if options.check:
        if OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} is out of date", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"{OUTPUT}: {text.count(chr(10)) - 1} pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
