import pytest
from django.db.models import Count

from demo.services.erzurum import seed_demo
from municipalities.models import SubRegion
from ngos.models import NGO, Capability, Membership
from portal.models import CoordinatorAssignment, User

pytestmark = pytest.mark.django_db


def test_demo_has_80_verified_ngos_in_every_subregion(demo):
    verified = NGO.objects.verified()
    assert verified.count() >= 80
    per_subregion = dict(verified.values_list("province__subregion__code").annotate(n=Count("id")))
    assert set(per_subregion) == set(SubRegion.objects.values_list("code", flat=True))
    for plate in (25, 63, 34):  # Erzurum, Şanlıurfa, İstanbul
        assert verified.filter(province=plate).count() >= 2, plate
    assert Capability.objects.filter(ngo__in=verified).values("ngo").distinct().count() >= 60


def test_demo_accounts_hold_their_roles(demo):
    ngo_admin = Membership.objects.get(user__email="ngo@demo.test")
    assert ngo_admin.role == Membership.Role.ADMIN
    assert ngo_admin.ngo.province_id == 25
    assert ngo_admin.ngo.is_verified
    assert CoordinatorAssignment.objects.get(user__email="coordinator@demo.test").is_national
    regional = CoordinatorAssignment.objects.get(user__email="regional@demo.test")
    assert regional.subregion.name == "Erzurum-Kars"
    assert User.objects.get(email="admin@demo.test").is_superuser
    staff = User.objects.get(email="municipality@demo.test").municipal_roles.get()
    assert staff.municipality.name == "Erzurum Büyükşehir Belediyesi"


def test_demo_is_idempotent(demo):
    counts = (User.objects.count(), NGO.objects.count(), Capability.objects.count())
    seed_demo(log=lambda *args: None)
    assert (User.objects.count(), NGO.objects.count(), Capability.objects.count()) == counts


def test_demo_has_an_open_campaign_with_submissions_and_drafts(demo):
    from surveys.models import Campaign, Expectation, Submission

    campaign = Campaign.objects.get(title="2025 Beş Beklenti Anketi")
    assert campaign.is_open and campaign.is_national
    submissions = Submission.objects.filter(campaign=campaign)
    verified = NGO.objects.verified().count()
    assert submissions.count() == verified
    assert submissions.filter(status="draft").exists()
    assert submissions.submitted().count() >= verified * 0.8
    for submission in submissions.submitted().prefetch_related("items"):
        assert sorted(i.rank for i in submission.items.all()) == [1, 2, 3, 4, 5]
    assert Expectation.objects.filter(
        municipality__name="Erzurum Büyükşehir Belediyesi", submission__status="submitted"
    ).exists()
    # Exactly the items of submitted submissions are cases.
    assert set(Expectation.objects.cases().values_list("pk", flat=True)) == set(
        Expectation.objects.filter(submission__status="submitted").values_list("pk", flat=True)
    )


def test_demo_municipalities_have_their_contacts_for_ngos(demo):
    from municipalities.models import Municipality

    erzurum = Municipality.objects.get(province=25, kind="metropolitan")
    assert erzurum.ngo_unit == "Dış İlişkiler ve Sivil Toplum Şube Müdürlüğü"
    assert erzurum.ngo_contact_phone == "0442 344 12 50 (dahili 250)"
    assert erzurum.phone == "0442 344 10 00"
    with_desk = Municipality.objects.exclude(ngo_unit="").exclude(ngo_contact_email="")
    assert with_desk.count() >= 4
    assert all(m.ngo_contact_email.endswith(".demo.test") for m in with_desk)
    # Seeding again keeps what a manager has written meanwhile.
    Municipality.objects.filter(pk=erzurum.pk).update(ngo_contact_name="Yeni Kişi")
    seed_demo(log=lambda *args: None)
    erzurum.refresh_from_db()
    assert erzurum.ngo_contact_name == "Yeni Kişi"
