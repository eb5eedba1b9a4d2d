"""The Invitation model moved from portal to members without touching its table."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from members.models import Invitation
from municipalities.models import Municipality
from tests.factories import InvitationFactory, NGOFactory, UserFactory

OLD = ("portal", "0003_auditentry")  # the last migration with Invitation in portal
BEFORE = [OLD, ("members", None)]


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


# Migrating needs the schema editor, which SQLite refuses inside the test's transaction.
@pytest.mark.django_db(transaction=True)
def test_invitation_rows_survive_the_move_to_members():
    latest = _latest()
    ngo = NGOFactory()
    inviter = UserFactory()
    kept = InvitationFactory(ngo=ngo, invited_by=inviter, token="kept-across-the-move")
    ContentType.objects.get_for_model(Invitation)  # as after any migrate of the old code
    try:
        executor = _migrate(BEFORE)
        old_apps = executor.loader.project_state(OLD).apps
        OldInvitation = old_apps.get_model("portal", "Invitation")
        assert OldInvitation._meta.db_table == Invitation._meta.db_table == "portal_invitation"
        assert OldInvitation.objects.get(token="kept-across-the-move").ngo_id == ngo.pk
        created_before = OldInvitation.objects.create(
            email="before@example.test",
            token="created-before-the-move",
            ngo_id=ngo.pk,
            role="admin",
            invited_by_id=inviter.pk,
            expires_at=kept.expires_at,
        )
        assert ContentType.objects.filter(app_label="portal", model="invitation").exists()
    finally:
        _migrate(latest)

    assert Invitation.objects.get(pk=kept.pk).token == "kept-across-the-move"
    moved = Invitation.objects.get(pk=created_before.pk)
    assert (moved.email, moved.ngo, moved.role) == ("before@example.test", ngo, "admin")
    assert set(ngo.invitations.values_list("pk", flat=True)) == {kept.pk, moved.pk}
    assert set(inviter.invitations_sent.values_list("pk", flat=True)) == {kept.pk, moved.pk}
    # The content type followed the model, so permissions on invitations keep their holders.
    assert ContentType.objects.filter(app_label="members", model="invitation").count() == 1
    assert not ContentType.objects.filter(app_label="portal", model="invitation").exists()


def test_invitation_related_names_are_unchanged(db):
    municipality = Municipality.objects.order_by("pk").first()
    municipality_invitation = InvitationFactory(ngo=None, municipality=municipality, role="manager")
    assert list(municipality.invitations.all()) == [municipality_invitation]
    assert list(municipality_invitation.invited_by.invitations_sent.all()) == [
        municipality_invitation
    ]
