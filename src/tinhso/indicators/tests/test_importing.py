import io
from decimal import Decimal

from openpyxl import Workbook, load_workbook

from tinhso.core.testing import run_queued_tasks
from tinhso.indicators import actions, importing, periods
from tinhso.indicators.models import ImportJob, Submission, SubmissionEntry


def _xlsx(rows, title="Số liệu") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(importing.COLUMNS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _job(dataset, clerk, name, content):
    return ImportJob.objects.create(dataset=dataset, file_name=name, content=content, created_by=clerk)


def test_a_clean_excel_file_is_applied_as_drafts(dataset, clerk):
    content = _xlsx(
        [["xd-von", "19", "2025-03", 1030.5], ["xd-nha", "19", "2025-03", "12"], ["xd-von", "19", "2025-02", "1.000"]]
    )
    job = _job(dataset, clerk, "a.xlsx", content)
    assert importing.run_import_job(job.pk) == "done"
    job.refresh_from_db()
    assert (job.rows_total, job.rows_applied, job.progress) == (3, 4, 100)
    assert SubmissionEntry.objects.get(
        indicator__code="xd-von", submission__period_start=periods.month(2025, 3).start
    ).value == Decimal("1030.5")
    assert set(Submission.objects.values_list("state", flat=True)) == {"draft"}


def test_one_bad_cell_means_nothing_is_written_and_each_error_is_named(dataset, clerk):
    content = _xlsx(
        [
            ["xd-von", "19", "2025-03", "50"],
            ["xd-sai", "19", "2025-03", "1"],
            ["xd-nha", "19", "2025", "1,03.5"],
            ["xd-von", "19", "2025-03", "60"],
            ["xd-nha", "19", "2025-04", "-5"],
        ]
    )
    job = _job(dataset, clerk, "b.xlsx", content)
    assert importing.run_import_job(job.pk) == "failed"
    job.refresh_from_db()
    messages = [importing.describe(e) for e in job.errors]
    assert messages[:3] == [
        "Trang “Số liệu”, dòng 3, cột A (Mã chỉ tiêu): Mã chỉ tiêu “xd-sai” không có trong bộ số liệu.",
        "Trang “Số liệu”, dòng 4, cột C (Kỳ): Kỳ “2025” không đúng loại kỳ của bộ số liệu.",
        "Trang “Số liệu”, dòng 4, cột D (Giá trị): “1,03.5” không phải là số (viết theo kiểu 1.030,5).",
    ]
    assert "dòng 5" in messages[3] and "Trùng với dòng 2" in messages[3]
    assert not Submission.objects.exists() and not SubmissionEntry.objects.exists()


def test_range_errors_point_at_the_row(dataset, clerk):
    job = _job(dataset, clerk, "c.csv", "Mã chỉ tiêu;Mã địa bàn;Kỳ;Giá trị\nxd-nha;19;2025-03;-5\n".encode())
    assert importing.run_import_job(job.pk) == "failed"
    job.refresh_from_db()
    assert importing.describe(job.errors[0]) == "Trang “CSV”, dòng 2, cột D (Giá trị): Không được nhỏ hơn 0."


def test_a_locked_period_refuses_the_import(dataset, clerk, leader):
    submission = actions.open_submission(dataset=dataset, period=periods.month(2025, 3))
    actions.save_entries(submission=submission, data={"v-xd-von-19": "5"}, actor=clerk, final=True)
    actions.approve_submission(submission=submission, actor=leader)
    job = _job(dataset, clerk, "d.csv", b"a,b,c,d\nxd-von,19,2025-03,6\n")
    assert importing.run_import_job(job.pk) == "failed"
    assert SubmissionEntry.objects.get(indicator__code="xd-von").value == 5


def test_upload_runs_in_the_background_and_the_page_polls_progress(
    client, dataset, clerk, django_capture_on_commit_callbacks
):
    client.force_login(clerk)
    upload = io.BytesIO(_xlsx([["xd-von", "19", "2025-03", "7"]]))
    upload.name = "so-lieu.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post("/chi-tieu/bo-so-lieu/sxd-thang/nhap-tep/", {"file": upload})
    assert page.status_code == 302
    job = ImportJob.objects.get()
    assert 'hx-get="' in client.get(page.url).text
    run_queued_tasks()
    job.refresh_from_db()
    assert job.state == "done"
    fragment = client.get(page.url, HTTP_HX_REQUEST="true")
    assert "Đã nhập 2 ô số liệu" in fragment.text and "hx-get" not in fragment.text


def test_export_round_trips_through_import(client, dataset, clerk):
    submission = actions.open_submission(dataset=dataset, period=periods.month(2025, 3))
    actions.save_entries(submission=submission, data={"v-xd-von-19": "1.030,5", "v-xd-nha-19": "3"}, actor=clerk)
    client.force_login(clerk)
    xlsx = client.get("/chi-tieu/bo-so-lieu/sxd-thang/2025-03/tai-ve.xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[1][:4] == ("xd-von", "19", "2025-03", 1030.5)
    csv = client.get("/chi-tieu/bo-so-lieu/sxd-thang/2025-03/tai-ve.csv").content.decode("utf-8-sig")
    assert 'xd-von,19,2025-03,"1.030,5"' in csv
    job = _job(dataset, clerk, "e.csv", csv.encode())
    assert importing.run_import_job(job.pk) == "done"


def test_wrong_file_types_are_refused(client, dataset, clerk):
    client.force_login(clerk)
    upload = io.BytesIO(b"x")
    upload.name = "a.pdf"
    page = client.post("/chi-tieu/bo-so-lieu/sxd-thang/nhap-tep/", {"file": upload})
    assert page.status_code == 400 and "Chỉ nhận tệp Excel" in page.text
