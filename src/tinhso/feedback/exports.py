"""CSV and Excel exports of the statistics and of a staff member's case list, with Vietnamese headers.

CSV files are UTF-8 with a byte-order mark, `;`-separated, decimals with a comma and dates dd/mm/yyyy, so that
Excel in a Vietnamese locale opens them as they are. Excel files carry real numbers and dates (shown
dd/mm/yyyy). CSV streams row by row; Excel files are built in openpyxl's write-only mode and capped at
MAX_XLSX_ROWS cases.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from tinhso.feedback.stats import Row, Statistics

MAX_XLSX_ROWS = 50_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Table = tuple[str, list[str], list[list]]


def _local(value: dt.datetime | None) -> dt.datetime | None:
    # Excel has no time zones: write the local wall-clock time.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """Stream `rows` (the header first) as a CSV attachment."""
    writer = csv.writer(_Echo(), delimiter=";")

    def lines() -> Iterator[str]:
        yield "\ufeff"
        for row in rows:
            yield writer.writerow([_csv_text(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(tables: Iterable[Table], filename: str) -> FileResponse:
    """Return an Excel workbook with one sheet per (title, headers, rows) table."""
    workbook = Workbook(write_only=True)
    for title, headers, rows in tables:
        sheet = workbook.create_sheet(title=title[:31])
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = Font(bold=True)
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def _xlsx_cell(sheet, value):
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "dd/mm/yyyy hh:mm"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "dd/mm/yyyy"
        return cell
    return value


# --- Statistics ------------------------------------------------------------------------------------------------


def _row_headers(first: str) -> list[str]:
    return [
        first,
        pgettext("statistics column", "Tiếp nhận"),
        _("Đã trả lời"),
        pgettext("statistics column", "Từ chối"),
        _("Quá hạn"),
        _("Tiếp nhận đúng hạn (%)"),
        _("Trả lời đúng hạn (%)"),
        _("Hài lòng (%)"),
    ]


def _row_values(row: Row) -> list:
    c = row.counts
    return [row.label, c.received, c.answered, c.rejected, c.overdue, c.accept_rate, c.answer_rate, c.satisfaction_rate]


def stats_tables(result: Statistics) -> list[Table]:
    """Return the statistics as tables: the summary, then each breakdown and the trend."""
    t, h, f = result.totals, result.handling, result.filters
    summary = [
        [_("Từ ngày"), f.start],
        [_("Đến ngày"), f.end],
        [_("Số phản ánh tiếp nhận"), t.received],
        [_("Đã trả lời"), t.answered],
        [pgettext("statistics column", "Từ chối"), t.rejected],
        [_("Đang xử lý"), t.open],
        [_("Quá hạn"), t.overdue],
        [_("Tỷ lệ tiếp nhận đúng hạn (%)"), t.accept_rate],
        [_("Tỷ lệ trả lời đúng hạn (%)"), t.answer_rate],
        [_("Số phản ánh được gia hạn"), t.extended],
        [_("Số phản ánh bị mở lại"), t.reopened],
        [_("Tỷ lệ hài lòng (%)"), t.satisfaction_rate],
        [_("Thời gian xử lý bình quân (giờ làm việc)"), h.hours],
        [_("Thời gian xử lý bình quân (ngày làm việc)"), h.days],
        [_("Số phản ánh dùng để tính thời gian xử lý"), h.sample],
    ]
    trend_title = _("Theo tuần") if result.trend_unit == "week" else _("Theo tháng")
    trend_first = _("Tuần bắt đầu") if result.trend_unit == "week" else _("Tháng")
    return [
        (_("Tổng hợp"), [_("Chỉ tiêu"), _("Giá trị")], summary),
        (_("Lĩnh vực"), _row_headers(_("Lĩnh vực")), [_row_values(r) for r in result.by_category]),
        (_("Xã, phường"), _row_headers(_("Xã, phường")), [_row_values(r) for r in result.by_unit]),
        (_("Cơ quan xử lý"), _row_headers(_("Cơ quan xử lý")), [_row_values(r) for r in result.by_agency]),
        (_("Kênh"), _row_headers(_("Kênh")), [_row_values(r) for r in result.by_channel]),
        (trend_title, _row_headers(trend_first), [_row_values(r) for r in result.trend]),
    ]


def stats_csv_rows(result: Statistics) -> Iterator[list]:
    """Return every table as rows of one CSV: the table's title, then its columns."""
    tables = stats_tables(result)
    yield [_("Nhóm"), *_row_headers(_("Tên"))]
    for title, _headers, rows in tables:
        for row in rows:
            yield [title, *row]


# --- Case list -------------------------------------------------------------------------------------------------


def case_headers() -> list[str]:
    return [
        _("Mã phản ánh"),
        _("Ngày gửi"),
        _("Lĩnh vực"),
        _("Mức độ"),
        _("Kênh"),
        _("Trạng thái"),
        _("Xã, phường"),
        _("Cơ quan xử lý"),
        _("Hạn tiếp nhận"),
        _("Tiếp nhận lúc"),
        _("Hạn trả lời"),
        _("Trả lời lúc"),
        _("Trả lời đúng hạn"),
        _("Số lần mở lại"),
        _("Đánh giá"),
        _("Địa chỉ"),
        _("Nội dung"),
    ]


def case_rows(qs: QuerySet, *, limit: int | None = None) -> Iterator[list]:
    """Yield one row per case (no reporter's name, phone or e-mail), at most `limit` rows."""
    qs = (
        qs.select_related("category", "unit", "agency")
        .defer("search_text", "reporter_name", "reporter_phone", "reporter_email", "attributes")
        .order_by("-created_at", "-pk")
    )
    if limit is not None:
        qs = qs[:limit]
    yes, no = _("Có"), _("Không")
    for report in qs.iterator(chunk_size=2000):
        on_time = ""
        if report.answered_at and report.answer_due_at:
            on_time = yes if report.answered_at <= report.answer_due_at and not report.reopened_count else no
        yield [
            report.code,
            _local(report.created_at),
            report.category.name,
            report.get_level_display(),
            report.get_channel_display(),
            report.get_status_display(),
            report.unit.name if report.unit else "",
            report.agency.name if report.agency else "",
            _local(report.accept_due_at),
            _local(report.accepted_at),
            _local(report.answer_due_at),
            _local(report.answered_at),
            on_time,
            report.reopened_count,
            report.get_rating_display() if report.rating else "",
            report.address,
            report.description,
        ]


def cases_csv(qs: QuerySet, filename: str) -> StreamingHttpResponse:
    """Stream the cases as CSV."""

    def rows() -> Iterator[list]:
        yield case_headers()
        yield from case_rows(qs)

    return csv_response(rows(), filename)


def cases_xlsx(qs: QuerySet, filename: str) -> FileResponse:
    """Return the cases (at most MAX_XLSX_ROWS, newest first) as an Excel workbook."""

    def rows() -> Iterator[list]:
        for count, row in enumerate(case_rows(qs, limit=MAX_XLSX_ROWS + 1), start=1):
            if count > MAX_XLSX_ROWS:
                limit = f"{MAX_XLSX_ROWS:,}".replace(",", ".")
                yield [_("Chỉ xuất %(n)s phản ánh mới nhất; hãy thu hẹp bộ lọc.") % {"n": limit}]
                return
            yield row

    return xlsx_response([(_("Phản ánh"), case_headers(), rows())], filename)
