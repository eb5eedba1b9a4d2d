"""Whom to call in an activation: the NGOs with an active protocol covering the affected area
first, then verified NGOs whose declared capabilities match the needs, nearest first (same
district → same province → same sub-region → a neighbouring province → further away).

The ranking is one SQL query with a LIMIT, whatever the number of NGOs; what each NGO declared is
read for the NGOs shown only. Neighbouring provinces come from
``cooperation/data/province_neighbours.csv`` (derived from the map's outlines, see its README).
"""

import csv
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cooperation.models import NGOCommitment, Protocol, ProtocolParty
from municipalities.models import Province
from ngos.models import NGO, Capability
from ngos.services.capabilities import capability_labels, capability_text
from portal.choices import HazardScope

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# The most NGOs a proposal lists (protocol partners and capability matches together).
PROPOSAL_LIMIT = 100

SAME_DISTRICT, SAME_PROVINCE, SAME_SUBREGION, NEIGHBOUR, FURTHER_AWAY = 0, 1, 2, 3, 4
DISTANCE_LABELS = {
    SAME_DISTRICT: _("Same district"),
    SAME_PROVINCE: _("Same province"),
    SAME_SUBREGION: _("Same sub-region"),
    NEIGHBOUR: _("Neighbouring province"),
    FURTHER_AWAY: _("Further away"),
}


