"""Forms of the citizen's side of the 1022 module: the report form, the code lookup, rating and supplement."""

import io
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from tinhso.core.phone import normalize_phone
from tinhso.feedback import uploads
from tinhso.feedback.actions import MAX_DESCRIPTION
from tinhso.feedback.models import Category, Report

PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "MPO", "GIF", "HEIF")


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to uploads.MAX_PHOTOS photos, each sniffed by its content; errors name the file."""

    widget = MultiplePhotoInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.max_count = uploads.MAX_PHOTOS

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > self.max_count:
            raise ValidationError(
                gettext("Chỉ được gửi tối đa %(n)s ảnh; ông/bà đã chọn %(count)s ảnh.")
                % {"n": self.max_count, "count": len(files)},
                code="too_many",
            )
        errors = [error for f in files if (error := photo_error(f))]
        if errors:
            raise ValidationError(errors)
        return files


def photo_error(upload) -> str | None:
    """Return why `upload` is not an acceptable photo, or None; the full re-encoding happens in the action."""
    limit = uploads.MAX_PHOTO_BYTES
    if upload.size > limit:
        return gettext("Ảnh “%(name)s” quá lớn (%(size)s MB; tối đa %(mb)s MB).") % {
            "name": upload.name,
            "size": f"{upload.size / (1024 * 1024):.1f}".replace(".", ","),
            "mb": limit // (1024 * 1024),
        }
    try:
        data = upload.read()
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError, ValueError):
        kind = None
    finally:
        upload.seek(0)
    if kind not in PHOTO_FORMATS:
        return gettext("Tệp “%(name)s” không phải là ảnh (chỉ nhận ảnh JPEG, PNG, WebP hoặc HEIC).") % {
            "name": upload.name
        }
    return None


def category_choices() -> list:
    """Return the active categories as select choices grouped by their group (lĩnh vực)."""
    groups: dict[str, list] = {}
    for category in Category.objects.filter(is_active=True).order_by("group", "sort_order", "name"):
        groups.setdefault(category.group or gettext("Khác"), []).append((category.code, category.name))
    return [("", gettext("— Chọn lĩnh vực —")), *groups.items()]


class ReportForm(forms.Form):
    """The citizen's report; its values go to actions.submit_report unchanged in meaning."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    category = forms.ChoiceField(label=_("Lĩnh vực"), error_messages={"required": _("Vui lòng chọn lĩnh vực.")})
    description = forms.CharField(
        label=_("Nội dung phản ánh"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Mô tả sự việc, thời gian, mốc gần nhất. Không ghi số căn cước hay thông tin riêng tư."),
        error_messages={
            "required": _("Vui lòng mô tả nội dung phản ánh."),
            "max_length": _("Nội dung dài quá %(limit_value)d ký tự (hiện có %(show_value)d)."),
        },
    )
    lon = forms.FloatField(
        label=_("Kinh độ"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"invalid": _("Kinh độ phải là một số.")},
    )
    lat = forms.FloatField(
        label=_("Vĩ độ"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"invalid": _("Vĩ độ phải là một số.")},
    )
    address = forms.CharField(
        label=_("Hoặc địa chỉ"),
        max_length=255,
        required=False,
        help_text=_("Ví dụ: số 12 đường Hoàng Văn Thụ, phường Phan Đình Phùng. Có thể ghi tên xã, huyện cũ."),
    )
    photos = PhotosField(
        label=_("Ảnh (tối đa 5 ảnh)"),
        help_text=_("Ảnh JPEG, PNG, WebP hoặc HEIC, mỗi ảnh tối đa 10 MB. Vị trí GPS trong ảnh được xóa."),
    )
    reporter_name = forms.CharField(label=_("Họ và tên"), max_length=150, required=False)
    reporter_phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("Để nhận mã phản ánh và kết quả qua tin nhắn."),
    )
    reporter_email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )
    is_anonymous = forms.BooleanField(
        label=_("Gửi ẩn danh"),
        required=False,
        help_text=_("Cơ quan xử lý không thấy họ tên của ông/bà; không áp dụng cho mọi lĩnh vực."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["photos"].widget.attrs.update(
            {
                "accept": "image/*",
                "data-max": uploads.MAX_PHOTOS,
                "data-too-many": gettext("Chỉ được gửi tối đa %(n)s ảnh.") % {"n": uploads.MAX_PHOTOS},
            }
        )
        # Read by public.js to hide the anonymous option where the category refuses it.
        closed = Category.objects.filter(is_active=True, allows_anonymous=False).values_list("code", flat=True)
        self.fields["category"].widget.attrs["data-no-anonymous"] = " ".join(closed)
        self.attribute_fields: dict[str, list[str]] = {}
        self.attribute_names: dict[str, str] = {}
        for category in Category.objects.filter(is_active=True).exclude(attributes=[]).order_by("sort_order"):
            self._add_attribute_fields(category)

    def _add_attribute_fields(self, category: Category) -> None:
        names = []
        for attribute in sorted(category.attributes or [], key=lambda a: a.get("order", 0)):
            code = str(attribute.get("code", "")).strip()
            if not code:
                continue
            name = f"attr-{category.code}-{code}"
            self.fields[name] = attribute_field(attribute)
            self.fields[name].answer_required = bool(attribute.get("required"))
            names.append(name)
        if names:
            self.attribute_fields[category.code] = names
            self.attribute_names[category.code] = category.name

    def clean_category(self) -> Category:
        category = Category.objects.filter(code=self.cleaned_data["category"], is_active=True).first()
        if category is None:
            raise ValidationError(gettext("Lĩnh vực không hợp lệ."))
        return category

    def clean_reporter_phone(self) -> str:
        phone = self.cleaned_data["reporter_phone"].strip()
        if not phone:
            return ""
        try:
            return normalize_phone(phone)
        except ValidationError:
            raise ValidationError(gettext("Số điện thoại không hợp lệ; ví dụ 0912 345 678.")) from None

    def clean(self):
        cleaned = super().clean()
        category = cleaned.get("category")
        # Every category's questions are on the page; only the chosen category's required ones must be answered.
        for name in self.attribute_fields.get(getattr(category, "code", None), []):
            if self.fields[name].answer_required and cleaned.get(name) in (None, "", []) and name not in self.errors:
                self.add_error(name, gettext("Vui lòng trả lời câu hỏi này."))
        if (cleaned.get("lon") is None) != (cleaned.get("lat") is None):
            self.add_error("lat", gettext("Cần cả kinh độ và vĩ độ; hãy chọn lại điểm trên bản đồ."))
        elif cleaned.get("lon") is None and not cleaned.get("address", "").strip() and "lat" not in self.errors:
            self.add_error("address", gettext("Vui lòng chọn vị trí trên bản đồ hoặc nhập địa chỉ."))
        if cleaned.get("is_anonymous") and category is not None and not category.allows_anonymous:
            self.add_error("is_anonymous", gettext("Lĩnh vực này không nhận phản ánh ẩn danh."))
        return cleaned

    def attributes(self) -> dict:
        """Return the chosen category's answers keyed by attribute code (lists for multi-value ones)."""
        category = self.cleaned_data["category"]
        prefix = f"attr-{category.code}-"
        values = {}
        for name in self.attribute_fields.get(category.code, []):
            value = self.cleaned_data.get(name)
            if value not in (None, "", []):
                values[name.removeprefix(prefix)] = value.isoformat() if hasattr(value, "isoformat") else value
        return values

    def attribute_groups(self) -> list[tuple[str, str, list]]:
        """Return (category code, category name, bound fields) for the template."""
        return [
            (code, self.attribute_names[code], [self[name] for name in names])
            for code, names in self.attribute_fields.items()
        ]


def attribute_field(attribute: dict) -> forms.Field:
    """Return a form field for an Open311 attribute definition."""
    datatype = attribute.get("datatype", "string")
    options = {
        "label": attribute.get("description") or attribute.get("code"),
        "required": False,
        "help_text": attribute.get("datatype_description", ""),
        "error_messages": {"invalid": gettext("Giá trị không hợp lệ.")},
    }
    values = [(str(v.get("key")), v.get("name") or v.get("key")) for v in attribute.get("values") or []]
    if datatype == "number":
        return forms.DecimalField(**options)
    if datatype == "datetime":
        return forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **options)
    if datatype == "text":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, **options)
    if datatype == "singlevaluelist":
        return forms.ChoiceField(choices=[("", "—"), *values], **options)
    if datatype == "multivaluelist":
        return forms.MultipleChoiceField(choices=values, widget=forms.CheckboxSelectMultiple, **options)
    return forms.CharField(max_length=255, **options)


