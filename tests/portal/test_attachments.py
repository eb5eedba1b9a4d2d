"""The attachments mechanism (portal/attachments.py): what is accepted, what is refused, what
metadata survives, how files are named, stored, deleted and served."""

import datetime
import hashlib
import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from portal.attachments import (
    attachment_check,
    attachment_orphans_delete,
    attachment_store,
    check_total,
    detect_type,
    sanitise_name,
)
from portal.models import Attachment
from portal.tasks import delete_orphan_attachment_files
from tests.attachment_files import EXECUTABLE, GPS_IFD, ORIENTATION, PDF, jpeg, png, upload
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _messages_in_english(english):
    """The refusals are asserted in English."""


def refusal(file, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        attachment_check(file, **kwargs)
    return caught.value


# --- types, from the content ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [(PDF, "application/pdf"), (png(), "image/png"), (jpeg(), "image/jpeg"), (EXECUTABLE, None)],
)
def test_the_type_comes_from_the_first_bytes(content, expected):
    assert detect_type(content[:16]) == expected


def test_a_renamed_executable_is_refused_whatever_its_name_and_claimed_type():
    for name, claimed in [("rapor.pdf", "application/pdf"), ("foto.png", "image/png")]:
        error = refusal(upload(name, EXECUTABLE, claimed))
        assert error.code == "type"
        assert f"“{name}” is not a file of an accepted type (PDF, PNG, JPEG)" in error.messages[0]


def test_a_file_that_only_starts_like_a_png_is_refused_as_damaged():
    error = refusal(upload("bozuk.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200))
    assert error.code == "image"
    assert "cannot be read" in error.messages[0]


def test_a_jpeg_named_png_is_stored_as_a_jpeg_with_its_extension_corrected():
    checked = attachment_check(upload("foto.png", jpeg()))
    assert (checked.media_type, checked.name) == ("image/jpeg", "foto.jpg")


def test_an_empty_file_is_refused():
    assert refusal(upload("bos.pdf", b"")).code == "empty"


def test_only_the_allowed_types_pass_when_a_caller_narrows_them():
    error = refusal(upload("imza.png", png()), allowed={"application/pdf"})
    assert error.code == "type"
    assert "(PDF)" in error.messages[0]


# --- sizes ------------------------------------------------------------------------------------


def test_a_file_over_ten_megabytes_is_refused_with_the_limit(english):
    big = PDF + b"0" * (10 * 1024 * 1024)
    error = refusal(upload("buyuk.pdf", big))
    assert error.code == "too_large"
    assert error.messages[0].replace("\xa0", " ") == (
        "“buyuk.pdf” is 10.0 MB; the largest file accepted is 10.0 MB."
    )


def test_a_file_of_exactly_the_limit_passes(settings):
    settings.ATTACHMENT_MAX_BYTES = len(PDF)
    assert attachment_check(upload("tam.pdf", PDF)).size == len(PDF)
    settings.ATTACHMENT_MAX_BYTES = len(PDF) - 1
    assert refusal(upload("tam.pdf", PDF)).code == "too_large"


def test_a_total_over_its_limit_is_refused_with_what_is_left(english):
    checked = attachment_check(upload("a.pdf", PDF))
    check_total(current=0, adding=[checked], limit=len(PDF))
    with pytest.raises(ValidationError) as caught:
        check_total(current=len(PDF), adding=[checked], limit=len(PDF) + 5)
    assert caught.value.code == "total"
    assert "(5\xa0bytes left)" in caught.value.messages[0]


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded(settings, english):
    # A tiny file whose picture is huge (a decompression bomb in miniature): refused from its
    # header, with the message of an unreadable image, whatever Pillow's own limit.
    settings.ATTACHMENT_MAX_PIXELS = 40 * 20 - 1
    caught = refusal(upload("bomba.png", png()))
    assert caught.code == "image"
    settings.ATTACHMENT_MAX_PIXELS = 40 * 20
    assert attachment_check(upload("bomba.png", png())).media_type == "image/png"


# --- metadata ---------------------------------------------------------------------------------


def test_a_png_with_a_gps_position_is_stored_without_any_metadata():
    original = png(gps=True)
    with Image.open(io.BytesIO(original)) as image:  # the fixture does carry the position
        assert image.getexif().get_ifd(GPS_IFD)
        assert "Palandöken" in image.info["Location"]
    checked = attachment_check(upload("konum.png", original))
    assert b"eXIf" not in checked.content and b"tEXt" not in checked.content
    assert b"iTXt" not in checked.content and "Palandöken".encode() not in checked.content
    with Image.open(io.BytesIO(checked.content)) as image:
        assert not image.getexif()
        assert "Location" not in image.info and "exif" not in image.info
        assert image.size == (40, 20)
        assert image.getpixel((5, 5)) == (200, 30, 30)


def test_a_jpeg_is_turned_upright_and_loses_its_gps_position():
    original = jpeg(size=(40, 20), gps=True, orientation=6)  # "rotate 90° clockwise to view"
    checked = attachment_check(upload("yan.jpg", original))
    with Image.open(io.BytesIO(checked.content)) as image:
        assert image.size == (20, 40)
        exif = image.getexif()
        assert not exif.get_ifd(GPS_IFD) and ORIENTATION not in exif and not exif
    assert b"Exif" not in checked.content[:200]


def test_a_pdf_is_kept_byte_for_byte():
    assert attachment_check(upload("rapor.pdf", PDF)).content == PDF


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Belgeler\\Dernek Tüzüğü.PDF", "Dernek Tüzüğü.pdf"),
        ("İzin belgesi — Şubat.pdf", "İzin belgesi - Şubat.pdf"),
        ("<b>alert(1)<b>.pdf", "b-alert(1)-b.pdf"),
        ("<script>alert(1)</script>.pdf", "script.pdf"),
        ("a\x00b\u202ec.pdf", "abc.pdf"),
        ("foto.exe", "foto.pdf"),
        ("...", "file.pdf"),
        ("", "file.pdf"),
        ("x" * 300 + ".pdf", "x" * 96 + ".pdf"),
    ],
)
def test_file_names_are_sanitised(name, expected):
    assert sanitise_name(name, "application/pdf") == expected


