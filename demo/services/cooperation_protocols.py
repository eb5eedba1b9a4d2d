"""Demo cooperation protocols of Erzurum Büyükşehir Belediyesi (issue 16): three in force with
three NGOs (``ngo@demo.test``'s NGO among them, its protocol ending within 30 days) and a draft.

Idempotent: each protocol is looked up by its municipality and title before it is created.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from cooperation.models import MunicipalCommitment, NGOCommitment, Protocol, ProtocolParty
from municipalities.models import District, Municipality
from ngos.models import NGO, Membership
from portal.models import User

# (title, NGO, status, days until the end, hazards, phases, districts, subject,
#  the NGO's commitments (kind, quantity, unit, people), the municipality's commitments)
PROTOCOLS = [
    (
        "Deprem hazırlığında mahalle gönüllüleri protokolü",
        "Erzurum Dadaşlar Dayanışma Derneği",
        "active",
        21,
        ["earthquake"],
        ["preparedness", "response"],
        ["Yakutiye"],
        "Yakutiye'de toplanma alanlarının tanıtımı, mahalle gönüllülerinin deprem hazırlık "
        "eğitimleri ve afet anında toplanma alanlarında gönüllü desteği.",
        [("volunteers", 40, "people", 40), ("food_water", 500, "meals_per_day", 12)],
        ["Eğitim salonu ve eğitmen desteği", "Toplanma alanlarında tabela ve aydınlatma"],
    ),
    (
        "Arama kurtarma iş birliği protokolü",
        "Palandöken Arama Kurtarma Derneği",
        "active",
        330,
        ["earthquake", "other"],
        ["preparedness", "response"],
        ["Palandöken", "Yakutiye", "Aziziye"],
        "Deprem ve çığ olaylarında arama kurtarma ekiplerinin belediye ekipleriyle birlikte "
        "sahaya çıkması, ortak tatbikatlar.",
        [("search_rescue", 3, "teams", 24)],
        ["Ekipman deposu tahsisi", "Yılda iki ortak tatbikat"],
    ),
    (
        "Afet sonrası psikososyal destek protokolü",
        "Oltu Kültür ve Dayanışma Derneği",
        "active",
        540,
        ["earthquake", "flood"],
        ["response", "recovery"],
        ["Oltu"],
        "Afet sonrasında geçici barınma alanlarında çocuklara ve ailelere psikososyal destek.",
        [("psychosocial", 8, "people", 8)],
        ["Geçici barınma alanlarında etkinlik çadırı"],
    ),
    (
        "Sel riskine karşı erişilebilir tahliye planı",
        "Erzurum Engelsiz Yaşam Vakfı",
        "draft",
        365,
        ["flood"],
        ["risk_reduction", "preparedness"],
        ["Aziziye"],
        "Engelli bireylerin sel riskli alanlardan tahliyesi için erişilebilir plan ve ulaşım.",
        [("logistics", 2, "vehicles", 4)],
        ["Erişilebilir araç ve şoför desteği"],
    ),
]


@transaction.atomic
def seed_protocols(*, log=print):
    """Erzurum BB's cooperation protocols: three in force, one a draft."""
    log("· Cooperation protocols of Erzurum Büyükşehir Belediyesi")
    erzurum_bb = Municipality.objects.get(province=25, kind=Municipality.Kind.METROPOLITAN)
    author = User.objects.filter(email="colleague@demo.test").first()
    today = timezone.localdate()
    now = timezone.now()
    for (
        title,
        ngo_name,
        status,
        days_left,
        hazards,
        phases,
        districts,
        subject,
        ngo_commitments,
        municipal_commitments,
    ) in PROTOCOLS:
        if Protocol.objects.filter(municipality=erzurum_bb, title=title).exists():
            continue
        ngo = NGO.objects.get(name=ngo_name)
        ends_on = today + datetime.timedelta(days=days_left)
        protocol = Protocol(
            municipality=erzurum_bb,
            title=title,
            subject=subject,
            starts_on=ends_on - datetime.timedelta(days=730) if status == "active" else today,
            ends_on=ends_on,
            status=status,
            created_by=author,
        )
        protocol.hazards, protocol.phases = hazards, phases
        if status == "active":
            protocol.proposed_at = now - datetime.timedelta(days=60)
            protocol.activated_at = now - datetime.timedelta(days=45)
        protocol.save()
        protocol.districts.set(District.objects.filter(province=25, name__in=districts))
        admin = (
            Membership.objects.filter(ngo=ngo, role=Membership.Role.ADMIN)
            .select_related("user")
            .first()
        )
        party = ProtocolParty.objects.create(
            protocol=protocol,
            ngo=ngo,
            accepted_at=protocol.activated_at,
            accepted_by=admin.user if admin and protocol.activated_at else None,
        )
        capabilities = {c.kind: c for c in ngo.capabilities.all()}
        NGOCommitment.objects.bulk_create(
            NGOCommitment(
                party=party,
                capability=capabilities.get(kind),
                kind=kind,
                quantity=quantity,
                unit=unit,
                people=people,
            )
            for kind, quantity, unit, people in ngo_commitments
        )
        MunicipalCommitment.objects.bulk_create(
            MunicipalCommitment(protocol=protocol, text=text, order=order)
            for order, text in enumerate(municipal_commitments, start=1)
        )


