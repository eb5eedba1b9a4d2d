"""Demo activations (issue 16), a stage of ``seed_demo``: a closed earthquake exercise of Erzurum
Büyükşehir Belediyesi with its after-action summary, and an open flood opened by Kars's
municipality, with calls sent (Erzurum NGOs among them, ``ngo@demo.test``'s too), two answers
(one partly) and an offer from an NGO that was not called.

Who sees what: ``municipality@demo.test`` the exercise (not Kars's flood), ``ngo@demo.test`` both
(its NGO was called to each), ``regional@demo.test`` (Erzurum-Kars) both, ``kars@demo.test`` the
flood. Written through the services, as the officers and NGOs would, then dated back so that the
figures look like a real day. Idempotent: an activation found by its title is left alone.
"""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from cooperation.models import (
    Activation,
    ActivationLogEntry,
    Call,
    Need,
    Offer,
    Response,
    ResponseItem,
)
from cooperation.services.activations import activation_close, call_change_state, log_entry
from cooperation.services.calls import Answer, calls_send, response_save
from municipalities.models import Municipality, MunicipalStaff
from ngos.models import NGO
from portal.models import User

EXERCISE_TITLE = "Erzurum Deprem Tatbikatı 2025"
FLOOD_TITLE = "Kars Çayı taşkını"
DADASLAR = "Erzurum Dadaşlar Dayanışma Derneği"
PALANDOKEN = "Palandöken Arama Kurtarma Derneği"
KARS_WOMEN = "Kars Kadın Girişimciler Derneği"
ENGELSIZ = "Erzurum Engelsiz Yaşam Vakfı"


def _open(*, municipality, user, title, hazard, provinces, started, needs, exercise=False):
    activation = Activation.objects.create(
        municipality=municipality,
        opened_by=user,
        hazard=hazard,
        title=title,
        started_at=started,
        severity=2,
        is_exercise=exercise,
        description=(
            "Senaryo: 6,2 büyüklüğünde deprem; arama kurtarma, barınma ve beslenme ihtiyacı."
            if exercise
            else "Kars Çayı taştı; Merkez ilçede iki mahallede evler su altında kaldı."
        ),
    )
    activation.provinces.set(provinces)
    log_entry(activation.pk, user, ActivationLogEntry.Verb.OPENED, title=title)
    created = []
    for kind, quantity, unit, place, priority in needs:
        created.append(
            Need.objects.create(
                activation=activation,
                kind=kind,
                quantity=quantity,
                unit=unit,
                place=place,
                priority=priority,
            )
        )
    ActivationLogEntry.objects.filter(activation=activation).update(at=started)
    return activation, created


def _answer(call, user, availability, people, vehicles, items, *, after_minutes):
    response_save(
        call_id=call.pk,
        user=user,
        answer=Answer(
            availability=availability,
            people=people,
            vehicles=vehicles,
            eta=call.sent_at + datetime.timedelta(hours=2),
            contact_name=user.full_name,
            contact_phone="0532 000 00 00",
            items=items,
        ),
        expected_version=0,
    )
    answered = call.sent_at + datetime.timedelta(minutes=after_minutes)
    Call.objects.filter(pk=call.pk).update(responded_at=answered, state_changed_at=answered)
    Response.objects.filter(call=call).update(created_at=answered, updated_at=answered)
    ActivationLogEntry.objects.filter(
        activation=call.activation, verb="responded", details__ngo_id=call.ngo_id
    ).update(at=answered)


def _backdate_calls(activation, sent):
    activation.calls.update(sent_at=sent)
    ActivationLogEntry.objects.filter(activation=activation, verb="called").update(at=sent)


