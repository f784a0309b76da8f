"""Importing a data set's figures from Excel (.xlsx) or CSV, all or nothing, and exporting them.

The file has one row per cell: indicator code, unit code, period, value, jump confirmation, note. Every row is
checked first, with the same rules as the form (`entry.check_cells`); only a file without a single error is
applied, in one transaction, as drafts of the periods it covers. Errors name the sheet, row and column.
"""

import csv
import io
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.indicators import actions, periods
from tinhso.indicators.datasets import units_of
from tinhso.indicators.entry import blank_cells, check_cells, members_of, parse_number, vi_number
from tinhso.indicators.models import DataSet, ImportJob, Submission

logger = logging.getLogger(__name__)

COLUMNS = ["Mã chỉ tiêu", "Mã địa bàn", "Kỳ", "Giá trị", "Xác nhận biến động", "Ghi chú"]
_LETTERS = "ABCDEF"
MAX_BYTES = 20 * 1024 * 1024
MAX_ERRORS = 500
_PROGRESS_EVERY = 5000


def start_import(*, dataset: DataSet, upload, actor) -> ImportJob:
    """Store an uploaded file and queue its import; refuse files of the wrong kind or size."""
    from tinhso.indicators import tasks

    if not actions.can_enter(actor, dataset):
        raise PermissionDenied
    if upload is None:
        raise ValidationError(_("Chọn tệp Excel (.xlsx) hoặc CSV để nhập."))
    name = upload.name or ""
    if not name.lower().endswith((".xlsx", ".csv")):
        raise ValidationError(_("Chỉ nhận tệp Excel (.xlsx) hoặc CSV."))
    if upload.size > MAX_BYTES:
        raise ValidationError(_("Tệp quá lớn (tối đa 20 MB)."))
    with transaction.atomic():
        job = ImportJob.objects.create(dataset=dataset, file_name=name[:255], content=upload.read(), created_by=actor)
        transaction.on_commit(lambda: tasks.run_import.enqueue(job.pk))
    return job


def _read_rows(name: str, content: bytes):
    """Yield (sheet, row number, values) for every data row, the header row skipped."""
    if name.lower().endswith(".csv"):
        text = content.decode("utf-8-sig", errors="replace")
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t") if text.strip() else csv.excel
        for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            if number > 1 and any(c.strip() for c in row):
                yield "CSV", number, row
        return
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        raise ValidationError(_("Không đọc được tệp Excel: %(error)s") % {"error": type(exc).__name__}) from exc
    try:
        for sheet in book.worksheets:
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > 1 and any(c not in (None, "") for c in row):
                    yield sheet.title, number, list(row)
    finally:
        book.close()


def _error(sheet, row, column, message) -> dict:
    return {"sheet": sheet, "row": row, "column": _LETTERS[column] if column is not None else "", "message": message}


def describe(error: dict) -> str:
    """Return an error as a sentence: Trang “Sheet1”, dòng 5, cột D (Giá trị): …"""
    where = _("Trang “%(sheet)s”, dòng %(row)s") % {"sheet": error["sheet"], "row": error["row"]}
    if error["column"]:
        index = _LETTERS.index(error["column"])
        where += _(", cột %(column)s (%(name)s)") % {"column": error["column"], "name": COLUMNS[index]}
    return f"{where}: {error['message']}"


