"""Forms of the processing side: the clerks' queue filters, each action's small form, walk-in filing, reports."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.eservices.forms import clean_document
from tinhso.eservices.models import Procedure, Status
from tinhso.eservices.processing import RETURN_METHODS

TABS = (
    ("steps", _("Bước của tôi")),
    ("reception", _("Tiếp nhận")),
    ("all", _("Tất cả hồ sơ tôi được xem")),
)
DUE_CHOICES = (
    ("", _("Mọi hạn")),
    ("overdue", _("Quá hạn")),
    ("near", _("Sắp đến hạn (1 ngày làm việc)")),
    ("on_time", _("Còn hạn")),
)
REQUIRED = {"required": _("Vui lòng nhập thông tin này.")}


class QueueFilterForm(forms.Form):
    tab = forms.ChoiceField(label=_("Danh sách"), choices=TABS, required=False)
    due = forms.ChoiceField(label=_("Hạn xử lý"), choices=DUE_CHOICES, required=False)
    status = forms.TypedChoiceField(
        label=_("Trạng thái"),
        choices=[("", _("Đang mở"))] + [(s.value, s.label) for s in Status if s != Status.DRAFT],
        coerce=int,
        empty_value=None,
        required=False,
    )
    step = forms.CharField(label=_("Bước"), required=False, max_length=40)
    # Plain choices, not a ModelChoiceField: its queryset iterator costs a server-side cursor per page on PostgreSQL.
    procedure = forms.TypedChoiceField(label=_("Thủ tục"), coerce=int, empty_value=None, required=False)
    q = forms.CharField(label=_("Tìm mã hồ sơ, người nộp"), required=False, max_length=100)

    def __init__(self, *args, procedures=None, **kwargs):
        super().__init__(*args, **kwargs)
        procedures = procedures if procedures is not None else Procedure.objects.all()
        choices = [(pk, f"{code} · {name}"[:90]) for pk, code, name in procedures.values_list("pk", "code", "name")]
        self.fields["procedure"].choices = [("", _("Mọi thủ tục")), *choices]

    def value(self, name):
        """Return the cleaned value, or None when the filter is empty or invalid (never a 500 on bad input)."""
        if not self.is_bound or not self.is_valid():
            return None
        return self.cleaned_data.get(name) or None


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, error_messages=REQUIRED
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


class SupplementForm(forms.Form):
    items = forms.CharField(
        label=_("Giấy tờ, nội dung cần bổ sung (mỗi dòng một mục)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages=REQUIRED,
    )
    reason = forms.CharField(
        label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )

    def clean_items(self) -> list[str]:
        items = [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]
        if not items:
            raise ValidationError(_("Vui lòng ghi ít nhất một giấy tờ cần bổ sung."))
        return items


class ApologyForm(forms.Form):
    new_due_date = forms.DateField(
        label=_("Ngày hẹn trả mới"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={**REQUIRED, "invalid": _("Ngày không hợp lệ (dd/mm/yyyy).")},
    )
    new_due_time = forms.TimeField(
        label=_("Giờ hẹn"), initial=dt.time(16, 0), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    reason = forms.CharField(
        label=_("Lý do chậm"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, error_messages=REQUIRED
    )

    def new_due_at(self) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(self.cleaned_data["new_due_date"], self.cleaned_data["new_due_time"])
        )


class ResultForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp kết quả (PDF đã ký số, JPEG hoặc PNG)"),
        error_messages={"required": _("Vui lòng chọn tệp."), "empty": _("Tệp rỗng.")},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=500)

    def clean_file(self):
        return clean_document(self.cleaned_data["file"])


class ReturnForm(forms.Form):
    method = forms.ChoiceField(label=_("Hình thức trả kết quả"), choices=list(RETURN_METHODS.items()))
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=500)


class BulkForm(forms.Form):
    ACTIONS = (("complete", _("Hoàn thành bước và chuyển tiếp")), ("return_online", _("Trả kết quả trực tuyến")))
    action = forms.ChoiceField(label=_("Thao tác hàng loạt"), choices=ACTIONS)
    codes = forms.MultipleChoiceField(label=_("Hồ sơ"), error_messages={"required": _("Vui lòng chọn hồ sơ.")})

    def __init__(self, *args, codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = [(code, code) for code in codes]


class WalkInStartForm(forms.Form):
    procedure = forms.ModelChoiceField(
        label=_("Thủ tục"), queryset=Procedure.objects.none(), error_messages={"required": _("Vui lòng chọn thủ tục.")}
    )

    def __init__(self, *args, procedures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = procedures


class ApplicantForm(forms.Form):
    applicant_name = forms.CharField(label=_("Họ và tên người nộp"), max_length=150, error_messages=REQUIRED)
    applicant_phone = forms.CharField(label=_("Số điện thoại"), max_length=16, required=False)
    applicant_email = forms.EmailField(label=_("Thư điện tử"), required=False)
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=255, required=False)
    applicant_id_number = forms.CharField(label=_("Số định danh cá nhân (CCCD)"), max_length=12, required=False)
    organisation_name = forms.CharField(label=_("Tổ chức, doanh nghiệp"), max_length=255, required=False)

    def clean_applicant_phone(self) -> str:
        from tinhso.core.phone import normalize_phone

        value = self.cleaned_data["applicant_phone"].strip()
        if not value:
            return ""
        try:
            return normalize_phone(value)
        except ValidationError as exc:
            raise ValidationError(_("Số điện thoại không hợp lệ.")) from exc

    def clean_applicant_id_number(self) -> str:
        value = self.cleaned_data["applicant_id_number"].strip()
        if value and (not value.isdigit() or len(value) != 12):
            raise ValidationError(_("Số định danh cá nhân gồm 12 chữ số."))
        return value


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("Từ ngày"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("Đến ngày"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def period(self) -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        start = data.get("start") or today.replace(day=1)
        end = data.get("end") or today
        return (start, end) if start <= end else (end, start)