def new_token() -> str:
    return str(uuid.uuid4())


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã phản ánh"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "PA-2026-000123", "autocapitalize": "characters"}),
        error_messages={"required": _("Vui lòng nhập mã phản ánh.")},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split()).upper()
        if not Report.objects.filter(code=code).exists():
            raise ValidationError(gettext("Không tìm thấy phản ánh có mã %(code)s.") % {"code": code})
        return code


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Ông/bà có hài lòng với trả lời không?"),
        choices=Report.Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn mức đánh giá.")},
    )
    reason = forms.CharField(
        label=_("Lý do chưa hài lòng"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    k = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("rating") == Report.Rating.UNSATISFIED and not cleaned.get("reason", "").strip():
            self.add_error("reason", gettext("Vui lòng cho biết vì sao ông/bà chưa hài lòng."))
        return cleaned


class SupplementForm(forms.Form):
    """The reporter's answer to a request for more information, with photos up to the case's limit in all."""

    text = forms.CharField(
        label=_("Thông tin bổ sung"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Vui lòng nhập thông tin bổ sung.")},
    )
    photos = PhotosField(label=_("Ảnh bổ sung"))

    def __init__(self, *args, photos_so_far: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        room = max(uploads.MAX_PHOTOS - photos_so_far, 0)
        field = self.fields["photos"]
        field.max_count = room
        if room:
            field.help_text = gettext("Có thể gửi thêm %(room)s ảnh, mỗi ảnh tối đa 10 MB; vị trí GPS được xóa.") % {
                "room": room
            }
            msg = gettext("Chỉ được gửi thêm tối đa %(n)s ảnh.") % {"n": room}
            field.widget.attrs.update({"accept": "image/*", "data-max": room, "data-too-many": msg})
        else:
            field.widget = forms.HiddenInput()
            field.help_text = ""


class FollowForm(forms.Form):
    code = forms.CharField(max_length=20)
    reporter_phone = forms.CharField(max_length=20, required=False)
    reporter_email = forms.EmailField(
        required=False, error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")}
    )

    def clean_reporter_phone(self) -> str:
        phone = self.cleaned_data["reporter_phone"].strip()
        if not phone:
            return ""
        try:
            return normalize_phone(phone)
        except ValidationError:
            raise ValidationError(gettext("Số điện thoại không hợp lệ; ví dụ 0912 345 678.")) from None
