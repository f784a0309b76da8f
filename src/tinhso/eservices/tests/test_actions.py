import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tinhso.core.models import Agency, AuditEntry, Notification
from tinhso.core.testing import make_agency, make_user
from tinhso.eservices import actions
from tinhso.eservices.forms import clean_document
from tinhso.eservices.models import AgencyCode, ApplicationEvent, AuthorityLevel, Channel, Status
from tinhso.eservices.tests.conftest import PNG, complete_draft, pdf


def test_a_draft_is_prefilled_from_the_profile(citizen, procedure, version):
    draft = actions.start_application(actor=citizen, procedure=procedure)
    assert draft.status == Status.DRAFT and draft.code is None
    assert draft.form_data == {"ho_ten": "Trần Thị Bình", "so_dien_thoai": "0912345678"}
    assert draft.version == version and draft.agency == procedure.agency


def test_submission_gives_the_national_code_and_notifies_after_commit(citizen, procedure, version):
    AgencyCode.objects.create(agency=procedure.agency, code="000.00.12.H55")
    draft = complete_draft(citizen, procedure)
    application = actions.submit_application(actor=citizen, application=draft, idempotency_key="k1")
    assert re.fullmatch(r"000\.00\.12\.H55-\d{6}-0001", application.code)
    assert application.status == Status.REGISTERED and application.submitted_at
    assert application.fee_amount == 150_000 and application.legal_hours == 80
    assert application.form_data["so_tang"] == 3
    version.refresh_from_db()
    assert version.is_frozen
    assert application.events.get().kind == ApplicationEvent.Kind.SUBMITTED
    assert AuditEntry.objects.filter(action="eservices.submitted", object_id=str(application.pk)).exists()
    message = Notification.objects.get(recipient="0912345678")
    assert application.code in str(message.context)


def test_the_daily_sequence_counts_per_agency(citizen, procedure, version):
    first = actions.submit_application(
        actor=citizen, application=complete_draft(citizen, procedure), idempotency_key="a"
    )
    second = actions.submit_application(
        actor=citizen, application=complete_draft(citizen, procedure), idempotency_key="b"
    )
    assert first.code.endswith("-0001") and second.code.endswith("-0002")
    assert first.code.startswith("SXD-")


def test_a_retry_returns_the_same_application(citizen, procedure, version):
    draft = complete_draft(citizen, procedure)
    first = actions.submit_application(actor=citizen, application=draft, idempotency_key="same")
    again = actions.submit_application(actor=citizen, application=draft, idempotency_key="same")
    assert again.pk == first.pk and again.code == first.code
    assert ApplicationEvent.objects.filter(kind="submitted").count() == 1
    assert Notification.objects.count() == 1


def test_a_submitted_application_cannot_be_submitted_again_with_another_key(submitted, citizen):
    with pytest.raises(ValidationError):
        actions.submit_application(actor=citizen, application=submitted, idempotency_key="other")


def test_invalid_answers_give_field_errors_and_write_nothing(citizen, procedure, version):
    draft = complete_draft(citizen, procedure)
    actions.save_draft(actor=citizen, application=draft, form_data={"ho_ten": "", "so_tang": 12, "so_dien_thoai": "12"})
    with pytest.raises(ValidationError) as raised:
        actions.submit_application(actor=citizen, application=draft, idempotency_key="bad")
    errors = raised.value.message_dict
    assert errors["ho_ten"] == ["Vui lòng nhập họ và tên."]
    assert errors["so_tang"] == ["Số tầng không được lớn hơn 7."]
    assert "Số điện thoại không hợp lệ" in errors["so_dien_thoai"][0]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.code is None
    assert not Notification.objects.exists()


def test_missing_documents_are_named(citizen, procedure, version):
    draft = actions.start_application(actor=citizen, procedure=procedure)
    actions.save_draft(
        actor=citizen,
        application=draft,
        form_data={"ho_ten": "A", "so_dien_thoai": "0912345678", "dia_chi_cong_trinh": "x", "so_tang": 1},
    )
    with pytest.raises(ValidationError) as raised:
        actions.submit_application(actor=citizen, application=draft, idempotency_key="m")
    assert raised.value.message_dict["documents"] == [
        "Còn thiếu: Đơn đề nghị cấp giấy phép xây dựng.",
        "Còn thiếu: Bản vẽ thiết kế.",
    ]


