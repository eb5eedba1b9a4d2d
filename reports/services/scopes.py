"""The places whose reports a user may read: every place for national coordinators and site
administrators, the places of their sub-regions for regional coordinators. The report pages
and the API's report endpoints fetch a sub-region, province or municipality through these, so
that one outside the user's scope is a 404."""

from municipalities.models import Municipality, Province, SubRegion


def nationwide(roles) -> bool:
    """Whether the user reads every place's reports (and the nation's)."""
    return roles.is_national_coordinator or roles.is_site_admin


def readable_subregions(roles):
    subregions = SubRegion.objects.all()
    return subregions if nationwide(roles) else subregions.filter(pk__in=roles.subregion_ids)


def readable_provinces(roles):
    provinces = Province.objects.select_related("subregion")
    if nationwide(roles):
        return provinces
    return provinces.filter(subregion__in=roles.subregion_ids)


def readable_municipalities(roles):
    municipalities = Municipality.objects.select_related("province")
    if nationwide(roles):
        return municipalities
    return municipalities.filter(province__subregion__in=roles.subregion_ids)
