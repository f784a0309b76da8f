"""Forms of the staff workspace and the 1022 operator console; every one feeds exactly one action."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tinhso.core.models import AdminUnit, Agency
from tinhso.feedback.models import Attachment, Category, Level, Report

DATE_FORMATS = ["%d/%m/%Y"]
DATETIME_FORMATS = ["%d/%m/%Y %H:%M"]


def agency_field(*, required: bool = True, label=None) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Agency.objects.active().order_by("sort_order", "name"),
        required=required,
        label=label or _("Cơ quan xử lý"),
        empty_label=_("— Chọn cơ quan —"),
        error_messages={"required": _("Vui lòng chọn cơ quan."), "invalid_choice": _("Cơ quan không hợp lệ.")},
    )


class InboxFilterForm(forms.Form):
    """The inbox filters; a bad value is reported on its field and that filter is left out."""

    DUE_CHOICES = [("", _("Mọi hạn")), ("overdue", _("Quá hạn")), ("near", _("Sắp đến hạn"))]
    SORT_CHOICES = [("due", _("Hạn xử lý gần nhất")), ("new", _("Mới gửi nhất")), ("old", _("Gửi sớm nhất"))]

    agency = forms.TypedChoiceField(label=_("Cơ quan"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Đang mở")), ("all", _("Tất cả")), *Report.Status.choices],
    )
    due = forms.ChoiceField(label=_("Hạn"), required=False, choices=DUE_CHOICES)
    category = forms.ModelChoiceField(
        label=_("Lĩnh vực"), required=False, queryset=Category.objects.all(), empty_label=_("Mọi lĩnh vực")
    )
    unit = forms.ModelChoiceField(
        label=_("Xã, phường"),
        required=False,
        queryset=AdminUnit.objects.none(),
        empty_label=_("Mọi xã, phường"),
    )
    channel = forms.ChoiceField(label=_("Kênh"), required=False, choices=[("", _("Mọi kênh")), *Report.Channel.choices])
    date_from = forms.DateField(
        label=_("Gửi từ ngày"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
        error_messages={"invalid": _("Ngày phải có dạng dd/mm/yyyy.")},
    )
    date_to = forms.DateField(
        label=_("đến ngày"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
        error_messages={"invalid": _("Ngày phải có dạng dd/mm/yyyy.")},
    )
    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Mã, nội dung, địa chỉ (có dấu hoặc không)")}),
    )
    sort = forms.ChoiceField(label=_("Sắp xếp"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Today's communes: computed per request, never frozen at import.
        self.fields["unit"].queryset = AdminUnit.objects.current().communes().order_by("name")
        self.fields["agency"].choices = [("", _("Mọi cơ quan của tôi"))] + [(a.pk, a.name) for a in agencies or []]
        if not agencies or len(agencies) < 2:
            self.fields["agency"].widget = forms.HiddenInput()

    def value(self, name: str):
        """Return a filter's cleaned value, or None when it is absent or was refused."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) or None


class BulkAssignForm(forms.Form):
    """The agency to give the ticked cases to; the ticked ids are read as they come (unknown ones are reported)."""

    MAX_REPORTS = 100

    agency = agency_field()

    def clean(self):
        data = super().clean()
        raw = self.data.getlist("reports") if hasattr(self.data, "getlist") else []
        ids = list(dict.fromkeys(int(v) for v in raw if str(v).isdigit()))
        if not ids:
            raise ValidationError(_("Vui lòng chọn ít nhất một phản ánh."))
        if len(ids) > self.MAX_REPORTS:
            raise ValidationError(_("Mỗi lần chỉ chuyển được tối đa %(n)s phản ánh.") % {"n": self.MAX_REPORTS})
        data["reports"] = ids
        return data


class AcceptForm(forms.Form):
    agency = agency_field(required=False, label=_("Chuyển ngay cho cơ quan (không bắt buộc)"))
    level = forms.ChoiceField(label=_("Mức độ"), required=False, choices=[("", _("Giữ nguyên mức độ")), *Level.choices])


class AssignForm(forms.Form):
    agency = agency_field()
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2}))


class TransferForm(forms.Form):
    agency = agency_field(label=_("Chuyển sang cơ quan"))
    reason = forms.CharField(
        label=_("Lý do chuyển"),
        max_length=2000,
        widget=forms.Textarea({"rows": 2}),
        error_messages={"required": _("Vui lòng ghi lý do chuyển.")},
    )


class ConfirmForm(forms.Form):
    """A button with nothing to fill in (start work, resume, close)."""


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Ghi chú nội bộ"),
        max_length=4000,
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": _("Ghi chú trống.")},
    )


class RequestInformationForm(forms.Form):
    message = forms.CharField(
        label=_("Thông tin cần người dân bổ sung"),
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": _("Vui lòng ghi rõ thông tin cần bổ sung.")},
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Nội dung trả lời (công khai)"),
        max_length=8000,
        widget=forms.Textarea({"rows": 8}),
        error_messages={"required": _("Vui lòng nhập nội dung trả lời.")},
    )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Lý do từ chối"),
        choices=Report.RejectionReason.choices,
        error_messages={"required": _("Vui lòng chọn lý do."), "invalid_choice": _("Lý do không hợp lệ.")},
    )
    note = forms.CharField(
        label=_("Giải thích cho người dân"),
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": _("Vui lòng giải thích lý do từ chối cho người dân.")},
    )


