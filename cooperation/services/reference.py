"""Loading the TAMP working groups shipped in ``cooperation/data`` (sources in its README)."""

import csv
from pathlib import Path

from django.db import transaction

from cooperation.models import ServiceGroup

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@transaction.atomic
def service_groups_load(*, data_dir: Path | None = None) -> int:
    """Create the TAMP working groups that are missing (by code); returns how many.

    Idempotent; never changes or deletes an existing row, so administrators' edits (names,
    order, retiring a group) stay. Side effects: inserts into ``ServiceGroup``.
    """
    with open((data_dir or DATA_DIR) / "tamp_groups.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    existing = set(ServiceGroup.objects.values_list("code", flat=True))
    new = []
    for order, row in enumerate(rows, start=1):
        if row["code"] not in existing:
            group = ServiceGroup(code=row["code"], name=row["name"], name_en=row["name_en"])
            group.order = order
            group.set_name_keys()
            new.append(group)
    ServiceGroup.objects.bulk_create(new)
    return len(new)
