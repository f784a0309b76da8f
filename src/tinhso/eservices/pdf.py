"""The one-stop shop's forms rendered to PDF with WeasyPrint: versioned, effective-dated templates.

Circular 01/2018/TT-VPCP (under Decree 61/2018) numbered the forms 01–06; Circular 03/2025/TT-VPCP (under Decree
118/2025, from 01/7/2025, *unconfirmed*) keeps 01–03, renames 04 and moves the control slip to 06 and the
tracking book to 07. So a form is never found by its number: `version_for(form, on=day)` picks the version in
force on the document's date, and its number, title and legal basis are printed from that version.

Fonts: DejaVu Serif (every Vietnamese diacritic, stacked marks included), from the system; no web font is loaded.
The forms are legal documents and always print in Vietnamese.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

RECEIPT, SUPPLEMENT, REFUSAL, APOLOGY, CONTROL_SLIP, TRACKING_BOOK = (
    "receipt",
    "supplement",
    "refusal",
    "apology",
    "control_slip",
    "tracking_book",
)
CIRCULAR_2018 = "Thông tư 01/2018/TT-VPCP"
CIRCULAR_2025 = "Thông tư 03/2025/TT-VPCP"
SWITCH = dt.date(2025, 7, 1)  # Decree 118/2025/NĐ-CP in force


@dataclass(frozen=True)
class FormVersion:
    form: str
    number: str
    title: str
    template: str
    basis: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    landscape: bool = False


def _pair(form, old_no, new_no, old_title, new_title, *, landscape=False) -> list[FormVersion]:
    template = f"eservices/pdf/{form}.html"
    return [
        FormVersion(
            form, old_no, old_title, template, CIRCULAR_2018, dt.date(2018, 4, 23), SWITCH - dt.timedelta(1), landscape
        ),
        FormVersion(form, new_no, new_title, template, CIRCULAR_2025, SWITCH, None, landscape),
    ]


FORMS: dict[str, list[FormVersion]] = {
    RECEIPT: _pair(RECEIPT, "01", "01", *["Giấy tiếp nhận hồ sơ và hẹn trả kết quả"] * 2),
    SUPPLEMENT: _pair(SUPPLEMENT, "02", "02", *["Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"] * 2),
    REFUSAL: _pair(REFUSAL, "03", "03", *["Phiếu từ chối tiếp nhận giải quyết hồ sơ"] * 2),
    APOLOGY: _pair(
        APOLOGY,
        "04",
        "04",
        "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
        "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
    ),
    CONTROL_SLIP: _pair(CONTROL_SLIP, "05", "06", *["Phiếu kiểm soát quá trình giải quyết hồ sơ"] * 2, landscape=True),
    TRACKING_BOOK: _pair(TRACKING_BOOK, "06", "07", *["Sổ theo dõi hồ sơ"] * 2, landscape=True),
}


def version_for(form: str, *, on: dt.date | None = None) -> FormVersion:
    """Return the version of `form` in force on `on` (today by default)."""
    day = on or timezone.localdate()
    for version in FORMS[form]:
        if version.effective_from <= day and (version.effective_to is None or day <= version.effective_to):
            return version
    raise LookupError(f"Không có mẫu {form} áp dụng ngày {day:%d/%m/%Y}.")


def render_html(form: str, context: dict, *, on: dt.date | None = None) -> str:
    version = version_for(form, on=on)
    with translation.override("vi"):
        return render_to_string(version.template, {"form": version, "landscape": version.landscape, **context})


def render(form: str, context: dict, *, on: dt.date | None = None) -> bytes:
    """Return the PDF of `form` (the version in force on `on`) filled with `context`."""
    from weasyprint import HTML

    html = render_html(form, context, on=on)
    return HTML(string=html).write_pdf()


def qr_data_uri(text: str) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=4, border=1)


def lookup_url(code: str) -> str:
    try:
        path = reverse("eservices:track", args=[code])
    except NoReverseMatch:
        path = f"/dich-vu-cong/tra-cuu/{code}/"
    return settings.SITE_URL.rstrip("/") + path


def place_of(agency) -> str:
    """Return the place name printed before the date: the commune of a commune's committee, else the province."""
    unit = getattr(agency, "unit", None)
    return getattr(unit, "short_name", "") or "Thái Nguyên"


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value else None


def common(app, *, agency=None, issued_at: dt.datetime | None = None, clerk=None) -> dict:
    """Return the context every form of one application shares."""
    agency = agency or app.receiving_agency
    return {
        "app": app,
        "agency_name": agency.name,
        "place": place_of(agency),
        "issued_at": _local(issued_at or timezone.now()),
        "clerk_name": getattr(clerk, "full_name", "") or str(clerk or ""),
        "lookup_url": lookup_url(app.code) if app.code else "",
    }
