"""The reports' copy of the cases (reports.CaseFact, reports/services/facts.py): what it holds,
when it is rebuilt, the medians written with it, and figures computed from it."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from municipalities.models import Municipality, Province, SubRegion
from ngos.models import NGO, LegalForm
from reports.models import CaseFact, CaseFactRefresh, CaseMedian
from reports.services import facts
from reports.services import figures as reports
from reports.services.figures import Filters, Scope
from reports.tasks import refresh_case_facts
from surveys.models import Category, Expectation, ReviewEntry, Submission
from tests.factories import NGOFactory
from tests.reports.test_reports import NOW, P, Q, R, S, T, campaign_opened, erzurum_bb, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(db):
    return campaign_opened()


def kars_belediyesi():
    return Municipality.objects.get(province=36, kind=Municipality.Kind.PROVINCIAL)


def test_the_copy_holds_each_case_with_its_places_filters_and_state(campaign):
    erzurum, kars = Province.objects.get(plate=25), Province.objects.get(plate=36)
    verified = submit(NGOFactory(province=erzurum), campaign, [P, Q, R, S, T])
    pending = submit(
        NGOFactory(province=kars, status=NGO.Status.PENDING), campaign, [P], to=kars_belediyesi()
    )
    draft = submit(NGOFactory(province=erzurum), campaign, [P], status=Submission.Status.DRAFT)
    first = verified.items.get(rank=1)
    # The item's own hazard wins over its category's; a dispute and a confirmation are flags.
    Expectation.objects.filter(pk=first.pk).update(
        hazard="flood", status="completed", ngo_confirmed_at=NOW, first_answered_at=NOW
    )
    ReviewEntry.objects.create(
        expectation=first,
        municipality=erzurum_bb(),
        kind=ReviewEntry.Kind.DISPUTE,
        text="Olmadı.",
    )

    facts.rebuild(campaign.pk)

    copies = {fact.expectation_id: fact for fact in CaseFact.objects.all()}
    assert set(copies) == {*verified.items.values_list("pk", flat=True), pending.items.get().pk}
    assert not draft.items.filter(pk__in=copies).exists()
    fact = copies[first.pk]
    assert (fact.campaign_id, fact.ngo_id, fact.rank) == (campaign.pk, verified.ngo_id, 1)
    assert (fact.ngo_province_id, fact.ngo_subregion_id) == (25, erzurum.subregion_id)
    assert (fact.municipality_id, fact.municipality_province_id) == (erzurum_bb().pk, 25)
    assert fact.municipality_kind == "metropolitan" and fact.ngo_verified
    assert (fact.hazard, fact.disputed, fact.confirmed) == ("flood", True, True)
    assert fact.theme_id == Category.objects.get(code=P).theme_id
    earthquake = copies[verified.items.get(rank=5).pk]
    assert earthquake.hazard == "earthquake"  # from its category (T)
    assert not earthquake.disputed and not earthquake.confirmed
    other = copies[pending.items.get().pk]
    assert not other.ngo_verified and other.municipality_subregion_id == kars.subregion_id
    refresh = CaseFactRefresh.objects.get(campaign=campaign)
    assert refresh.cases == 6


def test_a_rebuild_updates_what_changed_and_drops_what_is_no_longer_a_case(campaign):
    erzurum = Province.objects.get(plate=25)
    kept = submit(NGOFactory(province=erzurum), campaign, [P, Q])
    dropped = submit(NGOFactory(province=erzurum), campaign, [R])
    facts.rebuild(campaign.pk)
    referred = kept.items.get(rank=1)
    # Referred to Kars and answered there; the other submission deleted with its NGO's account.
    Expectation.objects.filter(pk=referred.pk).update(
        municipality=kars_belediyesi(), first_answered_at=NOW
    )
    dropped_ids = list(dropped.items.values_list("pk", flat=True))
    dropped.delete()

    refresh = facts.rebuild(campaign.pk)

    assert refresh.cases == 2
    assert not CaseFact.objects.filter(pk__in=dropped_ids).exists()
    fact = CaseFact.objects.get(pk=referred.pk)
    assert (fact.municipality_id, fact.municipality_province_id) == (kars_belediyesi().pk, 36)
    assert fact.first_answered_at == NOW
    assert CaseFact.objects.get(pk=kept.items.get(rank=2).pk).municipality_id == erzurum_bb().pk


def test_a_current_copy_is_used_as_it_is_and_the_worker_copies_again(campaign, settings):
    settings.REPORT_FACTS_MAX_AGE = 15 * 60
    erzurum = Province.objects.get(plate=25)
    submit(NGOFactory(province=erzurum), campaign, [P, Q])
    assert reports.borda(campaign, Scope())[0]["mentions"] == 1  # never copied: copied now
    submit(NGOFactory(province=erzurum), campaign, [P, R])

    # A copy younger than REPORT_FACTS_MAX_AGE is what the figures count.
    assert reports.borda(campaign, Scope())[0]["mentions"] == 1

    refresh_case_facts()  # the worker, every minute
    assert reports.borda(campaign, Scope())[0]["mentions"] == 2


def test_a_copy_older_than_its_maximum_age_is_made_again_before_use(campaign, settings):
    settings.REPORT_FACTS_MAX_AGE = 15 * 60
    erzurum = Province.objects.get(plate=25)
    submit(NGOFactory(province=erzurum), campaign, [P])
    made = facts.rebuild(campaign.pk).refreshed_at
    submit(NGOFactory(province=erzurum), campaign, [P])
    CaseFactRefresh.objects.filter(campaign=campaign).update(
        refreshed_at=made - datetime.timedelta(minutes=15)
    )

    assert reports.borda(campaign, Scope())[0]["mentions"] == 2
    assert CaseFactRefresh.objects.get(campaign=campaign).refreshed_at > made


def test_a_request_that_waited_for_another_rebuild_uses_the_copy_it_made(campaign):
    erzurum = Province.objects.get(plate=25)
    submit(NGOFactory(province=erzurum), campaign, [P, Q])
    made = facts.rebuild(campaign.pk)
    submit(NGOFactory(province=erzurum), campaign, [P, Q])

    # It found a copy older than this, waited for the rebuild under way: that one will do.
    again = facts.rebuild(
        campaign.pk, unless_made_after=made.refreshed_at - datetime.timedelta(seconds=1)
    )

    assert again.refreshed_at == made.refreshed_at
    assert CaseFact.objects.count() == 2
    assert facts.rebuild(campaign.pk, unless_made_after=timezone.now()).cases == 4


def test_the_figures_are_dated_by_their_copy(campaign, settings):
    from reports.services.tables import report_figures

    settings.REPORT_FACTS_MAX_AGE = 15 * 60
    submit(NGOFactory(province=Province.objects.get(plate=25)), campaign, [P])
    made = facts.rebuild(campaign.pk).refreshed_at - datetime.timedelta(minutes=3)
    CaseFactRefresh.objects.filter(campaign=campaign).update(refreshed_at=made)

    figures = report_figures(
        campaign=campaign, compare=None, scope=Scope(), filters=Filters(), measure="participation"
    )

    # "Figures as of" is when the cases were copied, not the later moment they were summed.
    assert figures["computed_at"] == made
    assert timezone.now() - made >= datetime.timedelta(minutes=3)


def test_figures_from_an_older_copy_stay_in_the_cache_for_their_time(campaign, settings):
    from django.core.cache import caches
    from django.test.utils import CaptureQueriesContext

    from reports.services.tables import report_figures

    settings.REPORT_FACTS_MAX_AGE = 15 * 60
    caches["reports"].clear()
    submit(NGOFactory(province=Province.objects.get(plate=25)), campaign, [P])
    made = facts.rebuild(campaign.pk).refreshed_at - datetime.timedelta(minutes=10)
    CaseFactRefresh.objects.filter(campaign=campaign).update(refreshed_at=made)

    def figures():
        return report_figures(
            campaign=campaign, compare=None, scope=Scope(), filters=Filters(), measure="overdue"
        )

    first = figures()
    with CaptureQueriesContext(connection) as queries:
        again = figures()

    # Dated by their ten-minute-old copy, yet computed just now: read from the cache, not
    # computed again on every request.
    assert again["computed_at"] == first["computed_at"] == made
    assert len(queries) == 1
    caches["reports"].clear()


def _answered(submission, hours):
    """Answer the submission's items ``hours`` (one per item, in rank order) after it was
    submitted."""
    for item, delay in zip(submission.items.order_by("rank"), hours, strict=False):
        Expectation.objects.filter(pk=item.pk).update(
            first_answered_at=submission.submitted_at + datetime.timedelta(hours=delay)
        )


def test_the_stored_medians_are_those_the_cases_give_for_every_grouping_and_scope(campaign):
    erzurum, kars = Province.objects.get(plate=25), Province.objects.get(plate=36)
    _answered(submit(NGOFactory(province=erzurum), campaign, [P, Q, R]), [12, 36, 60])
    _answered(submit(NGOFactory(province=erzurum), campaign, [P, Q]), [24, 120])
    _answered(submit(NGOFactory(province=kars), campaign, [P, Q], to=kars_belediyesi()), [6, 30])
    facts.rebuild(campaign.pk)

    stored = {(m.level, m.key): m.days for m in CaseMedian.objects.filter(campaign=campaign)}
    cases = CaseFact.objects.filter(campaign=campaign)
    for level, field in facts.GROUP_FIELDS.items():
        for key, days in facts.median_days_by(cases, [field])[field].items():
            assert stored[(level, key)] == days, (level, key)
    # Erzurum Büyükşehir: 12, 24, 36, 60, 120 hours → 36 h; Kars: 6 and 30 h → 18 h (the mean
    # of the middle two); everything: 12, 24, 30, 36, 60, 120, 6 → 30 h.
    assert stored[("municipality", erzurum_bb().pk)] == 1.5
    assert stored[("municipality", kars_belediyesi().pk)] == 0.8
    assert stored[("total", campaign.pk)] == 1.2

    # Without filters a report reads them; with a filter that every case matches (all NGOs are
    # associations here) it sorts the cases itself: the same rows at every level and scope.
    everything = Filters(legal_form=LegalForm.ASSOCIATION)
    for scope in (
        Scope(),
        Scope(subregion=erzurum.subregion),
        Scope(subregion=erzurum.subregion, province=erzurum),
        Scope(subregion=kars.subregion, province=kars),
    ):
        for by in ("municipality", "province", "subregion", "total"):
            stored_rows = reports.responsiveness(campaign, scope, Filters(), by=by)
            assert stored_rows == reports.responsiveness(campaign, scope, everything, by=by)
            assert all(row["median_days"] is not None for row in stored_rows)
    (erzurum_total,) = reports.responsiveness(
        campaign, Scope(subregion=erzurum.subregion, province=erzurum), Filters(), by="total"
    )
    assert erzurum_total["median_days"] == 1.5


def test_the_copies_of_a_deleted_campaign_go(campaign):
    _answered(submit(NGOFactory(province=Province.objects.get(plate=25)), campaign, [P]), [5])
    facts.rebuild(campaign.pk)
    assert CaseFact.objects.exists() and CaseMedian.objects.exists()
    Submission.objects.filter(campaign=campaign).delete()
    campaign.delete()

    facts.rebuild_all()

    assert not CaseFact.objects.exists() and not CaseMedian.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_rebuilds_at_once_wait_for_each_other(campaign):
    erzurum = Province.objects.get(plate=25)
    for _ in range(3):
        submit(NGOFactory(province=erzurum), campaign, [P, Q, R])
    facts.rebuild(campaign.pk)
    barrier = threading.Barrier(2)
    errors = []

    def rebuild():
        try:
            barrier.wait()
            facts.rebuild(campaign.pk)
        except Exception as error:  # noqa: BLE001 - the test reports any failure
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rebuild) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert CaseFact.objects.filter(campaign=campaign).count() == 9
    assert CaseFactRefresh.objects.get(campaign=campaign).cases == 9
    assert SubRegion.objects.exists()