class ExtensionForm(forms.Form):
    new_due_at = forms.DateTimeField(
        label=_("Hạn mới (dd/mm/yyyy HH:MM)"),
        input_formats=DATETIME_FORMATS,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy HH:MM"}),
        error_messages={
            "required": _("Vui lòng nhập hạn mới."),
            "invalid": _("Hạn mới phải có dạng dd/mm/yyyy HH:MM."),
        },
    )
    reason = forms.CharField(
        label=_("Lý do gia hạn"),
        max_length=2000,
        widget=forms.Textarea({"rows": 2}),
        error_messages={"required": _("Vui lòng ghi lý do gia hạn.")},
    )


class DecideExtensionForm(forms.Form):
    extension = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[("approve", pgettext_lazy("button", "Duyệt")), ("refuse", pgettext_lazy("button", "Không duyệt"))],
        error_messages={"required": _("Vui lòng chọn duyệt hoặc không duyệt.")},
    )


class MergeForm(forms.Form):
    into = forms.CharField(
        label=_("Gộp vào phản ánh (mã)"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "PA-2026-000123"}),
        error_messages={"required": _("Vui lòng nhập mã phản ánh gốc.")},
    )

    def clean_into(self) -> str:
        return self.cleaned_data["into"].strip().upper()


class ShareForm(forms.Form):
    agency = agency_field(label=_("Mời cơ quan phối hợp"))


class AttachmentVisibilityForm(forms.Form):
    attachment = forms.IntegerField(widget=forms.HiddenInput)
    public = forms.TypedChoiceField(
        choices=[("1", _("Hiện")), ("0", _("Ẩn"))], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )


class PublicTextForm(forms.Form):
    text = forms.CharField(
        label=_("Nội dung công khai (đã lược bỏ thông tin cá nhân)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea({"rows": 5}),
        help_text=_("Để trống để đăng nội dung gốc."),
    )


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Loại tệp"),
        choices=[(Attachment.Kind.DOCUMENT, _("Tài liệu (PDF)")), (Attachment.Kind.PHOTO, _("Ảnh"))],
    )
    file = forms.FileField(label=_("Tệp"), error_messages={"required": _("Vui lòng chọn tệp.")})
    is_public = forms.BooleanField(label=_("Công khai cùng câu trả lời"), required=False)


class OperatorForm(forms.Form):
    """What the 1022 operator types while the caller is on the line."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    reporter_phone = forms.CharField(
        label=_("Số điện thoại người gọi"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
    )
    reporter_name = forms.CharField(label=_("Họ tên người gọi"), max_length=150, required=False)
    category = forms.ModelChoiceField(
        label=_("Lĩnh vực"),
        queryset=Category.objects.filter(is_active=True),
        empty_label=_("— Chọn lĩnh vực —"),
        error_messages={"required": _("Vui lòng chọn lĩnh vực."), "invalid_choice": _("Lĩnh vực không hợp lệ.")},
    )
    description = forms.CharField(
        label=_("Nội dung phản ánh"),
        max_length=4000,
        widget=forms.Textarea({"rows": 5}),
        error_messages={"required": _("Vui lòng mô tả nội dung phản ánh.")},
    )
    address = forms.CharField(label=_("Địa chỉ"), max_length=255, required=False)
    lon = forms.FloatField(
        label=_("Kinh độ"), required=False, widget=forms.HiddenInput, error_messages={"invalid": _("Kinh độ sai.")}
    )
    lat = forms.FloatField(
        label=_("Vĩ độ"), required=False, widget=forms.HiddenInput, error_messages={"invalid": _("Vĩ độ sai.")}
    )
    urgent = forms.BooleanField(label=_("Khẩn (thiên tai, tai nạn, mất an ninh…)"), required=False)
    recording = forms.FileField(label=_("Tệp ghi âm cuộc gọi (không bắt buộc)"), required=False)
    accept_now = forms.BooleanField(label=_("Tiếp nhận ngay"), required=False)
    agency = agency_field(required=False, label=_("và chuyển cho cơ quan (không bắt buộc)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As the operator types the number, the caller's earlier cases appear below it (HTMX).
        self.fields["reporter_phone"].widget.attrs.update(
            {
                "hx-get": reverse("feedback:operator_lookup"),
                "hx-trigger": "input changed delay:300ms, change",
                "hx-target": "#caller-cases",
            }
        )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        try:
            return str(uuid.UUID(token))
        except ValueError:
            raise ValidationError(_("Phiên nhập liệu không hợp lệ, vui lòng tải lại trang.")) from None

    def clean(self):
        data = super().clean()
        if data.get("agency") and not data.get("accept_now"):
            self.add_error("accept_now", _("Đánh dấu “Tiếp nhận ngay” để chuyển cơ quan ngay khi ghi nhận."))
        return data


def new_token() -> str:
    return str(uuid.uuid4())