def test_a_failed_notification_never_undoes_the_submission(citizen, procedure, version):
    citizen.phone = "0912345678"
    draft = complete_draft(citizen, procedure)
    draft.applicant_phone = "not a phone"
    draft.save()
    application = actions.submit_application(actor=citizen, application=draft, idempotency_key="p")
    assert application.code
    assert Notification.objects.get().status == Notification.Status.DEAD


def test_a_rollback_after_submit_leaves_no_notification_to_deliver(citizen, procedure, version):
    draft = complete_draft(citizen, procedure)
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.submit_application(actor=citizen, application=draft, idempotency_key="r")
        raise RuntimeError
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not Notification.objects.exists()


def test_another_person_cannot_touch_a_draft(citizen, procedure, version):
    draft = actions.start_application(actor=citizen, procedure=procedure)
    stranger = make_user("Người Lạ")
    with pytest.raises(PermissionDenied):
        actions.save_draft(actor=stranger, application=draft, form_data={})
    with pytest.raises(PermissionDenied):
        actions.attach_document(actor=stranger, application=draft, requirement="don", document=clean_document(pdf()))


def test_a_document_replaces_the_previous_one_of_the_same_requirement(citizen, procedure, version):
    draft = actions.start_application(actor=citizen, procedure=procedure)
    first = actions.attach_document(actor=citizen, application=draft, requirement="don", document=clean_document(pdf()))
    second = actions.attach_document(
        actor=citizen, application=draft, requirement="don", document=clean_document(pdf("scan.png", PNG))
    )
    first.refresh_from_db()
    assert first.replaced_at and second.replaced_at is None and second.content_type == "image/png"
    with pytest.raises(ValueError):
        second.file.url  # noqa: B018 - private storage has no URL
    with pytest.raises(ValidationError):
        actions.attach_document(actor=citizen, application=draft, requirement="nope", document=clean_document(pdf()))


def test_uploads_are_checked_by_content(settings):
    with pytest.raises(ValidationError, match="không phải PDF"):
        clean_document(pdf("giay.pdf", b"MZ\x90\x00 not a pdf"))
    with pytest.raises(ValidationError, match="quá lớn"):
        clean_document(pdf(), max_bytes=10)
    assert clean_document(pdf("a.exe")).content_type == "application/pdf"


def test_a_commune_procedure_needs_a_commune(citizen, procedure, version):
    procedure.authority_level, procedure.agency = AuthorityLevel.COMMUNE, None
    procedure.save()
    with pytest.raises(ValidationError):
        actions.start_application(actor=citizen, procedure=procedure)
    commune = make_agency("UBND-05788", "UBND xã Phú Lạc", kind=Agency.Kind.COMMUNE_COMMITTEE)
    draft = actions.start_application(actor=citizen, procedure=procedure, agency=commune)
    assert draft.agency == commune and draft.receiving_agency == commune


def test_a_clerk_files_a_walk_in_application(clerk, procedure, version):
    draft = actions.start_application(
        actor=clerk,
        procedure=procedure,
        channel=Channel.WALK_IN,
        applicant_name="Đỗ Văn Khách",
        applicant_phone="0987654321",
        applicant_id_number="001099012345",
    )
    assert draft.applicant is None and draft.filed_by == clerk
    assert draft.applicant_id_number == "001099012345" and draft.applicant_id_encrypted != "001099012345"
    assert draft.applicant_id_masked != "001099012345"


def test_rating_needs_the_result(submitted, citizen):
    with pytest.raises(ValidationError):
        actions.rate_application(actor=citizen, application=submitted, rating=5)
    submitted.status = Status.RETURNED
    submitted.save()
    rated = actions.rate_application(actor=citizen, application=submitted, rating=4, comment="Nhanh")
    assert rated.rating == 4


def test_a_submission_stays_within_its_query_budget(citizen, procedure, version, django_assert_max_num_queries):
    draft = complete_draft(citizen, procedure)
    # Lock, idempotency look-up, documents, electronic code, sequence, update, version, event, audit, outbox.
    with django_assert_max_num_queries(21):
        actions.submit_application(actor=citizen, application=draft, idempotency_key="budget")
