"""Forms of the public catalogue and the applicant's side; uploads are checked by content, never by name."""

import uuid
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.core.models import Agency

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
#: The formats a document may have, recognised by their first bytes: (signature, content type, extension).
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


@dataclass(frozen=True)
class CleanDocument:
    original_name: str
    stored_name: str
    content_type: str
    size: int
    data: bytes

    def content(self) -> ContentFile:
        return ContentFile(self.data)


def sniff(data: bytes) -> tuple[str, str] | None:
    """Return (content type, extension) of a PDF, JPEG or PNG from its first bytes, else None."""
    for signature, content_type, extension in SIGNATURES:
        if data.startswith(signature):
            return content_type, extension
    return None


def clean_document(upload, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> CleanDocument:
    """Return the checked document or raise a Vietnamese ValidationError (too large, empty, not PDF/JPEG/PNG)."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("Tệp %(name)s quá lớn (tối đa %(mb)s MB).") % {"name": upload.name, "mb": max_bytes // (1024 * 1024)},
            code="too_large",
        )
    data = upload.read()
    if not data:
        raise ValidationError(_("Tệp %(name)s rỗng.") % {"name": upload.name}, code="empty")
    found = sniff(data)
    if found is None:
        raise ValidationError(_("Tệp %(name)s không phải PDF, JPEG hoặc PNG.") % {"name": upload.name}, code="bad_type")
    content_type, extension = found
    return CleanDocument(upload.name, f"{uuid.uuid4().hex}.{extension}", content_type, len(data), data)


class DocumentUploadForm(forms.Form):
    requirement = forms.CharField(widget=forms.HiddenInput)
    file = forms.FileField(
        label=gettext_lazy("Tệp (PDF, JPEG hoặc PNG, tối đa 10 MB)"),
        error_messages={"required": gettext_lazy("Vui lòng chọn tệp."), "empty": gettext_lazy("Tệp rỗng.")},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def clean_file(self) -> CleanDocument:
        return clean_document(self.cleaned_data["file"])


class StartForm(forms.Form):
    """The commune that decides a commune-level procedure (chosen by the applicant)."""

    agency = forms.ModelChoiceField(
        label=gettext_lazy("UBND xã, phường giải quyết"),
        queryset=Agency.objects.none(),
        error_messages={
            "required": gettext_lazy("Vui lòng chọn UBND xã, phường."),
            "invalid_choice": gettext_lazy("Vui lòng chọn UBND xã, phường trong danh sách."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.active().filter(kind=Agency.Kind.COMMUNE_COMMITTEE)


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Tìm thủ tục"), required=False, max_length=200)
    sector = forms.CharField(required=False, max_length=40)
    agency = forms.IntegerField(required=False, min_value=1)
    level = forms.CharField(required=False, max_length=8)


class LookupForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Mã hồ sơ"),
        max_length=48,
        error_messages={"required": gettext_lazy("Vui lòng nhập mã hồ sơ.")},
        widget=forms.TextInput(attrs={"placeholder": "000.00.12.H55-250701-0001", "autocomplete": "off"}),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Mức độ hài lòng"),
        coerce=int,
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Vui lòng chọn mức độ hài lòng.")},
    )
    comment = forms.CharField(label=gettext_lazy("Góp ý"), required=False, max_length=2000, widget=forms.Textarea)