def seed_exercise():
    """The closed earthquake exercise of Erzurum Büyükşehir Belediyesi."""
    if Activation.objects.filter(title=EXERCISE_TITLE).exists():
        return
    officer = User.objects.get(email="municipality@demo.test")
    erzurum_bb = Municipality.objects.get(province=25, kind=Municipality.Kind.METROPOLITAN)
    started = timezone.now() - datetime.timedelta(days=21, hours=3)
    activation, (rescue, shelter, food) = _open(
        municipality=erzurum_bb,
        user=officer,
        title=EXERCISE_TITLE,
        hazard="earthquake",
        provinces=[erzurum_bb.province],
        started=started,
        exercise=True,
        needs=[
            ("search_rescue", 30, "people", "Yakutiye, Lalapaşa Mahallesi", 1),
            ("shelter", 40, "beds", "Palandöken, toplanma alanı", 2),
            ("food_water", 600, "meals_per_day", "Yakutiye, Hükümet Meydanı", 2),
        ],
    )
    ngos = {n.name: n for n in NGO.objects.filter(name__in=[DADASLAR, PALANDOKEN, ENGELSIZ])}
    calls_send(
        activation=activation,
        ngo_ids=[n.pk for n in ngos.values()],
        user=officer,
        message="Tatbikat: Hükümet Meydanı’nda toplanma, saat 10.00.",
    )
    sent = started + datetime.timedelta(minutes=10)
    _backdate_calls(activation, sent)
    calls = {c.ngo.name: c for c in activation.calls.select_related("ngo", "activation")}
    _answer(
        calls[PALANDOKEN],
        User.objects.get(email="akut@demo.test"),
        "available",
        30,
        4,
        {rescue.pk: 30},
        after_minutes=12,
    )
    _answer(
        calls[DADASLAR],
        User.objects.get(email="ngo@demo.test"),
        "available",
        25,
        2,
        {food.pk: 600, shelter.pk: 20},
        after_minutes=34,
    )
    for name in (PALANDOKEN, DADASLAR):
        call_change_state(
            call_id=calls[name].pk, user=officer, from_state="responded", to_state="on_site"
        )
        call_change_state(
            call_id=calls[name].pk, user=officer, from_state="on_site", to_state="released"
        )
    call_change_state(
        call_id=calls[ENGELSIZ].pk, user=officer, from_state="called", to_state="released"
    )
    activation_close(activation_id=activation.pk, user=officer)


def seed_flood():
    """The open flood of Kars, with calls, answers and an offer."""
    if Activation.objects.filter(title=FLOOD_TITLE).exists():
        return
    officer = User.objects.get(email="kars@demo.test")
    kars = Municipality.objects.get(province=36, kind=Municipality.Kind.PROVINCIAL)
    started = timezone.now() - datetime.timedelta(hours=5)
    activation, (shelter, food, logistics) = _open(
        municipality=kars,
        user=officer,
        title=FLOOD_TITLE,
        hazard="flood",
        provinces=[kars.province],
        started=started,
        needs=[
            ("shelter", 60, "tents", "Kars Merkez, Yenimahalle", 1),
            ("food_water", 800, "meals_per_day", "Kars Merkez, spor salonu", 1),
            ("logistics", 6, "vehicles", "Kars Merkez", 2),
        ],
    )
    called = NGO.objects.filter(name__in=[DADASLAR, PALANDOKEN, KARS_WOMEN])
    calls_send(
        activation=activation,
        ngo_ids=[n.pk for n in called],
        user=officer,
        message="Toplanma yeri: Kars Merkez spor salonu. Sahada irtibat: AFAD koordinasyon çadırı.",
    )
    sent = started + datetime.timedelta(minutes=25)
    _backdate_calls(activation, sent)
    calls = {c.ngo.name: c for c in activation.calls.select_related("ngo", "activation")}
    _answer(
        calls[DADASLAR],
        User.objects.get(email="ngo@demo.test"),
        "partly",
        12,
        1,
        {food.pk: 300},
        after_minutes=18,
    )
    _answer(
        calls[PALANDOKEN],
        User.objects.get(email="akut@demo.test"),
        "available",
        15,
        3,
        {logistics.pk: 3, shelter.pk: 10},
        after_minutes=41,
    )
    call_change_state(
        call_id=calls[PALANDOKEN].pk, user=officer, from_state="responded", to_state="on_the_way"
    )
    volunteer = (
        NGO.objects.verified()
        .filter(province__subregion__code="14")
        .exclude(pk__in=[n.pk for n in called])
        .order_by("name_sort")
        .first()
    )
    if volunteer is not None:
        Offer.objects.create(
            activation=activation,
            ngo=volunteer,
            message="20 gönüllü ve iki kamyonla yarın sabah Kars’ta olabiliriz.",
        )
        log_entry(
            activation.pk,
            None,
            ActivationLogEntry.Verb.OFFERED,
            ngo=volunteer.name,
            ngo_id=volunteer.pk,
        )


