"""One factory per model (factory_boy). Geography comes from the loaded reference data."""

import datetime

import factory
from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import timezone

from municipalities.models import Municipality, MunicipalStaff, Province
from ngos.models import NGO, LegalForm, Membership, NGOIdentityChange
from portal.models import CoordinatorAssignment, PrivacyAcknowledgement, User
from portal.turkish import tr_slugify

PASSWORD = "test-pass-2025"  # noqa: S105 (test fixture)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name", locale="tr_TR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )
        if create:
            self.save()

    @factory.post_generation
    def privacy_acknowledged(self, create, extracted, **kwargs):
        """The current privacy notice is acknowledged (as at sign-up) unless ``False``."""
        if create and extracted is not False:
            PrivacyAcknowledgement.objects.get_or_create(
                user=self, version=settings.PRIVACY_NOTICE_VERSION
            )


class NGOFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NGO

    name = factory.Sequence(lambda n: f"Örnek Dayanışma Derneği {n}")
    slug = factory.LazyAttribute(lambda o: tr_slugify(o.name))
    legal_form = LegalForm.ASSOCIATION
    province = factory.LazyFunction(lambda: Province.objects.get(plate=25))
    status = NGO.Status.VERIFIED


class NGOIdentityChangeFactory(factory.django.DjangoModelFactory):
    """An open change of a verified NGO's name (the rest of its identity unchanged)."""

    class Meta:
        model = NGOIdentityChange

    ngo = factory.SubFactory(NGOFactory)
    name = factory.LazyAttribute(lambda o: f"{o.ngo.name} (yeni ad)")
    legal_form = factory.SelfAttribute("ngo.legal_form")
    registry_number = factory.SelfAttribute("ngo.registry_number")
    province = factory.SelfAttribute("ngo.province")
    district = factory.SelfAttribute("ngo.district")
    municipality = factory.SelfAttribute("ngo.municipality")
    old_name = factory.SelfAttribute("ngo.name")
    old_legal_form = factory.SelfAttribute("ngo.legal_form")
    old_registry_number = factory.SelfAttribute("ngo.registry_number")
    old_province = factory.SelfAttribute("ngo.province")
    old_district = factory.SelfAttribute("ngo.district")
    old_municipality = factory.SelfAttribute("ngo.municipality")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    ngo = factory.SubFactory(NGOFactory)
    role = Membership.Role.MEMBER


class MunicipalStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MunicipalStaff

    user = factory.SubFactory(UserFactory)
    municipality = factory.LazyFunction(
        lambda: Municipality.objects.get(province=25, kind=Municipality.Kind.METROPOLITAN)
    )
    role = MunicipalStaff.Role.STAFF


class CoordinatorAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoordinatorAssignment

    user = factory.SubFactory(UserFactory)
    subregion = None


class ActivityFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ngos.ActivityField"
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"alan-{n}")
    name = factory.Sequence(lambda n: f"Faaliyet alanı {n}")
    name_en = factory.Sequence(lambda n: f"Field {n}")


class JoinRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ngos.JoinRequest"

    user = factory.SubFactory(UserFactory)
    ngo = factory.SubFactory(NGOFactory)


class CapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ngos.Capability"
        skip_postgeneration_save = True

    ngo = factory.SubFactory(NGOFactory)
    kind = "search_rescue"
    hazard = "earthquake"
    quantity = 10
    unit = "people"

    @factory.post_generation
    def provinces(self, create, extracted, **kwargs):
        if create:
            self.provinces.set(extracted if extracted is not None else [self.ngo.province])


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.Invitation"

    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    token = factory.Sequence(lambda n: f"token-{n:08d}")
    ngo = factory.SubFactory(NGOFactory)
    role = "member"
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


# --- cooperation ---------------------------------------------------------------------------------


def _erzurum_metropolitan():
    return Municipality.objects.get(province=25, kind=Municipality.Kind.METROPOLITAN)


class ProtocolFactory(factory.django.DjangoModelFactory):
    """A draft earthquake-preparedness protocol of Erzurum Büyükşehir Belediyesi; the traits
    ``proposed`` and ``active`` give a protocol in that state with its dates and times."""

    class Meta:
        model = "cooperation.Protocol"

    municipality = factory.LazyFunction(_erzurum_metropolitan)
    title = factory.Sequence(lambda n: f"Afet iş birliği protokolü {n}")
    subject = "Deprem öncesi hazırlık ve toplanma alanlarında gönüllü desteği."
    hazard_earthquake = True
    phase_preparedness = True
    status = "draft"

    class Params:
        proposed = factory.Trait(
            status="proposed",
            starts_on=factory.LazyFunction(timezone.localdate),
            ends_on=factory.LazyFunction(
                lambda: timezone.localdate() + datetime.timedelta(days=365)
            ),
            proposed_at=factory.LazyFunction(timezone.now),
        )
        active = factory.Trait(
            proposed=True,
            status="active",
            activated_at=factory.LazyFunction(timezone.now),
        )


class ProtocolPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cooperation.ProtocolParty"

    protocol = factory.SubFactory(ProtocolFactory)
    ngo = factory.SubFactory(NGOFactory)


class NGOCommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cooperation.NGOCommitment"

    party = factory.SubFactory(ProtocolPartyFactory)
    kind = "search_rescue"
    quantity = 2
    unit = "teams"
    people = 12


class MunicipalCommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cooperation.MunicipalCommitment"

    protocol = factory.SubFactory(ProtocolFactory)
    text = "Eğitim salonu ve depo alanı tahsis edilecek."


class ActivationFactory(factory.django.DjangoModelFactory):
    """An open earthquake activation of Erzurum Büyükşehir Belediyesi affecting Erzurum (pass
    ``provinces=[...]`` for others, ``municipality=None`` for one a coordinator opened)."""

    class Meta:
        model = "cooperation.Activation"
        skip_postgeneration_save = True

    municipality = factory.LazyFunction(_erzurum_metropolitan)
    hazard = "earthquake"
    title = factory.Sequence(lambda n: f"Deprem müdahalesi {n}")
    started_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def provinces(self, create, extracted, **kwargs):
        if create:
            default = [self.municipality.province] if self.municipality else []
            self.provinces.set(extracted if extracted is not None else default)


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cooperation.Need"

    activation = factory.SubFactory(ActivationFactory)
    kind = "shelter"
    quantity = 100
    unit = "tents"
    place = "Yakutiye, Hükümet Meydanı"


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cooperation.Call"

    activation = factory.SubFactory(ActivationFactory)
    ngo = factory.SubFactory(NGOFactory)


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cooperation.Delivery"

    call = factory.SubFactory(CallFactory)
    recipient = factory.SubFactory(UserFactory)
    channel = "email"


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cooperation.Response"

    call = factory.SubFactory(CallFactory)
    availability = "available"
    people = 8
    vehicles = 1


class ResponseItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cooperation.ResponseItem"

    response = factory.SubFactory(ResponseFactory)
    need = factory.SubFactory(
        NeedFactory, activation=factory.SelfAttribute("..response.call.activation")
    )
    pledged = 20


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cooperation.Offer"

    activation = factory.SubFactory(ActivationFactory)
    ngo = factory.SubFactory(NGOFactory)
    message = "Yirmi gönüllü ve iki kamyonla destek verebiliriz."


class ActivationLogEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cooperation.ActivationLogEntry"

    activation = factory.SubFactory(ActivationFactory)
    verb = "opened"
