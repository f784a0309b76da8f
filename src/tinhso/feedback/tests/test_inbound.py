import hashlib
import hmac
import json

import pytest

from tinhso.core.channels import FakeSmsGateway, FakeZaloGateway
from tinhso.core.models import Notification
from tinhso.core.testing import run_queued_tasks
from tinhso.feedback import actions
from tinhso.feedback.inbound import FAKE_INBOUND_SECRET, BadSignature, get_inbound
from tinhso.feedback.models import Category, InboundMessage, Report

SMS_URL = "/phan-anh/webhook/sms/"
ZALO_URL = "/phan-anh/webhook/zalo/"
SMS_SECRET = "sms-shared-secret-for-tests"
ZALO_APP = "3482178216594085616"
ZALO_OA_SECRET = "oa-secret-key-for-tests"


def post(client, url, payload, *, header="HTTP_X_SIGNATURE", signature=FAKE_INBOUND_SECRET):
    body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    extra = {header: signature} if signature is not None else {}
    return client.post(url, body, content_type="application/json", **extra)


def sms(external_id="sms-1", sender="0912345678", text="GT Ổ gà lớn trước cổng chợ"):
    return {"id": external_id, "from": sender, "text": text}


def zalo_event(msg_id="zmsg-1", user="6142494823000001", text="RAC Rác chưa được thu gom ba ngày", **extra):
    return {
        "app_id": ZALO_APP,
        "event_name": "user_send_text",
        "sender": {"id": user},
        "recipient": {"id": "3662729599332560487"},
        "message": {"msg_id": msg_id, "text": text},
        "timestamp": "1699003881354",
        **extra,
    }


def post_zalo(client, payload, signature=FAKE_INBOUND_SECRET):
    return post(client, ZALO_URL, payload, header="HTTP_X_ZEVENT_SIGNATURE", signature=signature)


@pytest.fixture
def fallback(db):
    return Category.objects.create(code="khac", name="Lĩnh vực khác", sort_order=99)


# --- SMS -------------------------------------------------------------------------------------------------------


def test_an_sms_becomes_a_case_and_the_sender_is_told_its_code(
    client, category, fallback, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, SMS_URL, sms())

    assert response.status_code == 200
    body = response.json()
    report = Report.objects.get()
    assert body == {"status": "created", "code": report.code}
    assert report.channel == Report.Channel.SMS
    assert report.category == category
    assert report.reporter_phone == "0912345678"
    assert report.description == "GT Ổ gà lớn trước cổng chợ"
    assert report.idempotency_key == "sms:sms-1"
    message = InboundMessage.objects.get()
    assert (message.channel, message.external_id, message.report) == ("sms", "sms-1", report)
    run_queued_tasks()
    assert [m.recipient for m in FakeSmsGateway.sent] == ["0912345678"]
    assert report.code in FakeSmsGateway.sent[0].body


def test_one_sender_may_open_only_a_few_cases_an_hour_and_a_refused_message_is_kept(client, category, fallback):
    from django.core.cache import cache

    from tinhso.feedback.inbound import SENDER_LIMIT

    for n in range(SENDER_LIMIT.count):
        assert post(client, SMS_URL, sms(external_id=f"s-{n}", text=f"GT Ổ gà số {n}")).status_code == 200
    again = post(client, SMS_URL, sms(external_id="s-over", text="GT Thêm một ổ gà"))
    other = post(client, SMS_URL, sms(external_id="s-other", sender="0987000111"))
    redelivered = post(client, SMS_URL, sms(external_id="s-0", text="GT Ổ gà số 0"))  # an old one: no new case

    assert again.status_code == 429
    assert "quá nhiều phản ánh" in again.json()["errors"][0]
    assert other.status_code == 200 and redelivered.json()["status"] == "duplicate"
    assert Report.objects.count() == SENDER_LIMIT.count + 1
    kept = InboundMessage.objects.get(external_id="s-over")
    assert kept.report is None and "quá nhiều" in kept.error

    cache.clear()  # the window has passed: the provider's redelivery makes the case
    later = post(client, SMS_URL, sms(external_id="s-over", text="GT Thêm một ổ gà"))
    assert later.json()["status"] == "created"
    kept.refresh_from_db()
    assert kept.report is not None and kept.error == ""


