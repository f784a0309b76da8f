"""The processing side through its actions: reception, steps, supplements with the clock paused, fees, apology,
results and their return, withdrawal and suspension, bulk actions, and who may do each."""

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from freezegun import freeze_time

from tinhso.core.calendar import TZ
from tinhso.core.models import AuditEntry, Notification, Role
from tinhso.core.testing import make_agency, make_member
from tinhso.eservices import actions, deadlines, payments, processing
from tinhso.eservices.forms import clean_document
from tinhso.eservices.models import ApplicationDocument, ApplicationEvent, Status
from tinhso.eservices.models_processing import Pause, Payment, StepRecord
from tinhso.eservices.tests.conftest import ANSWERS, complete_draft, pdf


def local(y, mo, d, h=0, mi=0):
    return dt.datetime(y, mo, d, h, mi, tzinfo=TZ)


MONDAY_8 = local(2026, 3, 9, 8)


def result_pdf():
    return clean_document(pdf("giay-phep.pdf"))


def accept(clerk, application, at=MONDAY_8):
    with freeze_time(at):
        return processing.accept(actor=clerk, application=application)


def walk_through(application, clerk, leader, *, start=MONDAY_8):
    """Accept, appraise and approve: the file ends at the last step, the return desk."""
    application = accept(clerk, application, start)
    with freeze_time(start + dt.timedelta(hours=2)):
        application = processing.complete_step(actor=clerk, application=application, note="Đủ điều kiện")
    with freeze_time(start + dt.timedelta(hours=4)):
        application = processing.complete_step(actor=leader, application=application, note="Đồng ý")
    return application


def test_acceptance_starts_the_clock_and_hands_the_file_to_the_first_step(submitted, clerk):
    application = accept(clerk, submitted)
    assert application.status == Status.PROCESSING
    assert application.received_at == MONDAY_8 and application.received_by == clerk
    # 10 working days from Monday 09/03/2026 08:00.
    assert application.due_at == application.original_due_at == local(2026, 3, 23, 8)
    reception, appraisal = application.step_records.order_by("index")
    assert (reception.code, reception.finished_at, reception.outcome) == ("tiep_nhan", MONDAY_8, "done")
    assert appraisal.code == "tham_dinh" and appraisal.finished_at is None
    assert appraisal.due_at == deadlines.step_due(MONDAY_8, 56) == application.step_due_at
    assert application.current_agency == application.agency and application.current_step == 1
    kinds = list(application.events.order_by("id").values_list("kind", flat=True))
    assert kinds[-2:] == [ApplicationEvent.Kind.RECEIVED, ApplicationEvent.Kind.TRANSFERRED]
    assert all(application.documents.values_list("is_digitised", flat=True))
    assert AuditEntry.objects.filter(action="eservices.received", object_id=str(application.pk)).exists()
    assert Notification.objects.filter(body__contains="23/03/2026").exists()


def test_the_cutoff_moves_the_start_to_the_next_working_day(submitted, clerk, procedure):
    procedure.same_day_cutoff = dt.time(15)
    procedure.save()
    application = accept(clerk, submitted, local(2026, 3, 9, 16))
    assert application.due_at == local(2026, 3, 24, 7, 30)


@pytest.mark.parametrize("persona", ["clerk_elsewhere", "citizen"])
def test_only_the_receiving_desk_accepts(submitted, persona, request):
    with pytest.raises(PermissionDenied):
        processing.accept(actor=request.getfixturevalue(persona), application=submitted)
    submitted.refresh_from_db()
    assert submitted.status == Status.REGISTERED and submitted.received_at is None


def test_refusal_needs_a_reason_and_closes_the_file(submitted, clerk):
    with pytest.raises(ValidationError):
        processing.refuse(actor=clerk, application=submitted, reason="  ")
    application = processing.refuse(actor=clerk, application=submitted, reason="Không thuộc thẩm quyền")
    assert application.status == Status.REFUSED and application.closed_at
    assert application.events.last().reason == "Không thuộc thẩm quyền"


def test_a_supplement_at_reception_never_starts_the_clock(submitted, clerk, citizen):
    application = processing.request_supplement(
        actor=clerk, application=submitted, reason="Bản vẽ thiếu chữ ký", items=["Bản vẽ có chữ ký"]
    )
    assert application.status == Status.SUPPLEMENT and application.received_at is None
    assert not Pause.objects.exists()
    application = processing.supply(
        actor=citizen, application=application, documents=[("ban_ve", clean_document(pdf("ban-ve.pdf")))]
    )
    assert application.status == Status.REGISTERED and application.due_at is None
    assert application.documents.filter(kind=ApplicationDocument.Kind.SUPPLEMENT).count() == 1


