"""The catalogue's data rules: the shape of a version's form schema, documents and steps, and the web form built
from a schema, with field-level Vietnamese messages."""

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.core.phone import normalize_phone

FIELD_TYPES = (
    "text",
    "textarea",
    "integer",
    "decimal",
    "date",
    "email",
    "phone",
    "id_number",
    "choice",
    "checkbox",
)
#: Profile attributes a field may be prefilled from (see `prefill_values`).
PREFILL_KEYS = ("full_name", "phone", "email", "address", "id_number", "date_of_birth")
STEP_ROLES = ("clerk", "leader", "commune_official")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

MESSAGES = {
    "required": gettext_lazy("Vui lòng nhập %(label)s."),
    "invalid": gettext_lazy("%(label)s không hợp lệ."),
}


def validate_schema(schema: Any) -> list[str]:
    """Return the problems of a form schema (empty when it is valid)."""
    if not isinstance(schema, dict) or not isinstance(schema.get("fields", []), list):
        return [_('Biểu mẫu phải có dạng {"fields": [...]}.')]
    problems, seen = [], set()
    for position, field in enumerate(schema.get("fields", []), start=1):
        if not isinstance(field, dict):
            problems.append(_("Trường thứ %(n)s không hợp lệ.") % {"n": position})
            continue
        name = str(field.get("name", ""))
        if not _NAME.match(name):
            problems.append(_("Trường thứ %(n)s: tên “%(name)s” không hợp lệ.") % {"n": position, "name": name})
        if name in seen:
            problems.append(_("Trường “%(name)s” bị trùng.") % {"name": name})
        seen.add(name)
        if not field.get("label"):
            problems.append(_("Trường “%(name)s” thiếu nhãn.") % {"name": name})
        if field.get("type", "text") not in FIELD_TYPES:
            problems.append(
                _("Trường “%(name)s”: kiểu “%(type)s” không hỗ trợ.") % {"name": name, "type": field["type"]}
            )
        if field.get("type") == "choice" and not field.get("choices"):
            problems.append(_("Trường “%(name)s” cần danh sách lựa chọn.") % {"name": name})
        if field.get("prefill") and field["prefill"] not in PREFILL_KEYS:
            problems.append(
                _("Trường “%(name)s”: không điền sẵn được từ “%(key)s”.") % {"name": name, "key": field["prefill"]}
            )
        if field.get("pattern"):
            try:
                re.compile(field["pattern"])
            except re.error:
                problems.append(_("Trường “%(name)s”: biểu thức kiểm tra sai.") % {"name": name})
    return problems


def validate_documents(documents: Any) -> list[str]:
    """Return the problems of a required-documents list (thành phần hồ sơ)."""
    if not isinstance(documents, list):
        return [_("Thành phần hồ sơ phải là một danh sách.")]
    problems, seen = [], set()
    for position, doc in enumerate(documents, start=1):
        if not isinstance(doc, dict) or not doc.get("name"):
            problems.append(_("Giấy tờ thứ %(n)s thiếu tên.") % {"n": position})
            continue
        code = str(doc.get("code", ""))
        if not _NAME.match(code) or code in seen:
            problems.append(
                _("Giấy tờ thứ %(n)s: mã “%(code)s” không hợp lệ hoặc bị trùng.") % {"n": position, "code": code}
            )
        seen.add(code)
        for key in ("original", "copy"):
            if not isinstance(doc.get(key, 0), int) or doc.get(key, 0) < 0:
                problems.append(_("Giấy tờ “%(code)s”: số bản phải là số nguyên không âm.") % {"code": code})
    return problems


def validate_steps(steps: Any) -> list[str]:
    """Return the problems of an internal process (quy trình nội bộ)."""
    if not isinstance(steps, list):
        return [_("Quy trình phải là một danh sách bước.")]
    problems = []
    codes = [str(step.get("code", "")) for step in steps if isinstance(step, dict)]
    for position, step in enumerate(steps, start=1):
        if not isinstance(step, dict) or not step.get("name"):
            problems.append(_("Bước %(n)s thiếu tên.") % {"n": position})
            continue
        hours = step.get("hours", 0)
        if not isinstance(hours, int | float) or hours < 0:
            problems.append(_("Bước %(n)s: số giờ không hợp lệ.") % {"n": position})
        if step.get("role", "clerk") not in STEP_ROLES:
            problems.append(_("Bước %(n)s: vai trò “%(role)s” không hợp lệ.") % {"n": position, "role": step["role"]})
        branch = step.get("branch")
        if branch and (not isinstance(branch, dict) or branch.get("goto") not in codes):
            problems.append(_("Bước %(n)s: nhánh rẽ phải chỉ tới một bước có trong quy trình.") % {"n": position})
    if len(set(codes)) != len(codes):
        problems.append(_("Mã bước bị trùng."))
    return problems