# --- storage and deletion ---------------------------------------------------------------------


@pytest.mark.django_db
def test_storing_writes_the_file_under_its_own_name_with_its_digest():
    user = UserFactory()
    checked = attachment_check(upload("../Faaliyet Raporu.pdf", PDF))
    attachment = attachment_store(owner=user, checked=checked, user=user)
    attachment.refresh_from_db()
    assert attachment.name == "Faaliyet Raporu.pdf"
    assert attachment.file.name.startswith("attachments/")
    assert attachment.file.name.endswith(f"{attachment.pk}.pdf")
    assert "Faaliyet" not in attachment.file.name
    assert default_storage.open(attachment.file.name).read() == PDF
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (attachment.size, attachment.media_type, attachment.uploaded_by) == (
        len(PDF),
        "application/pdf",
        user,
    )


@pytest.mark.django_db
def test_deleting_the_row_deletes_the_file_once_committed(django_capture_on_commit_callbacks):
    user = UserFactory()
    attachment = attachment_store(
        owner=user, checked=attachment_check(upload("a.pdf", PDF)), user=user
    )
    name = attachment.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Attachment.objects.filter(pk=attachment.pk).delete()
    assert default_storage.exists(name)  # not before the commit
    for callback in callbacks:
        callback()
    assert not default_storage.exists(name)


# --- download ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_owner_type_no_app_registered_is_never_served(client):
    user = UserFactory()
    attachment = attachment_store(
        owner=user, checked=attachment_check(upload("a.pdf", PDF)), user=user
    )
    client.force_login(user)
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 404


@pytest.mark.django_db
def test_an_unknown_attachment_is_a_404(client):
    client.force_login(UserFactory())
    url = reverse(
        "attachment", kwargs={"pk": "00000000-0000-4000-8000-000000000000", "name": "x.pdf"}
    )
    assert "/attachments/" in url
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client):
    url = reverse(
        "attachment", kwargs={"pk": "00000000-0000-4000-8000-000000000000", "name": "x.pdf"}
    )
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- files without a row ----------------------------------------------------------------------


@pytest.fixture
def storage_dir(settings, tmp_path):
    """An empty storage of its own (the default storage follows MEDIA_ROOT)."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def age(storage_dir, name, *, hours):
    """Make the stored file ``name`` look ``hours`` old."""
    moment = (timezone.now() - datetime.timedelta(hours=hours)).timestamp()
    os.utime(storage_dir / name, (moment, moment))


def orphan_of_a_rolled_back_upload(user, filename="geri-alinan.pdf") -> str:
    """Store an attachment in a transaction that rolls back: its file stays, its row does not."""
    with pytest.raises(RuntimeError), transaction.atomic():
        attachment = attachment_store(
            owner=user, checked=attachment_check(upload(filename, PDF)), user=user
        )
        raise RuntimeError("the request failed after the upload")
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    return attachment.file.name


@pytest.mark.django_db
def test_a_file_left_by_a_rolled_back_transaction_is_deleted_a_day_later(storage_dir):
    user = UserFactory()
    orphan = orphan_of_a_rolled_back_upload(user)
    assert default_storage.exists(orphan)
    kept = attachment_store(
        owner=user, checked=attachment_check(upload("kalan.pdf", PDF)), user=user
    ).file.name
    age(storage_dir, orphan, hours=25)
    age(storage_dir, kept, hours=25)

    assert delete_orphan_attachment_files() == 1

    assert not default_storage.exists(orphan)
    assert default_storage.open(kept).read() == PDF


@pytest.mark.django_db
def test_a_file_younger_than_a_day_is_never_deleted_even_without_a_row(storage_dir):
    orphan = orphan_of_a_rolled_back_upload(UserFactory())
    age(storage_dir, orphan, hours=23)

    assert attachment_orphans_delete() == 0
    assert default_storage.exists(orphan)


@pytest.mark.django_db
def test_the_sweep_looks_rows_up_in_batches_and_only_in_the_attachments_folder(
    storage_dir, monkeypatch, django_assert_num_queries
):
    user = UserFactory()
    orphans = [orphan_of_a_rolled_back_upload(user, f"yetim-{n}.pdf") for n in range(3)]
    kept = [
        attachment_store(
            owner=user, checked=attachment_check(upload(f"kalan-{n}.pdf", PDF)), user=user
        ).file.name
        for n in range(2)
    ]
    other = storage_dir / "open-data" / "eski.csv"
    other.parent.mkdir()
    other.write_text("a,b\n")
    for name in [*orphans, *kept, "open-data/eski.csv"]:
        age(storage_dir, name, hours=48)
    monkeypatch.setattr("portal.attachments.ORPHAN_BATCH", 2)

    with django_assert_num_queries(3):  # five files, two at a time
        assert attachment_orphans_delete() == 3

    assert [default_storage.exists(name) for name in orphans] == [False, False, False]
    assert [default_storage.exists(name) for name in kept] == [True, True]
    assert other.exists()


@pytest.mark.django_db
def test_an_empty_storage_is_nothing_to_do(storage_dir):
    assert attachment_orphans_delete() == 0


def test_the_sweep_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "portal.tasks.delete_orphan_attachment_files" in tasks