def test_a_supplement_during_processing_pauses_both_clocks(submitted, clerk, citizen):
    application = accept(clerk, submitted)
    due, step_due = application.due_at, application.step_due_at
    with freeze_time(local(2026, 3, 10, 10)):
        application = processing.request_supplement(
            actor=clerk, application=application, reason="Cần bản vẽ mặt cắt", items=["Bản vẽ mặt cắt"]
        )
    assert application.paused_at == local(2026, 3, 10, 10)
    with freeze_time(local(2026, 3, 11, 10)):
        application = processing.supply(actor=citizen, application=application, documents=[("ban_ve", result_pdf())])
    # One office day (7.5 h) waited: the due times move by that much office time, the original stays for statistics.
    assert application.status == Status.PROCESSING and application.paused_at is None
    assert application.paused_hours == 7.5
    assert application.due_at == deadlines.resume_due(due, dt.timedelta(hours=7.5))
    assert application.step_due_at == deadlines.resume_due(step_due, dt.timedelta(hours=7.5))
    assert application.original_due_at == due
    assert Pause.objects.get().working_hours == 7.5


def test_someone_else_cannot_supply(submitted, clerk):
    application = processing.request_supplement(actor=clerk, application=submitted, reason="", items=["Đơn"])
    stranger = make_member(Role.CLERK, make_agency("SYT2"), "Người lạ")
    with pytest.raises(PermissionDenied):
        processing.supply(actor=stranger, application=application, documents=[("don", result_pdf())])


def test_each_step_belongs_to_its_role(submitted, clerk, leader, clerk_elsewhere):
    application = accept(clerk, submitted)
    with pytest.raises(PermissionDenied):
        processing.complete_step(actor=clerk_elsewhere, application=application)
    application = processing.complete_step(actor=clerk, application=application)
    assert processing.open_step(application).code == "phe_duyet"
    with pytest.raises(PermissionDenied):
        processing.complete_step(actor=clerk, application=application)  # the leader's step
    application = processing.send_back(actor=leader, application=application, reason="Kiểm tra lại số tầng")
    assert processing.open_step(application).code == "tham_dinh"
    assert StepRecord.objects.filter(outcome=StepRecord.Outcome.SENT_BACK).count() == 1


def test_the_result_is_returned_online_once_paid(submitted, clerk, leader, citizen):
    application = walk_through(submitted, clerk, leader)
    assert processing.open_step(application).code == "tra_ket_qua"
    with pytest.raises(ValidationError):
        processing.return_result(actor=clerk, application=application, method="online")  # no e-result, no fee
    processing.upload_result(actor=clerk, application=application, document=result_pdf())
    with pytest.raises(ValidationError) as error:
        processing.return_result(actor=clerk, application=application, method="online")
    assert error.value.code == "fee_unpaid"
    _payment, checkout = processing.start_online_payment(
        actor=citizen, application=application, return_url="/dich-vu-cong/thanh-toan/ve/"
    )
    params = dict(parse_qsl(urlsplit(checkout.redirect_url).query))
    paid = processing.confirm_online_payment(params=params)
    assert paid.status == Payment.Status.PAID and paid.receipt_no.startswith("BL-")
    assert processing.confirm_online_payment(params=params).receipt_no == paid.receipt_no  # idempotent
    with freeze_time(MONDAY_8 + dt.timedelta(hours=5)):
        application = processing.return_result(actor=clerk, application=application, method="online")
    assert application.status == Status.RETURNED and application.returned_at and application.completed_at
    assert not application.step_records.filter(finished_at=None).exists()
    rows = processing.control_slip_rows(application)
    assert [r["step"] for r in rows] == ["Tiếp nhận hồ sơ", "Thẩm định hồ sơ", "Lãnh đạo phê duyệt", "Trả kết quả"]
    assert all(r["result"] in ("Trước hạn", "Đúng hạn") for r in rows)


def test_a_tampered_payment_answer_is_refused(submitted, citizen):
    payment, checkout = processing.start_online_payment(actor=citizen, application=submitted, return_url="/ve/")
    params = dict(parse_qsl(urlsplit(checkout.redirect_url).query), amount="1")
    with pytest.raises(payments.PaymentError):
        processing.confirm_online_payment(params=params)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