@functools.cache
def province_neighbours() -> dict[int, frozenset[int]]:
    """Plate → the plates of the provinces bordering it."""
    found = defaultdict(set)
    with open(DATA_DIR / "province_neighbours.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            plate, other = int(row["plate"]), int(row["neighbour"])
            found[plate].add(other)
            found[other].add(plate)
    return {plate: frozenset(others) for plate, others in found.items()}


def neighbours_of(plates) -> set[int]:
    """The provinces bordering any of ``plates``, the plates themselves left out."""
    table = province_neighbours()
    return {other for plate in plates for other in table.get(plate, ())} - set(plates)


@dataclass
class Candidate:
    """One NGO the officer may call, with why it is proposed."""

    ngo: NGO
    rank: int
    protocol: Protocol | None = None
    capabilities: list = field(default_factory=list)
    commitments: list = field(default_factory=list)
    text_lines: list = field(default_factory=list)  # ``lines()``, filled by proposal_for

    @property
    def distance(self) -> str:
        return str(DISTANCE_LABELS[self.rank])

    @property
    def is_partner(self) -> bool:
        return self.protocol is not None

    def lines(self, labels) -> list[str]:
        """What the NGO declared and committed, as lines of text; ``labels`` are the choice
        labels of ``capability_labels()``, read once for the whole proposal (a hundred candidates'
        get_FOO_display calls took a fifth of the page's time)."""
        kinds, units = labels["kind"], labels["unit"]
        rows = [
            capability_text(c.kind, c.quantity, c.unit, c.hazard, labels) for c in self.capabilities
        ]
        for commitment in self.commitments:
            text = kinds.get(commitment.kind, commitment.kind)
            if commitment.quantity:
                text += f" {commitment.quantity} {units.get(commitment.unit, commitment.unit)}"
            if commitment.people:
                text += ", " + ngettext(
                    "%(count)s person", "%(count)s people", commitment.people
                ) % {"count": commitment.people}
            rows.append(gettext("Committed: %(commitment)s") % {"commitment": text})
        return rows


@dataclass
class Proposal:
    candidates: list[Candidate]
    kinds: list[str]
    called_count: int
    limit: int

    @property
    def partners(self):
        return [c for c in self.candidates if c.is_partner]

    @property
    def others(self):
        return [c for c in self.candidates if not c.is_partner]


def covering_protocols(plates):
    """Active protocols covering one of the provinces: through a district they cover, or (when
    they name no district) their municipality's province."""
    by_district = Protocol.districts.through.objects.filter(district__province__in=plates).values(
        "protocol_id"
    )
    return Protocol.objects.active().filter(
        Q(pk__in=by_district) | Q(municipality__province__in=plates, districts__isnull=True)
    )


def proposal_for(activation, *, limit=PROPOSAL_LIMIT) -> Proposal:
    """The NGOs to propose for the activation (those already called are left out), best first.

    Nine queries whatever the number of NGOs and protocols: the affected provinces and
    districts, the needs, the protocol partners with their protocols, the NGOs within reach,
    the ranking (LIMIT ``limit``), the shown NGOs' matching capabilities and protocol
    commitments, and the number already called.
    """
    affected = list(activation.provinces.values_list("plate", "subregion_id"))
    plates = [plate for plate, _sub in affected]
    subregions = {sub for _plate, sub in affected}
    districts = list(activation.districts.values_list("pk", flat=True))
    kinds = sorted(set(activation.needs.values_list("kind", flat=True)))
    near = neighbours_of(plates)
    hazards = [activation.hazard, HazardScope.ANY]

    covering = covering_protocols(plates)
    partner_of = {}  # the NGO's id: the covering protocol ending first
    for party in (
        ProtocolParty.objects.filter(protocol__in=covering)
        .select_related("protocol")
        .order_by("protocol__ends_on", "pk")
    ):
        partner_of.setdefault(party.ngo_id, party.protocol)

    matching = Capability.objects.filter(hazard__in=hazards)
    if kinds:
        matching = matching.filter(kind__in=kinds)
    # The NGOs with a matching capability within reach, read first as a list of ids: as a
    # subquery of the ranking, PostgreSQL ran it once per parallel worker over every NGO's row
    # (87 ms at national size); alone it is one pass over the matching capabilities.
    # Written as two id subqueries (the NGOs based within reach; the capabilities serving an
    # affected province) rather than joins, so that PostgreSQL reads the NGOs of the provinces
    # in reach from the (province, id) index instead of hashing all 100,000 NGOs: 36 → 4 ms.
    in_reach = Province.objects.filter(
        Q(plate__in=plates) | Q(subregion__in=subregions) | Q(plate__in=near)
    ).values("plate")
    serving = Capability.provinces.through.objects.filter(province__in=plates).values(
        "capability_id"
    )
    reachable = list(
        matching.filter(
            Q(ngo__in=NGO.objects.filter(province__in=in_reach).values("pk")) | Q(pk__in=serving)
        )
        .order_by()
        .values_list("ngo_id", flat=True)
        .distinct()
    )
    nearness = [When(district__in=districts, then=Value(SAME_DISTRICT))] if districts else []
    nearness += [
        When(province__in=plates, then=Value(SAME_PROVINCE)),
        When(province__subregion__in=subregions, then=Value(SAME_SUBREGION)),
        When(province__in=near, then=Value(NEIGHBOUR)),
    ]
    matched = matching.filter(ngo=OuterRef("pk")).order_by().values("ngo").annotate(n=Count("pk"))
    ranked = list(
        NGO.objects.filter(
            Q(pk__in=list(partner_of)) | Q(status=NGO.Status.VERIFIED, pk__in=reachable)
        )
        .exclude(pk__in=activation.calls.values("ngo_id"))
        .select_related("province", "district")
        # What the proposal shows of an NGO (templates/cooperation/activations/proposal.html).
        .only("name", "volunteers_count", "province__name", "district__name")
        .annotate(
            partner=Case(
                When(pk__in=list(partner_of), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            rank=Case(*nearness, default=Value(FURTHER_AWAY), output_field=IntegerField()),
            matched=Coalesce(Subquery(matched.values("n")), Value(0)),
        )
        .order_by("partner", "rank", "-matched", "name_sort", "pk")[:limit]
    )
    shown = [ngo.pk for ngo in ranked]
    capabilities = defaultdict(list)
    for capability in matching.filter(ngo__in=shown).order_by("kind", "pk"):
        capabilities[capability.ngo_id].append(capability)
    commitments = defaultdict(list)
    # Filtered by the covering protocols' subquery, not by a list of ids: an empty list would
    # skip the query, and the page's query count would depend on the data.
    for commitment in NGOCommitment.objects.filter(
        party__protocol__in=covering, party__ngo__in=shown
    ).select_related("party"):
        protocol = partner_of.get(commitment.party.ngo_id)
        if protocol is not None and protocol.pk == commitment.party.protocol_id:
            commitments[commitment.party.ngo_id].append(commitment)
    candidates = [
        Candidate(
            ngo=ngo,
            rank=ngo.rank,
            protocol=partner_of.get(ngo.pk),
            capabilities=capabilities[ngo.pk],
            commitments=commitments[ngo.pk],
        )
        for ngo in ranked
    ]
    labels = capability_labels()
    for candidate in candidates:
        candidate.text_lines = candidate.lines(labels)
    return Proposal(
        candidates=candidates,
        kinds=kinds,
        called_count=activation.calls.count(),
        limit=limit,
    )
