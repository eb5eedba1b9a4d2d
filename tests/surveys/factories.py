"""Factories of the surveys app: campaigns, submissions and their ranked expectations."""

import datetime

import factory
from django.utils import timezone

from municipalities.models import Municipality
from surveys.models import Campaign, Category, Expectation, Submission
from tests.factories import NGOFactory


def erzurum_metropolitan():
    return Municipality.objects.get(province=25, kind=Municipality.Kind.METROPOLITAN)


class CampaignFactory(factory.django.DjangoModelFactory):
    """An open national campaign offering every active category (pass ``categories=[...]``
    to offer fewer)."""

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"{2025 + n} Beş Beklenti Anketi")
    code = factory.Sequence(lambda n: f"k{2025 + n}")
    instructions = "Derneğinizin belediyelerden en önemli beş beklentisini sıralayın."
    is_national = True
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create:
            self.categories.set(
                extracted if extracted is not None else Category.objects.filter(is_active=True)
            )

    @factory.post_generation
    def subregions(self, create, extracted, **kwargs):
        if create and extracted:
            self.is_national = False
            self.save(update_fields=["is_national"])
            self.subregions.set(extracted)


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A draft of an Erzurum NGO for an open campaign."""

    class Meta:
        model = Submission

    campaign = factory.SubFactory(CampaignFactory)
    ngo = factory.SubFactory(NGOFactory)


class ExpectationFactory(factory.django.DjangoModelFactory):
    """A complete item addressed to Erzurum Büyükşehir Belediyesi; pass ``rank``."""

    class Meta:
        model = Expectation

    submission = factory.SubFactory(SubmissionFactory)
    rank = 1
    category = factory.LazyFunction(
        lambda: Category.objects.filter(is_active=True).order_by("order").first()
    )
    title = factory.Sequence(lambda n: f"Beklenti başlığı {n}")
    description = "Mahallemizde afet toplanma alanlarının işaretlenmesini bekliyoruz."
    municipality = factory.LazyFunction(erzurum_metropolitan)
