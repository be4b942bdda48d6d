"""What an uploaded document really is, judged by its content and size — never by its name.

A ketua's phone may call a photo ``scan.pdf`` and an attacker may call a web page ``ktp.png``; only
the first bytes of the file say which one it is."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# The signature each allowed type starts with, and the suffix a stored file of that type gets.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
SUFFIXES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
_HEAD_BYTES = max(len(signature) for signature, _type in SIGNATURES)


def document_max_bytes() -> int:
    return getattr(settings, "DOCUMENT_MAX_BYTES", 5 * 1024 * 1024)


def sniff_content_type(upload: File) -> str | None:
    """The allowed type the file's first bytes match, or ``None``. Leaves the file at its start."""
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    return next((content_type for signature, content_type in SIGNATURES if head.startswith(signature)), None)


def upload_content_type(upload: File) -> str:
    """The checked content type of ``upload``; refuses an empty, too large or disallowed file."""
    if not upload.size:
        raise ValidationError(_("Berkas kosong. Pilih berkas yang berisi dokumen."), code="empty")
    limit = document_max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("Berkas terlalu besar (%(size)s). Ukuran maksimal %(limit)s; perkecil foto atau pindai ulang.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    content_type = sniff_content_type(upload)
    if content_type is None:
        raise ValidationError(
            _("Isi berkas bukan PDF, JPG atau PNG. Unggah dokumen dalam salah satu format tersebut."),
            code="type",
        )
    return content_type