# --- national scale (``seed_demo --scale national``) ----------------------------------------------

# One protocol for about this many verified NGOs that work with a municipality.
NGOS_PER_PROTOCOL = 20
# (status, weight)
NATIONAL_STATUSES = [("active", 70), ("proposed", 10), ("draft", 10), ("expired", 10)]
NATIONAL_TOPICS = [
    ("Deprem hazırlığı iş birliği protokolü", ["earthquake"], "search_rescue", "teams"),
    ("Sel ve su baskınlarına karşı iş birliği", ["flood"], "logistics", "vehicles"),
    ("Orman yangınlarında gönüllü desteği", ["fire"], "volunteers", "people"),
    ("Kuraklıkta su ve gıda desteği", ["drought"], "food_water", "litres_per_day"),
    ("Afet sonrası psikososyal destek", ["earthquake", "flood"], "psychosocial", "people"),
]


def national_protocol_dates(rng, status, today):
    """(starts_on, ends_on) of a generated protocol: started 30–700 days ago; an expired one
    ended after it started (the constraint protocol_ends_after_start) and before today, the
    others end 5–900 days from today."""
    started_days_ago = rng.randint(30, 700)
    starts_on = today - datetime.timedelta(days=started_days_ago)
    if status == "expired":
        return starts_on, today - datetime.timedelta(
            days=rng.randint(1, min(60, started_days_ago - 1))
        )
    return starts_on, today + datetime.timedelta(days=rng.randint(5, 900))


def seed_national_protocols(rng, *, counts, geo, password, log):
    """Cooperation protocols in proportion: one per 20 verified NGOs with a municipality."""
    from demo.services.national import _insert, _next_id, _progress, _reset_sequences

    erzurum_bb = Municipality.objects.get(province=25, kind=Municipality.Kind.METROPOLITAN)
    if Protocol.objects.exclude(municipality=erzurum_bb).exists():
        _progress(log, "protocols present, skipped")
        return
    ngos = list(
        NGO.objects.verified()
        .filter(municipality__isnull=False)
        .order_by("pk")
        .values_list("pk", "municipality_id", "name")
    )
    chosen = rng.sample(ngos, len(ngos) // NGOS_PER_PROTOCOL)
    now = timezone.now()
    today = timezone.localdate()
    statuses = [s for s, _w in NATIONAL_STATUSES]
    weights = [w for _s, w in NATIONAL_STATUSES]
    protocols, parties, commitments = [], [], []
    protocol_id, party_id = _next_id(Protocol), _next_id(ProtocolParty)
    commitment_id = _next_id(NGOCommitment)
    for ngo_id, municipality_id, ngo_name in chosen:
        status = rng.choices(statuses, weights)[0]
        title, hazards, kind, unit = rng.choice(NATIONAL_TOPICS)
        starts_on, ends_on = national_protocol_dates(rng, status, today)
        created = now - datetime.timedelta(days=rng.randint(1, 800))
        protocol = Protocol(
            pk=protocol_id,
            municipality_id=municipality_id,
            title=f"{title} ({ngo_name})"[:200],
            subject=f"{title}: belediye ile {ngo_name} arasında afet iş birliği.",
            starts_on=starts_on,
            ends_on=ends_on,
            status=status,
            proposed_at=None if status == "draft" else created,
            activated_at=created if status in ("active", "expired") else None,
            ended_at=now if status == "expired" else None,
            created_at=created,
            updated_at=created,
        )
        protocol.hazards = hazards
        protocol.phases = ["preparedness", "response"]
        protocols.append(protocol)
        accepted = created if status in ("active", "expired") else None
        parties.append(
            ProtocolParty(
                pk=party_id,
                protocol_id=protocol_id,
                ngo_id=ngo_id,
                accepted_at=accepted,
                created_at=created,
            )
        )
        commitments.append(
            NGOCommitment(
                pk=commitment_id,
                party_id=party_id,
                kind=kind,
                quantity=rng.randint(1, 50),
                unit=unit,
                people=rng.randint(2, 60),
            )
        )
        protocol_id, party_id, commitment_id = protocol_id + 1, party_id + 1, commitment_id + 1
    _insert(Protocol, protocols)
    _insert(ProtocolParty, parties)
    _insert(NGOCommitment, commitments)
    _reset_sequences(Protocol, ProtocolParty, NGOCommitment)
    _progress(log, f"{len(protocols):,} protocols with {len(parties):,} NGO parties")