def test_a_zalo_user_is_limited_by_user_id(client, category, fallback):
    from tinhso.feedback.inbound import SENDER_LIMIT

    for n in range(SENDER_LIMIT.count):
        assert post_zalo(client, zalo_event(msg_id=f"z-{n}")).status_code == 200
    assert post_zalo(client, zalo_event(msg_id="z-over")).status_code == 429
    assert post_zalo(client, zalo_event(msg_id="z-else", user="999")).status_code == 200


def test_a_redelivered_sms_makes_no_second_case(client, category, fallback):
    first = post(client, SMS_URL, sms())
    again = post(client, SMS_URL, sms())

    assert again.status_code == 200
    assert again.json() == {"status": "duplicate", "code": first.json()["code"]}
    assert Report.objects.count() == 1
    assert InboundMessage.objects.count() == 1
    assert Notification.objects.filter(channel="sms").count() == 1


def test_an_sms_without_a_keyword_goes_to_the_other_category(client, category, fallback):
    post(client, SMS_URL, sms(text="Cây đổ chắn ngang đường"))

    assert Report.objects.get().category == fallback


def test_without_the_other_category_the_first_active_one_is_used(client, category, commune_category):
    category.sort_order, commune_category.sort_order = 5, 1
    category.save()
    commune_category.save()

    post(client, SMS_URL, sms(text="Cây đổ chắn ngang đường"))

    assert Report.objects.get().category == commune_category


def test_a_keyword_is_read_without_diacritics_or_case(client, category, commune_category, fallback):
    post(client, SMS_URL, sms(text="rác: bãi rác tự phát ven suối"))

    assert Report.objects.get().category == commune_category


def test_an_sms_naming_a_commune_is_routed_there(client, commune_committee, commune_category, fallback):
    text = "RAC Rác ùn ứ ở tổ 5, Phường Phan Đình Phùng"
    post(client, SMS_URL, sms(text=text))

    report = Report.objects.get()
    assert report.unit == commune_committee.unit
    assert report.agency == commune_committee
    assert report.address == text


def test_an_sms_naming_no_place_keeps_an_empty_address(client, category, fallback):
    post(client, SMS_URL, sms(text="GT Đèn tín hiệu hỏng"))

    report = Report.objects.get()
    assert (report.address, report.unit) == ("", None)


@pytest.mark.parametrize("signature", [None, "", "wrong-secret"])
def test_an_sms_with_a_bad_signature_is_refused(client, category, fallback, signature):
    response = post(client, SMS_URL, sms(), signature=signature)

    assert response.status_code == 403
    assert response.json()["errors"]
    assert not InboundMessage.objects.exists()
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[1, 2]",
        b"\xff\xfe",
        {"from": "0912345678", "text": "GT hỏng"},
        {"id": "a", "from": "0912345678", "text": "   "},
        {"id": "a", "from": "12345", "text": "GT hỏng"},
        {"id": "a", "from": None, "text": "GT hỏng"},
        {"id": "x" * 200, "from": "0912345678", "text": "GT hỏng"},
        {"id": ["a"], "from": "0912345678", "text": "GT hỏng"},
    ],
)
def test_a_malformed_sms_gets_a_400_with_errors(client, category, fallback, payload):
    response = post(client, SMS_URL, payload)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors and all(isinstance(e, str) and e for e in errors)
    assert not Report.objects.exists()


def test_a_text_too_long_for_a_case_is_kept_with_the_reason(client, category, fallback):
    response = post(client, SMS_URL, sms(text="GT " + "x" * 5000))

    assert response.status_code == 400
    assert response.json()["errors"]
    message = InboundMessage.objects.get()
    assert message.report is None
    assert message.error


def test_without_any_active_category_the_message_is_kept_and_refused(client, db):
    response = post(client, SMS_URL, sms())

    assert response.status_code == 400
    assert InboundMessage.objects.get().error


def test_the_webhook_only_accepts_post(client, db):
    assert client.get(SMS_URL).status_code == 405