def _id_number(value: str) -> str:
    value = re.sub(r"\s+", "", value or "")
    if not re.fullmatch(r"\d{12}", value):
        raise ValidationError(_("Số định danh cá nhân (CCCD) gồm đúng 12 chữ số."), code="invalid")
    return value


def _phone(value: str) -> str:
    try:
        return normalize_phone(value)
    except ValidationError:
        raise ValidationError(_("Số điện thoại không hợp lệ (ví dụ 0912345678)."), code="invalid") from None


def _form_field(spec: dict) -> forms.Field:
    label = spec.get("label") or spec["name"]
    kind = spec.get("type", "text")
    required = bool(spec.get("required"))
    messages = {
        "required": MESSAGES["required"] % {"label": label.lower()},
        "invalid": MESSAGES["invalid"] % {"label": label},
    }
    common = {"label": label, "required": required, "help_text": spec.get("help", ""), "error_messages": messages}
    if kind == "textarea":
        field = forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3}), max_length=spec.get("max_length", 4000), **common
        )
    elif kind == "integer":
        field = forms.IntegerField(min_value=spec.get("min"), max_value=spec.get("max"), **common)
        field.error_messages["min_value"] = _("%(label)s phải từ %(min)s trở lên.") % {
            "label": label,
            "min": spec.get("min"),
        }
        field.error_messages["max_value"] = _("%(label)s không được lớn hơn %(max)s.") % {
            "label": label,
            "max": spec.get("max"),
        }
    elif kind == "decimal":
        field = forms.DecimalField(min_value=spec.get("min"), max_value=spec.get("max"), **common)
    elif kind == "date":
        field = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        field.input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
    elif kind == "email":
        field = forms.EmailField(**common)
    elif kind == "choice":
        choices = [("", "---------")] + [tuple(choice) for choice in spec.get("choices", [])]
        field = forms.ChoiceField(choices=choices, **common)
        field.error_messages["invalid_choice"] = _("Vui lòng chọn một giá trị trong danh sách.")
    elif kind == "checkbox":
        field = forms.BooleanField(**common)
    else:
        field = forms.CharField(max_length=spec.get("max_length", 500), min_length=spec.get("min_length"), **common)
        if kind in ("phone", "id_number"):
            field.widget.attrs["inputmode"] = "numeric"
    if isinstance(field, forms.CharField):
        field.error_messages["max_length"] = _("%(label)s dài tối đa %%(limit_value)d ký tự.") % {"label": label}
        field.error_messages["min_length"] = _("%(label)s cần ít nhất %%(limit_value)d ký tự.") % {"label": label}
    if spec.get("pattern"):
        message = spec.get("pattern_message") or _("%(label)s không đúng định dạng.") % {"label": label}
        field.validators.append(RegexValidator(spec["pattern"], message=message))
    return field


class SchemaForm(forms.Form):
    """A form whose fields come from a procedure version's schema; `json_data()` is what an application stores."""

    def __init__(self, *args, schema: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.specs = {spec["name"]: spec for spec in (schema or {}).get("fields", [])}
        for name, spec in self.specs.items():
            self.fields[name] = _form_field(spec)

    def clean(self):
        cleaned = super().clean()
        for name, spec in self.specs.items():
            value = cleaned.get(name)
            if value in (None, "") or name in self.errors:
                continue
            try:
                if spec.get("type") == "phone":
                    cleaned[name] = _phone(value)
                elif spec.get("type") == "id_number":
                    cleaned[name] = _id_number(value)
            except ValidationError as error:
                self.add_error(name, error)
        return cleaned

    def json_data(self) -> dict[str, Any]:
        return {name: to_json(self.cleaned_data.get(name)) for name in self.specs}


def to_json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def display_value(spec: dict, value: Any) -> str:
    """Return a stored answer as the applicant sees it on the check-your-answers page."""
    if value in (None, ""):
        return "—"
    kind = spec.get("type", "text")
    if kind == "date":
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except (TypeError, ValueError):
            return str(value)
    if kind == "checkbox":
        return _("Có") if value else _("Không")
    if kind == "choice":
        return dict(tuple(c) for c in spec.get("choices", [])).get(value, str(value))
    return str(value)


def prefill_values(user, schema: dict) -> dict[str, Any]:
    """Return the answers the applicant's profile already gives (the once-only principle)."""
    if user is None or not user.is_authenticated:
        return {}
    try:
        profile = user.identity
    except Exception:  # no identity profile yet: prefill from the account only
        profile = None
    known = {
        "full_name": user.full_name,
        "phone": user.phone,
        "email": user.email,
        "address": getattr(profile, "address", "") if profile else "",
        "id_number": getattr(profile, "id_number", "") if profile else "",
        "date_of_birth": to_json(getattr(profile, "birth_date", None)) if profile else None,
    }
    values = {}
    for spec in (schema or {}).get("fields", []):
        key = spec.get("prefill")
        if key and known.get(key):
            values[spec["name"]] = known[key]
    return values
