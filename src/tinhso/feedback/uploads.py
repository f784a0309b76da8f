"""Uploads are checked by their content, never by their name: photos are re-encoded (EXIF, GPS and any hidden
payload dropped), recordings and documents must carry the signature of an allowed format."""

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_RECORDING_BYTES = 30 * 1024 * 1024
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDE = 2560
MAX_PHOTOS = 5
# Decompression bombs: refuse images with more pixels than a 50-megapixel camera makes.
Image.MAX_IMAGE_PIXELS = 50_000_000

_RECORDING_SIGNATURES = (
    (b"RIFF", 8, b"WAVE", "audio/wav", "wav"),
    (b"ID3", None, None, "audio/mpeg", "mp3"),
    (b"\xff\xfb", None, None, "audio/mpeg", "mp3"),
    (b"\xff\xf3", None, None, "audio/mpeg", "mp3"),
    (b"OggS", None, None, "audio/ogg", "ogg"),
    (b"fLaC", None, None, "audio/flac", "flac"),
)


@dataclass(frozen=True)
class CleanFile:
    name: str
    content: ContentFile
    content_type: str
    size: int


def clean_upload(upload, *, kind: str) -> CleanFile:
    """Return a safe copy of `upload` for `kind` (photo, recording, document) or raise ValidationError."""
    limit = {"photo": MAX_PHOTO_BYTES, "recording": MAX_RECORDING_BYTES, "document": MAX_DOCUMENT_BYTES}[kind]
    if upload.size > limit:
        raise ValidationError(
            _("Tệp %(name)s quá lớn (tối đa %(mb)s MB).") % {"name": upload.name, "mb": limit // (1024 * 1024)},
            code="too_large",
        )
    data = upload.read()
    if kind == "photo":
        return _clean_photo(data, upload.name)
    if kind == "recording":
        return _clean_signed(data, upload.name, _recording_type(data), _("Tệp ghi âm phải là WAV, MP3, OGG hoặc FLAC."))
    pdf = ("application/pdf", "pdf") if data.startswith(b"%PDF-") else None
    return _clean_signed(data, upload.name, pdf, _("Tài liệu phải là tệp PDF."))


def _clean_photo(data: bytes, name: str) -> CleanFile:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG", "WEBP", "HEIF", "MPO", "GIF"):
                raise ValidationError(
                    _("Ảnh %(name)s không đúng định dạng JPEG/PNG/WebP.") % {"name": name}, code="bad_type"
                )
            image.load()
            picture = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise ValidationError(_("Tệp %(name)s không phải là ảnh hợp lệ.") % {"name": name}, code="bad_type") from None
    picture.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85, optimize=True)  # a fresh file: no EXIF, no GPS, no trailer
    payload = out.getvalue()
    return CleanFile(f"{uuid.uuid4().hex}.jpg", ContentFile(payload), "image/jpeg", len(payload))


def _recording_type(data: bytes) -> tuple[str, str] | None:
    for magic, offset, second, content_type, extension in _RECORDING_SIGNATURES:
        if data.startswith(magic) and (offset is None or data[offset : offset + len(second)] == second):
            return content_type, extension
    if data[4:8] == b"ftyp":
        return "audio/mp4", "m4a"
    return None


def _clean_signed(data: bytes, name: str, found: tuple[str, str] | None, message: str) -> CleanFile:
    if found is None:
        raise ValidationError(message, code="bad_type")
    content_type, extension = found
    return CleanFile(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), content_type, len(data))
