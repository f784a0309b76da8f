import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from tinhso.core.testing import run_queued_tasks
from tinhso.eservices import catalogue
from tinhso.eservices.models import CatalogueImport, Procedure, ProcedureVersion
from tinhso.eservices.tests.conftest import DOCUMENTS, FORM_SCHEMA, STEPS


def workbook(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = catalogue.SHEET_TITLE
    sheet.append([header for _key, header in catalogue.COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(code="1.000001", name="Thủ tục thử", agency="SXD", **over) -> list:
    values = {
        "code": code,
        "name": name,
        "sector_code": "xay-dung",
        "sector_name": "Xây dựng",
        "authority_level": "province",
        "agency": agency,
        "receiving_agency": "",
        "level": "full",
        "processing_time": 5,
        "processing_unit": "days",
        "same_day_cutoff": "15:00",
        "fee_amount": "50.000",
        "fee_note": "",
        "result_type": "Giấy phép",
        "legal_basis": "Luật",
        "description": "",
        "conditions": "",
        "is_public": 1,
        "effective_from": "01/07/2025",
        "form_schema": json.dumps(FORM_SCHEMA),
        "documents": json.dumps(DOCUMENTS),
        "steps": json.dumps(STEPS),
    }
    values.update(over)
    return [values[key] for key, _header in catalogue.COLUMNS]


def test_the_export_round_trips_through_the_import(procedure, version, admin_user):
    data = catalogue.export_workbook(Procedure.objects.all())
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == procedure.code
    rows = catalogue.read_rows(data)
    assert catalogue.import_row(rows[0], actor=admin_user) == "unchanged"


def test_a_changed_form_adds_a_version_when_the_old_one_is_used(procedure, version, admin_user):
    version.used_at = timezone.now()
    version.save()
    schema = {"fields": [*FORM_SCHEMA["fields"], {"name": "ghi_chu", "label": "Ghi chú", "type": "textarea"}]}
    rows = catalogue.read_rows(workbook([row(code=procedure.code, form_schema=json.dumps(schema))]))
    assert catalogue.import_row(rows[0], actor=admin_user) == "updated"
    assert list(procedure.versions.values_list("number", flat=True).order_by("number")) == [1, 2]
    version.refresh_from_db()
    assert version.form_schema == FORM_SCHEMA  # the application keeps the version it was filed under


def test_bad_rows_are_reported_one_by_one_and_good_rows_still_import(agency, admin_user, settings):
    data = workbook(
        [
            row(code="1.000001"),
            row(code="1.000002", agency="KHONG-CO", processing_time="mười"),
            row(code="", name=""),
            row(code="1.000004", steps="[{]"),
            row(
                code="1.000005",
                level="muc4",
                steps=json.dumps([{"code": "a", "name": "A", "hours": 1, "branch": {"goto": "z"}}]),
            ),
        ]
    )
    job = CatalogueImport.objects.create(original_name="danh-muc.xlsx", created_by=admin_user)
    job.file.save("t.xlsx", SimpleUploadedFile("t.xlsx", data), save=True)
    catalogue.run_import(job.pk)
    job.refresh_from_db()
    assert job.state == "done" and job.total_rows == 5 and job.processed_rows == 5 and job.created_count == 1
    errors = {e["row"]: e["messages"] for e in job.errors}
    assert set(errors) == {3, 4, 5, 6}
    assert "Không có cơ quan mã “KHONG-CO”." in errors[3] and "Cột “Thời hạn” phải là số." in errors[3]
    assert "Thiếu mã thủ tục." in errors[4]
    assert any("JSON không hợp lệ" in m for m in errors[5])
    assert "Mức độ phải là full hoặc partial." in errors[6]
    assert any("nhánh rẽ" in m for m in errors[6])
    assert Procedure.objects.get(code="1.000001").fee_amount == 50_000
    catalogue.run_import(job.pk)  # a re-run of a finished import changes nothing
    assert ProcedureVersion.objects.count() == 1


def test_a_file_that_is_not_a_workbook_fails_cleanly(admin_user):
    job = CatalogueImport.objects.create(original_name="x.xlsx", created_by=admin_user)
    job.file.save("x.xlsx", SimpleUploadedFile("x.xlsx", b"PK\x03\x04 broken"), save=True)
    catalogue.run_import(job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and "không phải bảng tính" in job.errors[0]["messages"][0]


def test_the_admin_import_runs_in_the_background_and_shows_progress(
    client, admin_user, agency, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    url = reverse("admin:eservices_procedure_import")
    assert client.get(url).status_code == 200
    wrong = client.post(url, {"file": SimpleUploadedFile("a.xlsx", b"not a zip")})
    assert "không phải bảng tính" in wrong.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": SimpleUploadedFile("a.xlsx", workbook([row()]))})
    job = CatalogueImport.objects.get()
    status_url = reverse("admin:eservices_procedure_import_status", args=[job.pk])
    assert response["Location"] == status_url
    polling = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in polling
    run_queued_tasks()
    job.refresh_from_db()
    assert job.state == "done" and job.created_count == 1
    done = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done and 'value="100"' in done


def test_the_admin_exports_the_catalogue(client, admin_user, procedure, version):
    client.force_login(admin_user)
    response = client.get(reverse("admin:eservices_procedure_export"))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert client.get(reverse("admin:eservices_procedure_changelist")).status_code == 200
    assert client.get(reverse("admin:eservices_procedureversion_change", args=[version.pk])).status_code == 200


def test_import_and_export_are_refused_to_citizens_and_clerks(client, citizen, clerk):
    for user in (citizen, clerk):
        client.force_login(user)
        for name in ("admin:eservices_procedure_import", "admin:eservices_procedure_export"):
            response = client.get(reverse(name))
            assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_frozen_version_is_read_only_in_the_admin(client, admin_user, version):
    version.used_at = timezone.now()
    version.save()
    client.force_login(admin_user)
    page = client.get(reverse("admin:eservices_procedureversion_change", args=[version.pk])).content.decode()
    assert 'name="form_schema"' not in page and 'name="effective_to"' in page
