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


# --- The catalogue as a spreadsheet ------------------------------------------------------------------------------

#: The columns of the catalogue sheet: (key, header shown in the spreadsheet).
COLUMNS = (
    ("code", "Mã thủ tục"),
    ("name", "Tên thủ tục"),
    ("sector_code", "Mã lĩnh vực"),
    ("sector_name", "Tên lĩnh vực"),
    ("authority_level", "Cấp thực hiện (province/commune)"),
    ("agency", "Mã cơ quan giải quyết"),
    ("receiving_agency", "Mã nơi tiếp nhận"),
    ("level", "Mức độ (full/partial)"),
    ("processing_time", "Thời hạn"),
    ("processing_unit", "Đơn vị thời hạn (days/hours)"),
    ("same_day_cutoff", "Giờ chốt nhận (HH:MM)"),
    ("fee_amount", "Phí, lệ phí (đồng)"),
    ("fee_note", "Ghi chú phí"),
    ("result_type", "Kết quả"),
    ("legal_basis", "Căn cứ pháp lý"),
    ("description", "Trình tự thực hiện"),
    ("conditions", "Yêu cầu, điều kiện"),
    ("is_public", "Công khai (1/0)"),
    ("effective_from", "Phiên bản áp dụng từ (dd/mm/yyyy)"),
    ("form_schema", "Biểu mẫu (JSON)"),
    ("documents", "Thành phần hồ sơ (JSON)"),
    ("steps", "Quy trình nội bộ (JSON)"),
)
SHEET_TITLE = "Thủ tục"
MAX_IMPORT_ROWS = 5000


