"""Factories of the events app: programmes, their speakers and agenda, and registrations."""

import datetime

import factory
from django.utils import timezone

from events.models import AgendaItem, Event, Registration, Speaker
from municipalities.models import Province, SubRegion
from portal.turkish import tr_slugify
from tests.factories import NGOFactory, UserFactory


def _erzurum():
    return Province.objects.get(plate=25)


class EventFactory(factory.django.DjangoModelFactory):
    """A planned programme in Erzurum (sub-region 14, Erzurum-Kars) in thirty days, 10:00–16:00
    Türkiye time, with 100 seats and registration open until the day before."""

    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Bölge Programı {n}")
    slug = factory.LazyAttribute(lambda o: tr_slugify(o.title))
    subregion = factory.LazyFunction(lambda: SubRegion.objects.get(code="14"))
    host_province = factory.LazyFunction(_erzurum)
    host_municipality = None
    venue = "İbrahim Erkal Dadaş Kültür ve Sanat Merkezi"
    address = "Yakutiye, Erzurum"
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + datetime.timedelta(days=30)).replace(
            hour=7, minute=0, second=0, microsecond=0
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=6))
    registration_deadline = factory.LazyAttribute(
        lambda o: o.starts_at - datetime.timedelta(days=1)
    )
    description = "Belediyeler ve sivil toplum kuruluşları arasında iş birliği."
    capacity = 100
    state = Event.State.PLANNED


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Konuşmacı {n}")
    position = "Genel Sekreter"
    organisation = "Erzurum Büyükşehir Belediyesi"
    order = factory.Sequence(lambda n: n)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    """An agenda slot; pass ``speakers=[...]`` to attach speakers."""

    class Meta:
        model = AgendaItem
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    starts_at = datetime.time(10, 0)
    title = factory.Sequence(lambda n: f"Oturum {n}")
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def speakers(self, create, extracted, **kwargs):
        if create and extracted:
            self.speakers.set(extracted)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A registration on behalf of an NGO (pass ``municipality=…, ngo=None`` for municipal
    staff). The factory does not touch ``event.seats_taken``: tests that need the seat count
    consistent set it themselves, as events.services does."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    ngo = factory.SubFactory(NGOFactory)
    municipality = None
    status = Registration.Status.REGISTERED
    waitlist_position = None