def test_a_fee_request_pauses_until_paid_at_the_counter(submitted, clerk):
    application = accept(clerk, submitted)
    with freeze_time(local(2026, 3, 9, 9)):
        application = processing.request_fee(actor=clerk, application=application)
    assert application.status == Status.FINANCIAL and application.paused_at
    with freeze_time(local(2026, 3, 9, 10)):
        payment = processing.record_counter_payment(actor=clerk, application=application)
    application.refresh_from_db()
    assert payment.method == Payment.Method.COUNTER and application.status == Status.PROCESSING
    assert application.paused_hours == 1


def test_the_apology_sets_a_new_date_and_keeps_the_original(submitted, clerk, leader):
    application = accept(clerk, submitted)
    original = application.due_at
    with pytest.raises(ValidationError):
        processing.apologise(actor=leader, application=application, new_due_at=original, reason="Chậm")
    new_due = original + dt.timedelta(days=3)
    application = processing.apologise(actor=leader, application=application, new_due_at=new_due, reason="Xác minh")
    assert application.due_at == new_due and application.original_due_at == original
    assert application.events.last().kind == ApplicationEvent.Kind.APOLOGY


def test_withdrawal_and_suspension_are_recorded(submitted, citizen, clerk, leader, procedure, version):
    application = processing.withdraw(actor=citizen, application=submitted, reason="Nộp nhầm thủ tục")
    assert application.status == Status.WITHDRAWN and application.closed_at
    other = actions.submit_application(
        actor=citizen, application=complete_draft(citizen, procedure), idempotency_key="second"
    )
    other = accept(clerk, other)
    with pytest.raises(ValidationError):
        processing.stop(actor=leader, application=other, reason="")
    other = processing.stop(actor=leader, application=other, reason="Có tranh chấp đất đai")
    assert other.status == Status.STOPPED
    assert processing.open_step(other) is None


def test_bulk_completes_what_the_actor_may_and_reports_the_rest(submitted, citizen, clerk, procedure, version):
    first = accept(clerk, submitted)
    second = accept(
        clerk,
        actions.submit_application(actor=citizen, application=complete_draft(citizen, procedure), idempotency_key="b"),
    )
    second = processing.complete_step(actor=clerk, application=second)  # now at the leader's step
    result = processing.bulk(processing.complete_step, actor=clerk, applications=[first, second])
    assert result.done == [first.code] and list(result.failed) == [second.code]
    with pytest.raises(ValueError):
        processing.bulk(processing.accept, actor=clerk, applications=[first])


def test_staff_see_their_desk_and_step_only(submitted, clerk, clerk_elsewhere, leader, citizen, agency):
    assert list(processing.visible_to(clerk)) == [submitted]
    assert not processing.visible_to(clerk_elsewhere).exists()
    assert not processing.visible_to(citizen).exists()
    assert list(processing.visible_to(leader)) == [submitted]


def test_a_clerk_files_a_walk_in_application_with_scans(clerk, clerk_elsewhere, procedure, version):
    scans = [("don", clean_document(pdf())), ("ban_ve", clean_document(pdf("ban-ve.pdf")))]
    fields = {"applicant_name": "Lò Văn Mạnh", "applicant_phone": "0987654321", "form_data": dict(ANSWERS)}
    with pytest.raises(PermissionDenied):
        processing.file_walk_in(actor=clerk_elsewhere, procedure=procedure, scans=scans, idempotency_key="w", **fields)
    application = processing.file_walk_in(actor=clerk, procedure=procedure, scans=scans, idempotency_key="w", **fields)
    assert application.status == Status.REGISTERED and application.filed_by == clerk
    assert application.documents.filter(kind=ApplicationDocument.Kind.SCANNED).count() == 2


def test_reconciliation_lists_payments_and_unpaid_returns(submitted, clerk, leader, agency):
    application = walk_through(submitted, clerk, leader)
    processing.record_counter_payment(actor=clerk, application=application)
    processing.return_result(actor=clerk, application=application, method="counter")
    today = dt.date.today()
    report = processing.reconciliation(
        agency_ids={agency.pk}, start=today - dt.timedelta(days=400), end=today + dt.timedelta(days=400)
    )
    assert report["total"] == 150_000 and report["unpaid_returned"] == []
    assert processing.reconciliation(agency_ids=set(), start=today, end=today)["total"] == 0
