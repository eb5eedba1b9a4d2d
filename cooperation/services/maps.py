"""The map on an activation's coordination board: the affected provinces, and the provinces the
called NGOs come from, on the 81-province map drawn by ``portal.charts`` (framed on them), with
a table of the same facts beside it (the map never carries meaning alone)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from municipalities.models import District, Province
from portal import charts
from portal.turkish import sort_key

# Dark red for the affected area (6.4:1 against white), the reports' middle blue for provinces
# that only send help; both stand apart from the grey of the others in greyscale too.
AFFECTED = "#b02a37"
HELPING = charts.PALETTE[1]


@dataclass
class MapRow:
    """One province of the table beside the map."""

    plate: int
    name: str
    affected: bool
    districts: list
    called: int


@dataclass
class BoardMap:
    svg: str
    legend: list
    rows: list


def board_map(activation, calls) -> BoardMap:
    """The map and its table for an activation; ``calls`` are the board's calls (with their
    NGO's province loaded). Three queries whatever the size: the provinces, the affected
    provinces, the affected districts."""
    names = dict(Province.objects.order_by().values_list("plate", "name"))
    affected = set(activation.provinces.order_by().values_list("plate", flat=True))
    districts: dict[int, list] = {}
    for province, name in (
        District.objects.filter(activations=activation)
        .order_by("name_sort", "pk")
        .values_list("province_id", "name")
    ):
        districts.setdefault(province, []).append(name)
        affected.add(province)
    called: dict[int, int] = {}
    for call in calls:
        called[call.ngo.province_id] = called.get(call.ngo.province_id, 0) + 1
    provinces = []
    for plate, name in names.items():
        if plate in affected:
            fill = AFFECTED
            text = _("affected area")
        elif plate in called:
            fill = HELPING
            text = _("called NGOs: %(count)s") % {"count": called[plate]}
        else:
            fill, text = charts.OUT_OF_SCOPE, _("not involved")
        provinces.append(
            {"plate": plate, "name": name, "fill": fill, "value_text": text, "href": None}
        )
    svg = charts.province_map(
        title=_("Map of the activation: %(title)s") % {"title": activation.title},
        description=_(
            "The affected provinces are dark red, the provinces the called NGOs come from are "
            "blue, the others grey. The table beside the map lists the same provinces, with the "
            "affected districts and the number of NGOs called from each."
        ),
        provinces=provinces,
        view_box=charts.view_box_of(sorted(affected | set(called))),
        only_in_view=True,
    )
    legend = [
        (AFFECTED, _("Affected area")),
        (HELPING, _("Called NGOs come from here")),
        (charts.OUT_OF_SCOPE, _("Not involved")),
    ]
    rows = [
        MapRow(
            plate=plate,
            name=names.get(plate, str(plate)),
            affected=plate in affected,
            districts=districts.get(plate, []),
            called=called.get(plate, 0),
        )
        for plate in sorted(
            affected | set(called), key=lambda p: (p not in affected, sort_key(names.get(p, "")))
        )
    ]
    return BoardMap(svg=svg, legend=legend, rows=rows)