# --- Zalo OA ---------------------------------------------------------------------------------------------------


def test_a_zalo_message_becomes_a_case(client, commune_category, fallback):
    response = post_zalo(client, zalo_event())

    assert response.status_code == 200
    report = Report.objects.get()
    assert response.json() == {"status": "created", "code": report.code}
    assert (report.channel, report.category, report.reporter_phone) == ("zalo", commune_category, "")
    assert report.idempotency_key == "zalo:zmsg-1"
    message = InboundMessage.objects.get()
    assert (message.sender, message.report) == ("6142494823000001", report)


def test_a_zalo_sender_gets_the_code_and_each_public_step_back_through_the_oa(
    client, category, fallback, clerk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_zalo(client, zalo_event(text="GT Ổ gà lớn trước cổng chợ"))
    report = Report.objects.get(code=response.json()["code"])
    run_queued_tasks()

    [reply] = FakeZaloGateway.sent
    assert reply.recipient == "zalo-user:6142494823000001"
    assert report.code in reply.body
    assert FakeSmsGateway.sent == []

    with django_capture_on_commit_callbacks(execute=True):
        actions.accept_report(report=report, actor=clerk)
        actions.answer_report(report=report, actor=clerk, answer="Đã vá ổ gà.")
    run_queued_tasks()
    answered = FakeZaloGateway.sent[-1]
    assert answered.recipient == "zalo-user:6142494823000001"
    assert "?k=" in answered.body  # the sender of the case gets the signed rating link, as an SMS reporter does
    assert not Notification.objects.filter(status=Notification.Status.DEAD).exists()


def test_a_zalo_sender_of_a_merged_duplicate_keeps_getting_updates_without_rating_rights(
    client, category, fallback, clerk, django_capture_on_commit_callbacks
):
    first = post_zalo(client, zalo_event(msg_id="z-1", user="111", text="GT Ổ gà"))
    second = post_zalo(client, zalo_event(msg_id="z-2", user="222", text="GT Ổ gà nữa"))
    original, duplicate = (Report.objects.get(code=r.json()["code"]) for r in (first, second))
    actions.merge_reports(duplicate=duplicate, into=original, actor=clerk)
    actions.accept_report(report=original, actor=clerk)
    FakeZaloGateway.reset()

    with django_capture_on_commit_callbacks(execute=True):
        actions.answer_report(report=original, actor=clerk, answer="Đã xử lý.")
    run_queued_tasks()

    bodies = {m.recipient: m.body for m in FakeZaloGateway.sent}
    assert set(bodies) == {"zalo-user:111", "zalo-user:222"}
    assert "?k=" in bodies["zalo-user:111"]
    assert "?k=" not in bodies["zalo-user:222"]


def test_a_redelivered_zalo_event_makes_no_second_case(client, commune_category, fallback):
    first = post_zalo(client, zalo_event())
    again = post_zalo(client, zalo_event())

    assert again.status_code == 200
    assert again.json() == {"status": "duplicate", "code": first.json()["code"]}
    assert Report.objects.count() == 1


def test_a_zalo_event_without_text_is_acknowledged_and_ignored(client, fallback):
    response = post_zalo(client, {"app_id": ZALO_APP, "event_name": "follow", "follower": {"id": "1"}})

    assert response.status_code == 200
    assert response.json() == {"status": "ignored"}
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize("signature", [None, "mac=0000", FAKE_INBOUND_SECRET + "x"])
def test_a_zalo_event_with_a_bad_signature_is_refused(client, fallback, signature):
    response = post_zalo(client, zalo_event(), signature=signature)

    assert response.status_code == 403
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "event",
    [
        zalo_event(msg_id=""),
        zalo_event(user=""),
        zalo_event(text=""),
        {"event_name": "user_send_text", "message": "hello"},
    ],
)
def test_a_malformed_zalo_event_gets_a_400(client, fallback, event):
    response = post_zalo(client, event)

    assert response.status_code == 400
    assert response.json()["errors"]


# --- Real implementations --------------------------------------------------------------------------------------


def sms_signature(body: bytes) -> str:
    return "sha256=" + hmac.new(SMS_SECRET.encode(), body, hashlib.sha256).hexdigest()


