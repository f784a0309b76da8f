"""The channel contract: fake and real gateways behave alike through the same interface."""

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from tinhso.core.channels import (
    DjangoEmailChannel,
    FakeSmsGateway,
    FakeZaloGateway,
    HttpSmsGateway,
    Message,
    SendError,
    ZnsZaloGateway,
    get_channel,
    zalo_user,
)

MESSAGE = Message(
    recipient="0912345678",
    body="Hồ sơ H19.01-250701-0001 đã có kết quả, mời ông/bà đến nhận.",
    template="generic",
    data={"title": "Kết quả hồ sơ", "code": "H19.01-250701-0001"},
    reference="tinhso-42",
)


class Provider(ThreadingHTTPServer):
    """A tiny stand-in for an SMS or Zalo provider on 127.0.0.1: records requests, answers as told."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ProviderHandler)
        self.requests: list[dict] = []
        self.answer: Callable[[dict], tuple[int, dict]] = lambda payload: (200, {})
        self.delay = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/send"


class ProviderHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"headers": self.headers, "json": payload})
        if self.server.delay:
            time.sleep(self.server.delay)
        status, answer = self.server.answer(payload)
        body = json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except BrokenPipeError:
            pass  # the client gave up waiting (the timeout test)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    server = Provider()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _sms_ok(payload):
    return 200, {"code": 0, "message_id": f"sms-{payload['request_id']}"}


def _sms_refused(payload):
    return 200, {"code": 7, "message": "Brandname chưa được duyệt"}


def _zns_ok(payload):
    return 200, {"error": 0, "message": "Success", "data": {"msg_id": f"zns-{payload['tracking_id']}"}}


def _zns_refused(payload):
    return 200, {"error": -124, "message": "Access token invalid"}


class Contract:
    """How to build one implementation, read what its provider received, and make the provider refuse."""

    def __init__(self, name, provider):
        self.name = name
        self.provider = provider

    def gateway(self):
        if self.name == "fake-sms":
            return FakeSmsGateway()
        if self.name == "fake-zalo":
            return FakeZaloGateway()
        if self.name == "http-sms":
            self.provider.answer = _sms_ok
            return HttpSmsGateway()
        self.provider.answer = _zns_ok
        return ZnsZaloGateway()

    def received(self) -> list[tuple[str, object]]:
        """Return (phone, content) of each message the provider got: the text for SMS, the data for Zalo."""
        if self.name == "fake-sms":
            return [(m.recipient, m.body) for m in FakeSmsGateway.sent]
        if self.name == "fake-zalo":
            return [(m.recipient, m.data) for m in FakeZaloGateway.sent]
        if self.name == "http-sms":
            return [(r["json"]["to"], r["json"]["message"]) for r in self.provider.requests]
        return [(r["json"]["phone"], r["json"]["template_data"]) for r in self.provider.requests]

    def refuse(self):
        if self.name.startswith("fake"):
            type(self.gateway()).failure = SendError("refused by the fake")
        else:
            self.provider.answer = _sms_refused if self.name == "http-sms" else _zns_refused


REAL_SETTINGS = {
    "SMS_GATEWAY_KEY": "test-key",
    "SMS_BRANDNAME": "TINHSO",
    "SMS_UNACCENTED": False,
    "ZALO_OA_ACCESS_TOKEN": "test-token",
    "ZALO_ZNS_TEMPLATES": ["generic=250001"],
    "NOTIFY_HTTP_TIMEOUT": 5,
}


@pytest.fixture
def real(settings, provider):
    """Configure both real gateways to talk to the local provider; return the provider."""
    for name, value in {**REAL_SETTINGS, "SMS_GATEWAY_URL": provider.url, "ZALO_ZNS_URL": provider.url}.items():
        setattr(settings, name, value)
    return provider


@pytest.fixture(params=["fake-sms", "http-sms", "fake-zalo", "zns-zalo"])
def contract(request, real):
    return Contract(request.param, real)


def test_it_delivers_the_message_and_returns_the_provider_id(contract):
    gateway = contract.gateway()

    message_id = gateway.send(MESSAGE)

    assert isinstance(message_id, str) and message_id
    [(phone, content)] = contract.received()
    assert phone.endswith("912345678")
    if contract.name.endswith("sms"):
        assert content == MESSAGE.body
    else:
        assert content == MESSAGE.data


def test_it_raises_send_error_when_the_provider_refuses(contract):
    gateway = contract.gateway()
    contract.refuse()

    with pytest.raises(SendError) as refused:
        gateway.send(MESSAGE)

    assert not refused.value.permanent  # a refusal is retried with backoff unless known to be final


@pytest.fixture(params=["fake-zalo", "zns-zalo"])
def zalo_contract(request, real, settings):
    settings.ZALO_OA_MESSAGE_URL = real.url
    real.answer = lambda payload: (200, {"error": 0, "message": "Success", "data": {"message_id": "oa-1"}})
    return request.param


def _zalo_replies(name, provider) -> list[tuple[str, str]]:
    if name == "fake-zalo":
        return [(m.recipient, m.body) for m in FakeZaloGateway.sent]
    return [(r["json"]["recipient"]["user_id"], r["json"]["message"]["text"]) for r in provider.requests]


def test_zalo_gateways_reply_to_a_zalo_user_id_with_the_text(zalo_contract, real):
    gateway = FakeZaloGateway() if zalo_contract == "fake-zalo" else ZnsZaloGateway()
    reply = Message(recipient=zalo_user("6142009876543"), body="Đã nhận phản ánh PA-2026-000001.", template="generic")

    message_id = gateway.send(reply)

    assert isinstance(message_id, str) and message_id
    [(user, text)] = _zalo_replies(zalo_contract, real)
    assert user.endswith("6142009876543")
    assert text == "Đã nhận phản ánh PA-2026-000001."


def test_zalo_gateways_raise_send_error_when_a_reply_is_refused(zalo_contract, real):
    gateway = FakeZaloGateway() if zalo_contract == "fake-zalo" else ZnsZaloGateway()
    if zalo_contract == "fake-zalo":
        FakeZaloGateway.failure = SendError("refused by the fake")
    else:  # e.g. outside Zalo's reply window after the user's last message
        real.answer = lambda payload: (200, {"error": -213, "message": "User has not interacted with OA"})

    with pytest.raises(SendError):
        gateway.send(Message(recipient=zalo_user("6142009876543"), body="x"))


def test_real_zalo_reply_goes_to_the_oa_message_endpoint_with_the_access_token(real, settings):
    settings.ZALO_OA_MESSAGE_URL = real.url
    real.answer = lambda payload: (200, {"error": 0, "message": "Success", "data": {"message_id": "oa-1"}})
    ZnsZaloGateway().send(Message(recipient=zalo_user("6142"), body="x" * 2500, template="no-zns-template-needed"))

    [request] = real.requests
    assert request["headers"]["access_token"] == "test-token"
    assert "template_id" not in request["json"]
    assert len(request["json"]["message"]["text"]) == 2000  # Zalo's limit for a text message


def test_real_sms_gateway_sends_brandname_key_and_tracking_id(real):
    real.answer = _sms_ok
    HttpSmsGateway().send(MESSAGE)

    [request] = real.requests
    assert request["headers"]["Authorization"] == "Bearer test-key"
    assert request["json"]["brandname"] == "TINHSO"
    assert request["json"]["to"] == "84912345678"
    assert request["json"]["request_id"] == "tinhso-42"


def test_real_sms_gateway_can_strip_diacritics_for_unaccented_contracts(real, settings):
    real.answer = _sms_ok
    settings.SMS_UNACCENTED = True
    HttpSmsGateway().send(MESSAGE)

    text = real.requests[0]["json"]["message"]
    assert text.startswith("Ho so H19.01-250701-0001 da co ket qua")


def test_zns_gateway_sends_the_approved_template_with_the_access_token(real):
    real.answer = _zns_ok
    ZnsZaloGateway().send(MESSAGE)

    [request] = real.requests
    assert request["headers"]["access_token"] == "test-token"
    assert request["json"]["template_id"] == "250001"
    assert request["json"]["tracking_id"] == "tinhso-42"


def test_zns_gateway_gives_up_at_once_on_a_template_zalo_has_not_approved(real):
    with pytest.raises(SendError) as refused:
        ZnsZaloGateway().send(Message(recipient="0912345678", body="x", template="unknown"))

    assert refused.value.permanent
    assert real.requests == []


@pytest.mark.parametrize(("status", "permanent"), [(500, False), (503, False), (429, False), (400, True)])
def test_http_errors_are_retried_unless_the_request_itself_is_wrong(real, status, permanent):
    real.answer = lambda payload: (status, {"error": "x"})
    with pytest.raises(SendError) as failed:
        HttpSmsGateway().send(MESSAGE)

    assert failed.value.permanent is permanent


def test_a_provider_that_does_not_answer_in_time_is_a_retryable_failure(real, settings):
    real.answer = _sms_ok
    real.delay = 2
    settings.NOTIFY_HTTP_TIMEOUT = 0.2
    with pytest.raises(SendError) as failed:
        HttpSmsGateway().send(MESSAGE)

    assert not failed.value.permanent


def test_a_provider_that_is_down_is_a_retryable_failure(real):
    real.shutdown()
    real.server_close()
    with pytest.raises(SendError) as failed:
        HttpSmsGateway().send(MESSAGE)

    assert not failed.value.permanent


@pytest.mark.parametrize(
    ("cls", "overrides"),
    [
        (HttpSmsGateway, {"SMS_GATEWAY_URL": "http://sms.example.vn/send"}),
        (HttpSmsGateway, {"SMS_GATEWAY_URL": None}),
        (HttpSmsGateway, {"SMS_GATEWAY_URL": "https://sms.example.vn/send", "SMS_GATEWAY_KEY": ""}),
        (ZnsZaloGateway, {"ZALO_ZNS_URL": "https://zalo.example.vn/", "ZALO_OA_ACCESS_TOKEN": ""}),
    ],
)
def test_real_gateways_refuse_to_start_misconfigured(cls, overrides):
    with override_settings(**{**REAL_SETTINGS, **overrides}), pytest.raises(ImproperlyConfigured):
        cls()


def test_email_goes_through_django_mail_with_a_message_id(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = Message(recipient="dan@example.vn", subject="Kết quả hồ sơ", body="Hồ sơ đã có kết quả.")

    message_id = DjangoEmailChannel().send(message)

    [sent] = mail.outbox
    assert sent.to == ["dan@example.vn"]
    assert sent.subject == "Kết quả hồ sơ"
    assert sent.extra_headers["Message-ID"] == message_id


def test_settings_choose_the_gateway_and_fakes_are_the_default(settings):
    assert isinstance(get_channel("sms"), FakeSmsGateway)
    assert isinstance(get_channel("zalo"), FakeZaloGateway)
    settings.SMS_GATEWAY = "tinhso.core.channels.HttpSmsGateway"
    settings.SMS_GATEWAY_URL = "https://sms.example.vn/send"
    settings.SMS_GATEWAY_KEY = "k"
    assert isinstance(get_channel("sms"), HttpSmsGateway)
