"""What anyone may read, in one place for the JSON API (``api``) and the open-data files: the
reference geography with the municipalities' public contacts, verified NGOs (public fields
only), disaster capabilities in aggregate, programmes with their agenda and speakers, campaigns,
categories, and the public statistics with the small-group suppression of their page.

Each ``*_rows`` function turns rows into plain dicts (numbers, text, ISO 8601 dates with their
time zone), so that the API, the CSV files and the JSON files say exactly the same thing.
"""

from django.db.models import Count, Prefetch
from django.utils import timezone

from events.models import AgendaItem, Event
from municipalities.models import District, GeographicRegion, Municipality, Province, SubRegion
from ngos.models import NGO, ActivityField, Capability
from reports.services.statistics import MIN_GROUP, cached_statistics
from surveys.models import Campaign, Category


def iso(moment):
    """An aware date-time in ISO 8601 with its offset (Türkiye time), or None."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat()


# --- Geography ---------------------------------------------------------------------------------


def regions():
    """The 7 geographic regions, in their usual order."""
    return GeographicRegion.objects.order_by("order", "pk")


def region_row(region) -> dict:
    return {"code": region.code, "name": region.name}


def subregions():
    """The project's 17 sub-regions with their region and host province."""
    return SubRegion.objects.select_related("region").order_by("code")


def subregion_row(subregion) -> dict:
    return {
        "code": subregion.code,
        "name": subregion.name,
        "region": subregion.region.code,
        "host_province": subregion.host_province_id,
        "is_provisional": subregion.is_provisional,
    }


def provinces():
    """The 81 provinces, by plate code."""
    return Province.objects.select_related("region", "subregion").order_by("plate")


def province_row(province) -> dict:
    return {
        "plate": province.plate,
        "plate_code": province.plate_code,
        "name": province.name,
        "slug": province.slug,
        "region": province.region.code,
        "subregion": province.subregion.code,
        "nuts3": province.nuts3,
        "is_metropolitan": province.is_metropolitan,
    }


def districts():
    """The districts (ilçe) of every province."""
    return District.objects.order_by("code")


def district_row(district) -> dict:
    return {
        "code": district.code,
        "name": district.name,
        "province": district.province_id,
        "is_central": district.is_central,
        "postal_code": district.postal_code,
    }


def municipalities():
    """Every municipality with what its row shows (district, metropolitan municipality)."""
    return Municipality.objects.select_related("district").order_by("pk")


def municipality_row(municipality) -> dict:
    """A municipality and its public contacts (those its directory page shows to anyone)."""
    district = municipality.district
    return {
        "id": municipality.pk,
        "slug": municipality.slug,
        "name": municipality.name,
        "kind": municipality.kind,
        "province": municipality.province_id,
        "district": district.code if district else None,
        "district_name": district.name if district else None,
        "parent": municipality.parent_id,
        "website": municipality.website,
        "email": municipality.email,
        "phone": municipality.phone,
        "address": municipality.address,
        "ngo_unit": municipality.ngo_unit,
        "ngo_contact_name": municipality.ngo_contact_name,
        "ngo_contact_phone": municipality.ngo_contact_phone,
        "ngo_contact_email": municipality.ngo_contact_email,
        "contacts_updated_at": iso(municipality.contacts_updated_at),
    }


# --- NGOs and capabilities ----------------------------------------------------------------------


def ngos():
    """Verified NGOs only (pending, rejected and suspended ones are never public)."""
    return (
        NGO.objects.verified()
        .select_related("district")
        .prefetch_related(
            Prefetch("activity_fields", queryset=ActivityField.objects.order_by("order", "pk"))
        )
        .order_by("pk")
    )


def ngo_row(ngo) -> dict:
    """An NGO's public fields. Its e-mail, phone and address only when the NGO made them
    public (``contacts_public``), as on its directory page; never its people or their
    contacts."""
    public = ngo.contacts_public
    return {
        "id": ngo.pk,
        "slug": ngo.slug,
        "name": ngo.name,
        "legal_form": ngo.legal_form,
        "registry_number": ngo.registry_number,
        "founding_year": ngo.founding_year,
        "province": ngo.province_id,
        "district": ngo.district.code if ngo.district else None,
        "activity_fields": [field.code for field in ngo.activity_fields.all()],
        "members_count": ngo.members_count,
        "volunteers_count": ngo.volunteers_count,
        "website": ngo.website,
        "email": ngo.email if public else None,
        "phone": ngo.phone if public else None,
        "address": ngo.address if public else None,
        "description": ngo.description,
        "afad_accredited": ngo.afad_accredited,
        "afad_group": ngo.afad_group,
        "verified_at": iso(ngo.status_changed_at),
        "updated_at": iso(ngo.updated_at),
    }


CAPABILITY_ORDER = ("province_id", "capability__hazard", "capability__kind")