def zalo_signature(body: bytes, timestamp: str, app_id: str = ZALO_APP) -> str:
    # Zalo's scheme: a plain SHA-256 of app id + raw body + timestamp + OA secret key (docs/feedback-inbound.md).
    return "mac=" + hashlib.sha256((app_id + body.decode() + timestamp + ZALO_OA_SECRET).encode()).hexdigest()


@pytest.fixture
def real_inbound(settings):
    settings.FEEDBACK_SMS_INBOUND = "tinhso.feedback.inbound.HmacSmsInbound"
    settings.FEEDBACK_SMS_INBOUND_SECRET = SMS_SECRET
    settings.FEEDBACK_ZALO_INBOUND = "tinhso.feedback.inbound.ZaloOaInbound"
    settings.ZALO_APP_ID = ZALO_APP
    settings.ZALO_OA_SECRET_KEY = ZALO_OA_SECRET


def test_the_real_sms_webhook_accepts_the_gateways_hmac(client, category, fallback, real_inbound):
    body = json.dumps(sms()).encode()

    response = post(client, SMS_URL, body, signature=sms_signature(body))

    assert response.status_code == 200
    assert Report.objects.count() == 1


def test_the_real_sms_webhook_refuses_the_fake_secret_and_a_changed_body(client, category, fallback, real_inbound):
    body = json.dumps(sms()).encode()
    changed = json.dumps(sms(text="GT khác")).encode()

    assert post(client, SMS_URL, body, signature=FAKE_INBOUND_SECRET).status_code == 403
    assert post(client, SMS_URL, changed, signature=sms_signature(body)).status_code == 403
    assert not Report.objects.exists()


def test_the_real_zalo_webhook_accepts_zalos_signature(client, commune_category, fallback, real_inbound):
    body = json.dumps(zalo_event()).encode()

    response = post_zalo(client, body, signature=zalo_signature(body, "1699003881354"))

    assert response.status_code == 200
    assert Report.objects.get().channel == "zalo"


@pytest.mark.parametrize(
    "tamper",
    ["body", "timestamp", "app"],
)
def test_the_real_zalo_webhook_refuses_a_wrong_signature(client, commune_category, fallback, real_inbound, tamper):
    event = zalo_event(app_id="999" if tamper == "app" else ZALO_APP)
    body = json.dumps(event).encode()
    signature = zalo_signature(body, "1699003881354", app_id=event["app_id"])
    if tamper == "body":
        body = json.dumps(zalo_event(text="RAC khác")).encode()
    if tamper == "timestamp":
        signature = zalo_signature(body, "1699003881355")

    assert post_zalo(client, body, signature=signature).status_code == 403
    assert not Report.objects.exists()


def test_an_unconfigured_real_webhook_answers_503(client, settings, fallback):
    settings.FEEDBACK_SMS_INBOUND = "tinhso.feedback.inbound.HmacSmsInbound"
    settings.FEEDBACK_SMS_INBOUND_SECRET = ""

    response = post(client, SMS_URL, sms())

    assert response.status_code == 503
    assert response.json()["errors"]


@pytest.mark.parametrize("real", [False, True])
@pytest.mark.parametrize("channel", ["sms", "zalo"])
def test_both_implementations_keep_the_interface(rf, settings, real_inbound, real, channel):
    """Contract: verify() refuses an unsigned request; parse() returns the same message from the same body."""
    if not real:
        settings.FEEDBACK_SMS_INBOUND = "tinhso.feedback.inbound.FakeSmsInbound"
        settings.FEEDBACK_ZALO_INBOUND = "tinhso.feedback.inbound.FakeZaloInbound"
    inbound = get_inbound(channel)
    body = json.dumps(sms() if channel == "sms" else zalo_event()).encode()
    unsigned = rf.post("/", body, content_type="application/json")

    with pytest.raises(BadSignature):
        inbound.verify(unsigned)
    message = inbound.parse(body)
    expected = ("sms-1", "0912345678") if channel == "sms" else ("zmsg-1", "6142494823000001")
    assert (message.external_id, message.sender) == expected
    assert message.text