def check_file(*, dataset: DataSet, name: str, content: bytes, progress=None) -> tuple[dict, list[dict], int]:
    """Return the form data per period the file holds, the errors, and the number of rows read."""
    members = {m.indicator.code: m for m in members_of(dataset)}
    units = {u.code: u for u in units_of(dataset)}
    locked = set(
        Submission.objects.filter(dataset=dataset)
        .exclude(state__in=[Submission.State.DRAFT, Submission.State.RETURNED])
        .values_list("period_start", flat=True)
    )
    by_period: dict = {}
    where: dict = {}
    errors: list[dict] = []
    count = 0
    for sheet, number, row in _read_rows(name, content):
        count += 1
        if progress and count % _PROGRESS_EVERY == 0:
            progress(count)
        row = list(row) + [None] * (6 - len(row))
        code, unit_code, period_code, raw, confirm, note = row[:6]
        code, unit_code = str(code or "").strip(), str(unit_code or "").strip()
        bad = False
        if code not in members:
            errors.append(
                _error(sheet, number, 0, _("Mã chỉ tiêu “%(code)s” không có trong bộ số liệu.") % {"code": code})
            )
            bad = True
        if unit_code not in units:
            errors.append(
                _error(sheet, number, 1, _("Địa bàn “%(code)s” không thuộc bộ số liệu.") % {"code": unit_code})
            )
            bad = True
        try:
            period = periods.parse(str(period_code or "").strip())
            if period.type != dataset.period_type:
                raise ValueError
        except ValueError:
            errors.append(
                _error(
                    sheet,
                    number,
                    2,
                    _("Kỳ “%(code)s” không đúng loại kỳ của bộ số liệu.") % {"code": period_code or ""},
                )
            )
            bad = True
            period = None
        if period is not None and period.start in locked:
            errors.append(_error(sheet, number, 2, _("Kỳ %(code)s đã gửi duyệt hoặc đã khóa.") % {"code": period.code}))
            bad = True
        try:
            value = parse_number(raw)
        except ValueError as exc:
            errors.append(_error(sheet, number, 3, str(exc)))
            bad = True
            value = None
        if len(errors) >= MAX_ERRORS:
            break
        if bad:
            continue
        key = f"{code}-{unit_code}"
        if (period, key) in where:
            errors.append(_error(sheet, number, None, _("Trùng với dòng %(row)s.") % {"row": where[(period, key)][1]}))
            continue
        where[(period, key)] = (sheet, number)
        data = by_period.setdefault(period, {})
        data[f"v-{key}"] = "" if value is None else vi_number(value)
        data[f"ok-{key}"] = "1" if str(confirm or "").strip().lower() in ("1", "x", "có", "co", "true") else ""
        data[f"note-{key}"] = str(note or "").strip()
    if errors:
        return by_period, errors, count
    for period, data in by_period.items():
        submission = Submission.objects.filter(
            dataset=dataset, period_type=period.type, period_start=period.start
        ).first()
        cells = blank_cells(dataset, period, submission)
        merged = {}
        for cell in cells:  # cells the file leaves out keep their draft value
            merged[f"v-{cell.key}"], merged[f"ok-{cell.key}"] = cell.raw, "1" if cell.confirmed else ""
            merged[f"note-{cell.key}"] = cell.note
        merged.update(data)
        data.clear()
        data.update(merged)
        check_cells(cells, merged, final=False)
        for cell in cells:
            for message in cell.errors:
                sheet, number = where.get((period, cell.key), ("", ""))
                errors.append(_error(sheet, number, 3, message))
    return by_period, errors[:MAX_ERRORS], count


def apply(*, dataset: DataSet, by_period: dict, actor) -> int:
    """Store every period's data as a draft in one transaction; return the number of cells written."""
    written = 0
    with transaction.atomic():
        for period, data in sorted(by_period.items(), key=lambda item: item[0].start):
            submission = actions.open_submission(dataset=dataset, period=period)
            actions.save_entries(submission=submission, data=data, actor=actor, kind="imported")
            written += sum(1 for k in data if k.startswith("v-"))
    return written


def run_import_job(job_id: int) -> str:
    """Check the job's file, and apply it only if no row is wrong; keep progress and errors on the job."""
    job = ImportJob.objects.select_related("dataset", "dataset__agency", "created_by").get(pk=job_id)
    if job.state not in (ImportJob.State.PENDING, ImportJob.State.RUNNING):
        return job.state
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.RUNNING, progress=1)

    def progress(rows):
        ImportJob.objects.filter(pk=job.pk).update(progress=min(80, 1 + rows * 80 // max(job_rows, 1)), rows_total=rows)

    job_rows = max(bytes(job.content).count(b"\n"), 1)  # a CSV's lines, or a rough bound for an xlsx
    try:
        by_period, errors, count = check_file(
            dataset=job.dataset, name=job.file_name, content=bytes(job.content), progress=progress
        )
        if not errors:
            ImportJob.objects.filter(pk=job.pk).update(progress=85, rows_total=count)
            applied = apply(dataset=job.dataset, by_period=by_period, actor=job.created_by)
    except (ValidationError, PermissionDenied) as exc:
        errors, count = [_error("", "", None, " ".join(getattr(exc, "messages", [str(exc)])))], 0
    except Exception:
        logger.exception("Import %s failed", job.pk)
        errors, count = [_error("", "", None, _("Lỗi khi xử lý tệp; không có số liệu nào được nhập."))], 0
    done = {"finished_at": timezone.now(), "rows_total": count, "progress": 100}
    if errors:
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.FAILED, errors=errors, **done)
        return ImportJob.State.FAILED
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.DONE, rows_applied=applied, content=b"", **done)
    return ImportJob.State.DONE


def export_cells(cells, *, period, fmt: str) -> tuple[bytes, str]:
    """Return the cells as a file in the import's layout, so an export can be edited and imported back."""
    rows = [
        [c.member.indicator.code, c.unit.code, period.code, c.value, "x" if c.confirmed else "", c.note] for c in cells
    ]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for row in rows:
            row[3] = "" if row[3] is None else vi_number(row[3])
            writer.writerow(row)
        return out.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8"
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Số liệu"))
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