def export_workbook(procedures) -> bytes:
    """Return the catalogue as an .xlsx file: one row per procedure with its current version."""
    import io
    import json

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    sheet.append([header for _key, header in COLUMNS])
    for procedure in procedures.select_related("sector", "agency", "receiving_agency"):
        version = procedure.current_version() or procedure.versions.order_by("-number").first()
        sheet.append(
            [
                procedure.code,
                procedure.name,
                procedure.sector.code,
                procedure.sector.name,
                procedure.authority_level,
                procedure.agency.code if procedure.agency else "",
                procedure.receiving_agency.code if procedure.receiving_agency else "",
                procedure.level,
                procedure.processing_time,
                procedure.processing_unit,
                procedure.same_day_cutoff.strftime("%H:%M") if procedure.same_day_cutoff else "",
                procedure.fee_amount,
                procedure.fee_note,
                procedure.result_type,
                procedure.legal_basis,
                procedure.description,
                procedure.conditions,
                1 if procedure.is_public else 0,
                version.effective_from.strftime("%d/%m/%Y") if version else "",
                json.dumps(version.form_schema, ensure_ascii=False) if version else "",
                json.dumps(version.documents, ensure_ascii=False) if version else "",
                json.dumps(version.steps, ensure_ascii=False) if version else "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_rows(data: bytes) -> list[dict[str, Any]]:
    """Return the data rows of a catalogue workbook as dicts keyed by column, or raise ValidationError."""
    import io
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        raise ValidationError(_("Tệp không phải bảng tính Excel (.xlsx) hợp lệ."), code="bad_file") from None
    sheet = book[SHEET_TITLE] if SHEET_TITLE in book.sheetnames else book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(cell or "").strip() for cell in next(rows, ())]
    by_header = {header_text: key for key, header_text in COLUMNS}
    keys = [by_header.get(text, text) for text in header]
    missing = [text for key, text in COLUMNS[:3] if key not in keys]
    if missing:
        raise ValidationError(_("Thiếu cột: %(cols)s.") % {"cols": ", ".join(missing)}, code="columns")
    result = []
    for values in rows:
        if not any(value not in (None, "") for value in values):
            continue
        result.append(dict(zip(keys, values, strict=False)))
        if len(result) > MAX_IMPORT_ROWS:
            raise ValidationError(_("Tối đa %(n)s dòng mỗi lần nhập.") % {"n": MAX_IMPORT_ROWS}, code="too_many")
    return result


def _text(row: dict, key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _json(row: dict, key: str, default):
    import json

    text = _text(row, key)
    if not text:
        return default
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(
            _("Cột “%(col)s”: JSON không hợp lệ (%(msg)s).") % {"col": dict(COLUMNS)[key], "msg": error.msg}
        ) from None


def _int(row: dict, key: str, default: int = 0) -> int:
    value = row.get(key)
    if value in (None, ""):
        return default
    try:
        number = int(float(str(value).replace(".", "").replace(",", ".")) if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise ValidationError(_("Cột “%(col)s” phải là số.") % {"col": dict(COLUMNS)[key]}) from None
    if number < 0:
        raise ValidationError(_("Cột “%(col)s” không được âm.") % {"col": dict(COLUMNS)[key]})
    return number


def import_row(row: dict, *, actor) -> str:
    """Create or update one procedure (and, if its form, documents or steps changed, its version) from a row.

    Return "created", "updated" or "unchanged"; raise ValidationError with Vietnamese messages for a bad row.
    A version already used by an application is never edited: a changed row adds the next version.
    """
    from django.db import transaction

    from tinhso.core import audit
    from tinhso.core.models import Agency
    from tinhso.eservices.models import AuthorityLevel, Level, Procedure, ProcedureVersion, Sector, TimeUnit

    problems = []
    code, name = _text(row, "code"), _text(row, "name")
    if not code:
        problems.append(_("Thiếu mã thủ tục."))
    if not name:
        problems.append(_("Thiếu tên thủ tục."))
    authority = _text(row, "authority_level") or AuthorityLevel.PROVINCE
    if authority not in AuthorityLevel.values:
        problems.append(_("Cấp thực hiện phải là province hoặc commune."))
    level = _text(row, "level") or Level.PARTIAL
    if level not in Level.values:
        problems.append(_("Mức độ phải là full hoặc partial."))
    unit = _text(row, "processing_unit") or TimeUnit.DAYS
    if unit not in TimeUnit.values:
        problems.append(_("Đơn vị thời hạn phải là days hoặc hours."))
    agencies = {}
    for key in ("agency", "receiving_agency"):
        agency_code = _text(row, key)
        agencies[key] = Agency.objects.filter(code=agency_code).first() if agency_code else None
        if agency_code and agencies[key] is None:
            problems.append(_("Không có cơ quan mã “%(code)s”.") % {"code": agency_code})
    if authority == AuthorityLevel.PROVINCE and not _text(row, "agency"):
        problems.append(_("Thủ tục cấp tỉnh cần mã cơ quan giải quyết."))
    cutoff, effective = None, dt.date.today()
    try:
        text = _text(row, "same_day_cutoff")
        cutoff = dt.time.fromisoformat(text[:5]) if text else None
    except ValueError:
        problems.append(_("Giờ chốt nhận phải có dạng HH:MM."))
    value = row.get("effective_from")
    if isinstance(value, dt.datetime):
        effective = value.date()
    elif isinstance(value, dt.date):
        effective = value
    elif value not in (None, ""):
        try:
            effective = dt.datetime.strptime(str(value).strip(), "%d/%m/%Y").date()
        except ValueError:
            problems.append(_("Ngày áp dụng phải có dạng dd/mm/yyyy."))
    numbers = {}
    for key in ("processing_time", "fee_amount"):
        try:
            numbers[key] = _int(row, key)
        except ValidationError as error:
            problems.extend(error.messages)
    content = {}
    for key, default, check in (
        ("form_schema", {"fields": []}, validate_schema),
        ("documents", [], validate_documents),
        ("steps", [], validate_steps),
    ):
        try:
            content[key] = _json(row, key, default)
            problems.extend(check(content[key]))
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError(problems)

    with transaction.atomic():
        sector, _new = Sector.objects.get_or_create(
            code=_text(row, "sector_code")[:40] or "khac", defaults={"name": _text(row, "sector_name") or _("Khác")}
        )
        fields = {
            "name": name,
            "sector": sector,
            "authority_level": authority,
            "agency": agencies["agency"],
            "receiving_agency": agencies["receiving_agency"],
            "level": level,
            "processing_time": numbers["processing_time"],
            "processing_unit": unit,
            "same_day_cutoff": cutoff,
            "fee_amount": numbers["fee_amount"],
            "fee_note": _text(row, "fee_note"),
            "result_type": _text(row, "result_type")[:300],
            "legal_basis": _text(row, "legal_basis"),
            "description": _text(row, "description"),
            "conditions": _text(row, "conditions"),
            "is_public": _text(row, "is_public") not in ("0", "False", "false", "không"),
        }
        procedure = Procedure.objects.filter(code=code).first()
        outcome = "unchanged"
        if procedure is None:
            procedure = Procedure.objects.create(code=code, **fields)
            outcome = "created"
        elif any(getattr(procedure, key) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(procedure, key, value)
            procedure.save()
            outcome = "updated"
        latest = procedure.versions.order_by("-number").first()
        same = latest and all(getattr(latest, key) == value for key, value in content.items())
        if latest is None or (not same and latest.is_frozen):
            ProcedureVersion.objects.create(
                procedure=procedure,
                number=(latest.number + 1) if latest else 1,
                effective_from=effective,
                legal_basis=fields["legal_basis"],
                **content,
            )
            outcome = "created" if outcome == "created" else "updated"
        elif not same:
            for key, value in content.items():
                setattr(latest, key, value)
            latest.effective_from = effective
            latest.save()
            outcome = "updated"
        if outcome != "unchanged":
            audit.record(
                actor=actor, action=f"eservices.procedure_{outcome}", obj=procedure, extra={"source": "import"}
            )
    return outcome


def run_import(import_id: int) -> None:
    """Import a stored catalogue upload row by row, recording progress and each bad row's errors."""
    from django.utils import timezone

    from tinhso.eservices.models import CatalogueImport

    job = CatalogueImport.objects.select_related("created_by").get(pk=import_id)
    if job.state not in (CatalogueImport.State.PENDING, CatalogueImport.State.RUNNING):
        return  # already done: a re-run of the task changes nothing
    try:
        with job.file.open("rb") as handle:
            rows = read_rows(handle.read())
    except ValidationError as error:
        job.state, job.errors, job.finished_at = (
            CatalogueImport.State.FAILED,
            [{"row": 0, "messages": error.messages}],
            timezone.now(),
        )
        job.save()
        return
    job.state, job.total_rows, job.processed_rows, job.errors = CatalogueImport.State.RUNNING, len(rows), 0, []
    job.created_count = job.updated_count = 0
    job.save()
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        try:
            outcome = import_row(row, actor=job.created_by)
        except ValidationError as error:
            job.errors.append({"row": number, "code": _text(row, "code"), "messages": error.messages})
        else:
            job.created_count += outcome == "created"
            job.updated_count += outcome == "updated"
        job.processed_rows += 1
        job.save(update_fields=["processed_rows", "created_count", "updated_count", "errors"])
    job.state, job.finished_at = CatalogueImport.State.DONE, timezone.now()
    job.save(update_fields=["state", "finished_at"])
