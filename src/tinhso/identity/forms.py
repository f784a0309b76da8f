import datetime as dt

from allauth.account.forms import LoginForm
from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tinhso.core.models import Agency, Role
from tinhso.core.phone import normalize_phone
from tinhso.identity.idnumber import validate_id_number
from tinhso.identity.models import Sex
from tinhso.identity.taxcode import normalize_tax_code


class PhoneLoginForm(LoginForm):
    """allauth's login form with the phone number as the login, in any common notation (+84, spaces, dots)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("Số điện thoại")
        login.widget.attrs.update(
            {"type": "tel", "inputmode": "tel", "autocomplete": "username", "placeholder": "09xx xxx xxx"}
        )
        self.fields["password"].label = _("Mật khẩu")
        self.fields["password"].help_text = ""
        self.fields["password"].widget.attrs.pop("placeholder", None)

    def clean_login(self) -> str:
        raw = super().clean_login()
        try:
            return normalize_phone(raw)
        except ValidationError:
            return raw  # fails like any unknown number: no hint that the format, not the account, was wrong


def _password_fields(form: forms.Form):
    form.fields["password1"] = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Ít nhất 10 ký tự, không quá phổ biến, không toàn chữ số."),
    )
    form.fields["password2"] = forms.CharField(
        label=_("Nhập lại mật khẩu"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


def _clean_passwords(form: forms.Form, user=None) -> None:
    first, second = form.cleaned_data.get("password1"), form.cleaned_data.get("password2")
    if first and second and first != second:
        form.add_error("password2", _("Hai mật khẩu không khớp."))
    elif first:
        try:
            password_validation.validate_password(first, user)
        except ValidationError as error:
            form.add_error("password1", error)


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Số điện thoại"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value):
        return normalize_phone(super().clean(value))


class RegistrationForm(forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = PhoneField()
    email = forms.EmailField(
        label=_("Thư điện tử (không bắt buộc)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        label=_(
            "Tôi đồng ý để Tỉnh số xử lý các thông tin trên nhằm cung cấp tài khoản dịch vụ công "
            "(Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân)."
        )
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _password_fields(self)
        self.order_fields(["full_name", "phone", "email", "password1", "password2", "consent"])

    def clean(self):
        data = super().clean()
        _clean_passwords(self)
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác minh"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}),
    )


class ResetStartForm(forms.Form):
    phone = PhoneField()


class ResetFinishForm(CodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _password_fields(self)

    def clean(self):
        data = super().clean()
        _clean_passwords(self)
        return data


class DateInput(forms.DateInput):
    input_type = "text"

    def __init__(self, **kwargs):
        super().__init__(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})


class PersonalDetailsForm(forms.Form):
    birth_date = forms.DateField(label=_("Ngày sinh"), input_formats=["%d/%m/%Y", "%Y-%m-%d"], widget=DateInput())
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Sex.choices, widget=forms.RadioSelect)
    id_number = forms.CharField(
        label=_("Số định danh cá nhân (12 số, không bắt buộc)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value > dt.date.today() or value.year < 1900:
            raise ValidationError(_("Ngày sinh không hợp lệ."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("id_number") and data.get("birth_date") and data.get("sex"):
            try:
                data["id_number"] = validate_id_number(
                    data["id_number"], birth_date=data["birth_date"], sex=data["sex"]
                ).number
            except ValidationError as error:
                self.add_error("id_number", error)
        return data


class InPersonVerificationForm(PersonalDetailsForm):
    checked_card = forms.BooleanField(label=_("Tôi đã đối chiếu thẻ căn cước gốc với người đến làm thủ tục."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].required = True
        self.fields["id_number"].label = _("Số định danh cá nhân trên thẻ căn cước")


class FindAccountForm(forms.Form):
    phone = PhoneField(label=_("Số điện thoại của người dân"))


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Tên tổ chức, doanh nghiệp"), max_length=255)
    tax_code = forms.CharField(
        label=_("Mã số thuế"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    address = forms.CharField(label=_("Địa chỉ trụ sở"), max_length=255, required=False)

    def clean_tax_code(self):
        return normalize_tax_code(self.cleaned_data["tax_code"])


class MemberForm(forms.Form):
    phone = PhoneField(label=_("Số điện thoại của thành viên"))


class OfficialForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    phone = PhoneField()
    email = forms.EmailField(label=_("Thư điện tử công vụ"), required=False)
    agency = forms.ModelChoiceField(label=_("Cơ quan"), queryset=Agency.objects.filter(is_active=True))
    role = forms.ChoiceField(label=_("Vai trò"), choices=[c for c in Role.choices if c[0] != Role.CITIZEN])
    title = forms.CharField(label=_("Chức danh"), max_length=120, required=False)


class DeletionForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do (không bắt buộc)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm = forms.BooleanField(
        label=_("Tôi hiểu rằng dữ liệu gắn với hồ sơ, thủ tục mà pháp luật buộc lưu trữ sẽ không bị xóa.")
    )


class AuditSearchForm(forms.Form):
    q = forms.CharField(label=_("Người thực hiện, đối tượng"), required=False, max_length=100)
    action = forms.ChoiceField(label=_("Loại sự kiện"), required=False)
    ip = forms.GenericIPAddressField(label=_("Địa chỉ IP"), required=False)
    since = forms.DateField(
        label=_("Từ ngày"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"], widget=DateInput()
    )
    until = forms.DateField(
        label=_("Đến ngày"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"], widget=DateInput()
    )

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Tất cả sự kiện xác thực")), *actions]


# --- django-allauth's security-key forms, with Vietnamese labels (settings.MFA_FORMS) -------------------------
# allauth leaves the key's name field unlabelled, so Django shows the English field name.

from allauth.mfa.webauthn.forms import AddWebAuthnForm, EditWebAuthnForm  # noqa: E402


class AddSecurityKeyForm(AddWebAuthnForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Tên khóa bảo mật")
        self.fields["name"].help_text = _("Để trống để hệ thống tự đặt tên.")


class EditSecurityKeyForm(EditWebAuthnForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Tên khóa bảo mật")