def capabilities():
    """Disaster capabilities of verified NGOs counted per province they can serve, hazard and
    kind: how many NGOs and how many declared capabilities. Aggregates only (no NGO is named),
    of organisations whose profiles are public anyway, so no group is suppressed."""
    through = Capability.provinces.through
    return (
        through.objects.filter(capability__ngo__status=NGO.Status.VERIFIED)
        .values(*CAPABILITY_ORDER)
        .annotate(
            ngos=Count("capability__ngo", distinct=True),
            capabilities=Count("capability", distinct=True),
        )
        .order_by(*CAPABILITY_ORDER)
    )


def capability_row(row) -> dict:
    return {
        "province": row["province_id"],
        "hazard": row["capability__hazard"],
        "kind": row["capability__kind"],
        "ngos": row["ngos"],
        "capabilities": row["capabilities"],
    }


# --- Programmes, campaigns, categories ------------------------------------------------------------


def programmes():
    """Every regional programme (cancelled ones say so) with its agenda and speakers."""
    return (
        Event.objects.public()
        .select_related("subregion", "campaign")
        .prefetch_related(
            "speakers",
            Prefetch(
                "agenda",
                queryset=AgendaItem.objects.prefetch_related("speakers").order_by(
                    "order", "starts_at", "pk"
                ),
            ),
        )
        .order_by("starts_at", "pk")
    )


def speaker_row(speaker) -> dict:
    return {
        "id": speaker.pk,
        "name": speaker.name,
        "position": speaker.position,
        "organisation": speaker.organisation,
    }


def programme_row(event, *, agenda=True) -> dict:
    """A programme; with its agenda and speakers unless ``agenda`` is False (the CSV file)."""
    row = {
        "id": event.pk,
        "slug": event.slug,
        "title": event.title,
        "state": event.state,
        "subregion": event.subregion.code,
        "host_province": event.host_province_id,
        "host_municipality": event.host_municipality_id,
        "venue": event.venue,
        "address": event.address,
        "starts_at": iso(event.starts_at),
        "ends_at": iso(event.ends_at),
        "registration_deadline": iso(event.registration_deadline),
        "capacity": event.capacity,
        "campaign": event.campaign.code if event.campaign else None,
        "description": event.description,
    }
    if agenda:
        row["speakers"] = [speaker_row(speaker) for speaker in event.speakers.all()]
        row["agenda"] = [
            {
                "time": item.starts_at.strftime("%H:%M"),
                "title": item.title,
                "speakers": [speaker.pk for speaker in item.speakers.all()],
            }
            for item in event.agenda.all()
        ]
    return row


def campaigns():
    """Every campaign, scheduled ones included (they are public announcements)."""
    return Campaign.objects.prefetch_related(
        Prefetch("subregions", queryset=SubRegion.objects.order_by("code"))
    ).order_by("-opens_at", "-pk")


def campaign_row(campaign) -> dict:
    return {
        "code": campaign.code,
        "title": campaign.title,
        "is_national": campaign.is_national,
        "subregions": [subregion.code for subregion in campaign.subregions.all()],
        "opens_at": iso(campaign.opens_at),
        "closes_at": iso(campaign.closes_at),
        "closed_early_at": iso(campaign.closed_early_at),
        "state": str(campaign.state),
        "instructions": campaign.instructions,
    }


def categories():
    """The categories of expectations, with their stable codes."""
    return Category.objects.select_related("theme").order_by("order", "name_sort", "pk")


def category_row(category) -> dict:
    return {
        "code": category.code,
        "name": category.name,
        "name_en": category.name_en,
        "theme": category.theme.code,
        "hazard": category.hazard,
        "phase": category.phase,
        "is_active": category.is_active,
    }


# --- Public statistics ----------------------------------------------------------------------------


def statistics_campaigns():
    """The campaigns the public statistics cover: those that have opened, newest first."""
    return Campaign.objects.filter(opens_at__lte=timezone.now()).order_by("-opens_at", "-pk")


def _group(group) -> dict:
    """A group's figures as the statistics page has them: what is not shown is None (it was
    never computed into the figures, see reports.services.statistics._group)."""
    return {
        "shown": group["shown"],
        "ngos": group["ngos"],
        "submitted": group["submitted"],
        "percent": round(group["percent"], 1) if group["percent"] is not None else None,
        "top_shown": group["top_shown"],
        "top": [
            {
                "code": row["code"],
                "name": row["name"],
                "name_en": row["name_en"],
                "score": row["score"],
                "mentions": row["mentions"],
            }
            for row in group["top"]
        ],
    }


def statistics(campaign) -> dict:
    """The public statistics of a campaign: the same cached figures as the statistics page,
    with the same suppression (no group of fewer than MIN_GROUP NGOs, none recoverable by
    subtraction from the national figure)."""
    figures = cached_statistics(campaign)
    return {
        "campaign": campaign.code,
        "min_group": MIN_GROUP,
        "computed_at": iso(figures["computed_at"]),
        "national": _group(figures["national"]),
        "subregions": [
            {"code": row["code"], "name": row["name"], **_group(row)}
            for row in figures["subregions"]
        ],
    }
