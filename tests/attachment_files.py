"""Small files for the attachment tests: real PDFs and images, images with a GPS position in
their metadata, and a Windows executable to rename."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

# A minimal valid one-page PDF.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
# The start of a Windows program (MZ header, "This program cannot be run in DOS mode").
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + (
    b"\xb8" + b"\x00" * 47 + b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 64
)

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def gps_exif(orientation=None) -> Image.Exif:
    """EXIF with a GPS position (Erzurum) and a camera, optionally an orientation."""
    exif = Image.Exif()
    exif[0x010F] = "Kamera Üreticisi"  # Make
    if orientation:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (39.0, 54.0, 30.0)
    gps[3] = "E"
    gps[4] = (41.0, 16.0, 12.0)
    return exif


def png(size=(40, 20), color=(200, 30, 30), *, gps=False) -> bytes:
    """A PNG; with ``gps``, an eXIf chunk with a GPS position and a text chunk naming a place."""
    out = io.BytesIO()
    options = {}
    if gps:
        info = PngImagePlugin.PngInfo()
        info.add_text("Location", "Palandöken, Erzurum")
        options = {"exif": gps_exif().tobytes(), "pnginfo": info}
    Image.new("RGB", size, color).save(out, format="PNG", **options)
    return out.getvalue()


def jpeg(size=(40, 20), *, gps=False, orientation=None) -> bytes:
    out = io.BytesIO()
    options = {"exif": gps_exif(orientation).tobytes()} if gps or orientation else {}
    Image.new("RGB", size, (30, 120, 200)).save(out, format="JPEG", **options)
    return out.getvalue()


def upload(name: str, content: bytes, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)