@transaction.atomic
def seed_activations():
    """Activations: Erzurum's closed earthquake exercise and Kars's open flood."""
    seed_exercise()
    seed_flood()


# --- national scale (``seed_demo --scale national``) ---------------------------------------------

# National counts before ``factor``: a quarter of the NGOs declare a capability; real
# activations and exercises over the past years, each with its needs and calls.
NATIONAL_CAPABLE_NGOS = 25_000
NATIONAL_ACTIVATIONS = 150
NATIONAL_EXERCISES = 50
CALLS_PER_ACTIVATION = 30
NATIONAL_TITLE = "Ulusal veri: "


def seed_national_activations(rng, *, counts, geo, password, log):
    """Disaster capabilities of a quarter of the NGOs, then activations (three real ones for
    each exercise; the newest few open) with their needs, calls, answers and log."""
    from demo.services.national import _insert, _next_id, _progress, _reset_sequences
    from ngos.models import Capability

    if Activation.objects.filter(title__startswith=NATIONAL_TITLE).exists():
        _progress(log, "national activations present, skipped")
        return

    def details(**values):
        # COPY (PostgreSQL) writes the column's raw value: JSON must be wrapped for psycopg.
        if connection.vendor == "postgresql":
            from psycopg.types.json import Jsonb

            return Jsonb(values)
        return values

    kinds = ["search_rescue", "first_aid", "shelter", "food_water", "logistics", "volunteers"]
    units = {
        "search_rescue": "people",
        "first_aid": "people",
        "shelter": "tents",
        "food_water": "meals_per_day",
        "logistics": "vehicles",
        "volunteers": "people",
    }
    hazards = ["any", "earthquake", "flood", "fire"]
    ngo_rows = list(
        NGO.objects.filter(status=NGO.Status.VERIFIED, capabilities__isnull=True)
        .order_by("pk")
        .values_list("pk", "province_id")
    )
    capable = rng.sample(ngo_rows, k=min(len(ngo_rows), counts.n(NATIONAL_CAPABLE_NGOS)))
    capability_id = _next_id(Capability)
    capabilities, links = [], []
    through = Capability.provinces.through
    now = timezone.now()
    for ngo_id, plate in capable:
        kind = rng.choice(kinds)
        capabilities.append(
            Capability(
                pk=capability_id,
                ngo_id=ngo_id,
                kind=kind,
                hazard=rng.choice(hazards),
                quantity=rng.randint(5, 400),
                unit=units[kind],
                last_confirmed=now.date(),
                created_at=now,
                updated_at=now,
            )
        )
        links.append(through(capability_id=capability_id, province_id=plate))
        capability_id += 1
    _insert(Capability, capabilities)
    _insert(through, links)
    _reset_sequences(Capability, through)
    _progress(log, f"{len(capabilities)} capabilities")

    by_province = {}
    for ngo_id, plate in capable:
        by_province.setdefault(plate, []).append(ngo_id)
    municipalities = [geo.top_level[p.plate] for p in geo.provinces if p.plate in geo.top_level]
    staff = dict(
        MunicipalStaff.objects.filter(municipality__in=municipalities)
        .order_by("municipality_id", "pk")
        .values_list("municipality_id", "user_id")
    )
    activation_id, need_id, call_id = (_next_id(m) for m in (Activation, Need, Call))
    response_id, log_id = _next_id(Response), _next_id(ActivationLogEntry)
    activations, province_links, needs, calls = [], [], [], []
    responses, items, entries = [], [], []
    real, drills = counts.n(NATIONAL_ACTIVATIONS), counts.n(NATIONAL_EXERCISES)
    province_through = Activation.provinces.through
    for index in range(real + drills):
        municipality = rng.choice(municipalities)
        exercise = index >= real
        started = now - datetime.timedelta(days=rng.randint(1, 900), hours=rng.randint(0, 23))
        is_open = not exercise and index < max(1, real // 30)
        if is_open:
            started = now - datetime.timedelta(hours=rng.randint(2, 48))
        hazard = rng.choice(["earthquake", "flood", "fire", "drought"])
        activations.append(
            Activation(
                pk=activation_id,
                municipality_id=municipality.pk,
                opened_by_id=staff.get(municipality.pk),
                hazard=hazard,
                title=f"{NATIONAL_TITLE}{municipality.province_id:02d} {hazard} {index + 1}",
                started_at=started,
                severity=rng.randint(1, 3),
                is_exercise=exercise,
                status="open" if is_open else "closed",
                closed_at=None if is_open else started + datetime.timedelta(days=2),
                created_at=started,
                updated_at=started,
            )
        )
        province_links.append(
            province_through(activation_id=activation_id, province_id=municipality.province_id)
        )
        entries.append(
            ActivationLogEntry(
                pk=log_id,
                activation_id=activation_id,
                verb="opened",
                at=started,
                details=details(),
            )
        )
        log_id += 1
        activation_needs = []
        for kind in rng.sample(kinds, k=3):
            needs.append(
                Need(
                    pk=need_id,
                    activation_id=activation_id,
                    kind=kind,
                    quantity=rng.randint(20, 500),
                    unit=units[kind],
                    priority=rng.randint(1, 3),
                    created_at=started,
                    updated_at=started,
                )
            )
            activation_needs.append(need_id)
            need_id += 1
        nearby = by_province.get(municipality.province_id, [])
        pool = nearby or [ngo_id for ngo_id, _plate in capable]
        sent = started + datetime.timedelta(minutes=rng.randint(5, 40))
        for ngo_id in rng.sample(pool, k=min(len(pool), CALLS_PER_ACTIVATION)):
            answered = rng.random() < 0.7
            responded = sent + datetime.timedelta(minutes=rng.randint(3, 180))
            calls.append(
                Call(
                    pk=call_id,
                    activation_id=activation_id,
                    ngo_id=ngo_id,
                    sent_at=sent,
                    state="responded"
                    if answered and is_open
                    else ("released" if not is_open else "called"),
                    responded_at=responded if answered else None,
                    state_changed_at=responded if answered else None,
                )
            )
            entries.append(
                ActivationLogEntry(
                    pk=log_id,
                    activation_id=activation_id,
                    verb="called",
                    at=sent,
                    details=details(ngo_id=ngo_id),
                )
            )
            log_id += 1
            if answered:
                availability = rng.choice(["available", "available", "partly", "not_available"])
                helps = availability != "not_available"
                responses.append(
                    Response(
                        pk=response_id,
                        call_id=call_id,
                        availability=availability,
                        people=rng.randint(2, 40) if helps else 0,
                        vehicles=rng.randint(0, 5) if helps else 0,
                        created_at=responded,
                        updated_at=responded,
                    )
                )
                if helps:
                    pledged = rng.randint(5, 100)
                    items.append(
                        ResponseItem(
                            response_id=response_id,
                            need_id=rng.choice(activation_needs),
                            pledged=pledged,
                            arrived=0 if is_open else pledged,
                            updated_at=responded,
                        )
                    )
                response_id += 1
            call_id += 1
        activation_id += 1
    for model, rows in (
        (Activation, activations),
        (province_through, province_links),
        (Need, needs),
        (Call, calls),
        (Response, responses),
        (ResponseItem, items),
        (ActivationLogEntry, entries),
    ):
        _insert(model, rows)
    _reset_sequences(
        Activation, province_through, Need, Call, Response, ResponseItem, ActivationLogEntry
    )
    _progress(log, f"{len(activations)} activations, {len(calls)} calls, {len(responses)} answers")
