"""Creating and keeping an NGO's profile."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from municipalities.models import Municipality
from ngos.models import NGO, ActivityField, Membership, NGOIdentityChange
from ngos.services.addresses import ngo_address_follow_name, ngo_unique_slug
from ngos.services.identity import held_fields, identity_change_request, identity_differs
from portal.access import forget_roles


@transaction.atomic
def ngo_register(*, user, form) -> NGO:
    """Create an NGO from a valid NGOForm; the user becomes its administrator; it awaits
    verification. Side effects: inserts the NGO, its fields of activity and a Membership."""
    ngo = form.save(commit=False)
    ngo.slug = ngo_unique_slug(ngo.name)
    ngo.status = NGO.Status.PENDING
    if ngo.municipality is None:
        ngo.municipality = Municipality.objects.serving(ngo.province, ngo.district)
    ngo.save()
    form.save_m2m()
    Membership.objects.create(user=user, ngo=ngo, role=Membership.Role.ADMIN)
    forget_roles(user)
    return ngo


@dataclass(frozen=True)
class ProfileSaved:
    ngo: NGO
    # The change of identity awaiting verification when the edit changed the identity of a
    # verified NGO (the profile kept its verified identity); None when nothing was held back.
    identity_change: NGOIdentityChange | None = None


@transaction.atomic
def ngo_update_profile(
    *, ngo, form, by=None, base_url: str = "", replace_identity_change: bool = False
) -> ProfileSaved:
    """Save an edited profile; the municipality follows the district when left empty.

    On an NGO whose identity a coordinator vouched for (verified or suspended), a new name, legal
    form, registry number or province is not saved: it becomes a change awaiting verification
    (``identity_change_request``, which may raise ValidationError), and the profile keeps its
    verified identity, with its district and municipality when the province changes. Everything
    else is saved at once. Only the form's fields are written: the status is the coordinators'.
    A new name saved at once gives the NGO a new address (``ngo_address_follow_name``).
    Side effects: updates the NGO and its fields of activity; may insert an NGOSlugHistory;
    see ``identity_change_request``.
    """
    # Lock the row: the identity is compared with what is stored now, not what the form saw.
    current = NGO.objects.select_for_update().get(pk=ngo.pk)
    edited = form.save(commit=False)
    if edited.municipality is None:
        edited.municipality = Municipality.objects.serving(edited.province, edited.district)
    change = None
    if current.identity_is_vouched and identity_differs(current, edited):
        change = identity_change_request(
            current=current,
            edited=edited,
            by=by,
            base_url=base_url,
            replace=replace_identity_change,
        )
        for field in held_fields(current, edited):
            attname = NGO._meta.get_field(field).attname
            setattr(edited, attname, getattr(current, attname))
    # A new name applied now (not held for verification) gives the NGO a new address.
    renamed = ngo_address_follow_name(ngo=edited, old_name=current.name)
    edited.updated_at = timezone.now()
    fields = [*_saved_fields(form), "municipality", "updated_at"]
    edited.save(update_fields=[*fields, "slug"] if renamed else fields)
    form.save_m2m()
    return ProfileSaved(ngo=edited, identity_change=change)


def _saved_fields(form) -> list[str]:
    """The NGO's own columns that the form edits (its many-to-many fields are saved apart)."""
    many = {field.name for field in NGO._meta.many_to_many}
    return [name for name in form._meta.fields if name in form.fields and name not in many]


# The default fields of activity: (code, Turkish name, English name).
DEFAULT_ACTIVITY_FIELDS = [
    ("afet-acil-durum", "Afet ve acil durum", "Disaster and emergency"),
    ("egitim", "Eğitim", "Education"),
    ("saglik", "Sağlık", "Health"),
    ("sosyal-hizmetler", "Sosyal hizmetler ve yardımlaşma", "Social services and solidarity"),
    ("engelli", "Engelli hakları", "Disability"),
    ("yasli", "Yaşlılar", "Elderly"),
    ("kadin", "Kadın", "Women"),
    ("cocuk-genclik", "Çocuk ve gençlik", "Children and youth"),
    ("multeci-gocmen", "Mülteciler ve göçmenler", "Refugees and migrants"),
    ("kultur-sanat", "Kültür ve sanat", "Culture and arts"),
    ("spor", "Spor", "Sport"),
    ("cevre", "Çevre ve doğa", "Environment and nature"),
    ("hayvan-haklari", "Hayvan hakları", "Animal welfare"),
    ("hemsehri", "Hemşehri dayanışması", "Hometown (hemşehri) solidarity"),
    ("mesleki", "Mesleki dayanışma", "Professional"),
    ("dini-hayir", "Dini ve hayır amaçlı", "Religious and charitable"),
    ("kent-katilim", "Kent ve katılım", "Urban life and participation"),
    ("insan-haklari", "İnsan hakları", "Human rights"),
    ("ekonomi-istihdam", "Ekonomik kalkınma ve istihdam", "Economic development and employment"),
    ("tarim-kirsal", "Tarım ve kırsal kalkınma", "Agriculture and rural development"),
]


def activity_fields_load() -> int:
    """Create the default fields of activity that are missing (by code); returns how many."""
    existing = set(ActivityField.objects.values_list("code", flat=True))
    new = []
    for order, (code, name, name_en) in enumerate(DEFAULT_ACTIVITY_FIELDS, start=1):
        if code not in existing:
            field = ActivityField(code=code, name=name, name_en=name_en, order=order)
            field.set_name_keys()
            new.append(field)
    ActivityField.objects.bulk_create(new)
    return len(new)
