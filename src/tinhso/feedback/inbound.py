"""SMS and Zalo OA messages in: verify the provider's webhook, keep the message, turn it into a case once.

Each channel sits behind a small interface (`verify` the request, `parse` its body) with a fake and a real
implementation chosen by `FEEDBACK_SMS_INBOUND` / `FEEDBACK_ZALO_INBOUND`; the fakes are the default and accept
the fixed secret `FAKE_INBOUND_SECRET`. See docs/feedback-inbound.md for the wire formats and the keyword table.
"""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tinhso.core.address import resolve_old_address
from tinhso.core.phone import normalize_phone
from tinhso.core.text import fold
from tinhso.feedback import actions
from tinhso.feedback.models import Category, InboundMessage, Report
from tinhso.feedback.views_public import Limit, _limit_count, _limit_reached

logger = logging.getLogger(__name__)

#: The secret the fake implementations accept in the signature header (public: development and tests only).
FAKE_INBOUND_SECRET = "tinhso-fake-inbound-secret"  # noqa: S105 - public by design
MAX_EXTERNAL_ID = 100  # the idempotency key "zalo:<id>" must fit Report.idempotency_key (120)
MAX_BODY = 64 * 1024
#: New cases one phone number or Zalo user may open by message; more wait for the window to pass (the provider
#: redelivers a refused message, and the message is kept with the reason meanwhile).
SENDER_LIMIT = Limit(5, 60 * 60)

#: First word of a message (diacritics and case ignored) → category code; docs/feedback-inbound.md lists it.
KEYWORDS = {
    "GT": "giao-thong",
    "DT": "trat-tu-do-thi",
    "RAC": "rac-thai",
    "ON": "o-nhiem",
    "NUOC": "cap-thoat-nuoc",
    "DEN": "chieu-sang",
    "XD": "xay-dung-dat-dai",
    "ANTT": "an-ninh-trat-tu",
    "ATTP": "an-toan-thuc-pham",
    "YT": "y-te",
    "GD": "giao-duc",
    "TTHC": "thu-tuc-hanh-chinh",
    "CB": "can-bo",
    "KHAN": "thien-tai",
    "KHAC": "khac",
}
FALLBACK_CATEGORY = "khac"


class BadSignature(Exception):
    """The request was not signed by the provider."""


class Malformed(Exception):
    """The body is not a message we understand; `errors` says why, in Vietnamese."""

    def __init__(self, *errors: str):
        super().__init__("; ".join(errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class InboundText:
    """One text message as the provider delivered it."""

    external_id: str
    sender: str
    text: str


class InboundChannel(Protocol):
    channel: str

    def verify(self, request: HttpRequest) -> None:
        """Raise BadSignature unless the request comes from the provider."""
        ...

    def parse(self, body: bytes) -> InboundText | None:
        """Return the text message in `body`, None for an event that carries none; raise Malformed."""
        ...


def _json_object(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Malformed(_("Nội dung yêu cầu không phải JSON hợp lệ.")) from None
    if not isinstance(data, dict):
        raise Malformed(_("Nội dung yêu cầu phải là một đối tượng JSON."))
    return data


def _text_field(value, name: str, *, max_length: int | None = None) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise Malformed(_("Thiếu trường “%(name)s”.") % {"name": name})
    if max_length and len(value.strip()) > max_length:
        raise Malformed(_("Trường “%(name)s” dài quá %(n)s ký tự.") % {"name": name, "n": max_length})
    return value.strip()


def _signature_matches(expected: str, supplied: str) -> bool:
    return hmac.compare_digest(expected.lower().encode(), supplied.strip().lower().encode())


# --- SMS -------------------------------------------------------------------------------------------------------


class _SmsInbound:
    """An SMS gateway's forwarding webhook: POST {"id": ..., "from": "0912345678", "text": ...}."""

    channel = Report.Channel.SMS
    header = "X-Signature"

    def parse(self, body: bytes) -> InboundText:
        data = _json_object(body)
        external_id = _text_field(data.get("id"), "id", max_length=MAX_EXTERNAL_ID)
        text = _text_field(data.get("text"), "text")
        try:
            sender = normalize_phone(_text_field(data.get("from"), "from", max_length=20))
        except ValidationError as exc:
            raise Malformed(*exc.messages) from None
        return InboundText(external_id=external_id, sender=sender, text=text)


class FakeSmsInbound(_SmsInbound):
    """Accept requests whose X-Signature header is FAKE_INBOUND_SECRET (development, tests, the demo)."""

    def verify(self, request: HttpRequest) -> None:
        if not _signature_matches(FAKE_INBOUND_SECRET, request.headers.get(self.header, "")):
            raise BadSignature


class HmacSmsInbound(_SmsInbound):
    """X-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with FEEDBACK_SMS_INBOUND_SECRET>."""

    def __init__(self) -> None:
        if not settings.FEEDBACK_SMS_INBOUND_SECRET:
            raise ImproperlyConfigured("FEEDBACK_SMS_INBOUND_SECRET must be set to use HmacSmsInbound.")
        self.secret = settings.FEEDBACK_SMS_INBOUND_SECRET.encode()

    def verify(self, request: HttpRequest) -> None:
        supplied = request.headers.get(self.header, "").strip()
        supplied = supplied.removeprefix("sha256=")
        expected = hmac.new(self.secret, request.body, hashlib.sha256).hexdigest()
        if not supplied or not _signature_matches(expected, supplied):
            raise BadSignature


# --- Zalo OA ---------------------------------------------------------------------------------------------------


class _ZaloInbound:
    """Zalo OA webhook events; only `user_send_text` carries a report, every other event is acknowledged."""

    channel = Report.Channel.ZALO
    header = "X-ZEvent-Signature"

    def parse(self, body: bytes) -> InboundText | None:
        data = _json_object(body)
        if data.get("event_name") != "user_send_text":
            return None
        sender = data.get("sender") if isinstance(data.get("sender"), dict) else {}
        message = data.get("message") if isinstance(data.get("message"), dict) else {}
        return InboundText(
            external_id=_text_field(message.get("msg_id"), "message.msg_id", max_length=MAX_EXTERNAL_ID),
            sender=_text_field(sender.get("id"), "sender.id", max_length=64),
            text=_text_field(message.get("text"), "message.text"),
        )


class FakeZaloInbound(_ZaloInbound):
    """Accept requests whose X-ZEvent-Signature header is FAKE_INBOUND_SECRET."""

    def verify(self, request: HttpRequest) -> None:
        if not _signature_matches(FAKE_INBOUND_SECRET, request.headers.get(self.header, "")):
            raise BadSignature


class ZaloOaInbound(_ZaloInbound):
    """Zalo's OA webhook signature: X-ZEvent-Signature = "mac=" + hex SHA-256 of
    app_id + raw body + timestamp + OA secret key, with app_id and timestamp read from the body.

    This is a plain hash, not an HMAC, as Zalo specifies it; the OA secret key (not the app's secret) is the one
    shown when the app is linked to the Official Account. Sources in docs/feedback-inbound.md.
    """

    def __init__(self) -> None:
        if not settings.ZALO_APP_ID or not settings.ZALO_OA_SECRET_KEY:
            raise ImproperlyConfigured("ZALO_APP_ID and ZALO_OA_SECRET_KEY must be set to use ZaloOaInbound.")
        self.app_id = settings.ZALO_APP_ID
        self.secret = settings.ZALO_OA_SECRET_KEY

    def verify(self, request: HttpRequest) -> None:
        supplied = request.headers.get(self.header, "").strip()
        supplied = supplied[4:] if supplied.lower().startswith("mac=") else supplied
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise BadSignature from None  # nothing to check the signature against
        if not isinstance(data, dict) or str(data.get("app_id", "")) != self.app_id or not supplied:
            raise BadSignature
        signed = self.app_id.encode() + request.body + str(data.get("timestamp", "")).encode() + self.secret.encode()
        if not _signature_matches(hashlib.sha256(signed).hexdigest(), supplied):
            raise BadSignature


def get_inbound(channel: str) -> InboundChannel:
    """Return the configured implementation for "sms" or "zalo"."""
    path = settings.FEEDBACK_SMS_INBOUND if channel == Report.Channel.SMS else settings.FEEDBACK_ZALO_INBOUND
    return import_string(path)()


# --- From message to case --------------------------------------------------------------------------------------


def category_for(text: str) -> Category | None:
    """Return the category named by the message's first word (see KEYWORDS), else "khac", else the first active."""
    words = fold(text).split(maxsplit=1)
    keyword = words[0].strip(".,:;-").upper() if words else ""
    active = Category.objects.filter(is_active=True).select_related("default_agency")  # routing reads it
    code = KEYWORDS.get(keyword)
    return (
        (active.filter(code=code).first() if code else None)
        or active.filter(code=FALLBACK_CATEGORY).first()
        or active.order_by("sort_order", "name").first()
    )


@dataclass(frozen=True)
class Received:
    message: InboundMessage
    created: bool  # False: a redelivery of a message that already made its case
    errors: list[str]  # why the text could not become a case (the message is kept with them)
    limited: bool = False  # the sender has opened too many cases lately; the provider should redeliver later


def receive(*, channel: str, message: InboundText) -> Received:
    """Store the message and make its case, once: a redelivered message returns the case it already made."""
    done = InboundMessage.objects.filter(channel=channel, external_id=message.external_id, report__isnull=False)
    if row := done.select_related("report").first():
        return Received(row, False, [])
    # Read-only work before the transaction: on SQLite the transaction holds the database's write lock.
    category = category_for(message.text)
    # The text is used as the address only when it names a commune: then routing can use that commune.
    address = message.text[:255] if resolve_old_address(message.text) else ""
    with transaction.atomic():
        row, _created = InboundMessage.objects.select_for_update().get_or_create(
            channel=channel,
            external_id=message.external_id,
            defaults={"sender": message.sender, "text": message.text},
        )
        if row.report_id:
            return Received(row, False, [])
        limit_key = f"{channel}:{message.sender}"
        if _limit_reached("inbound", limit_key, SENDER_LIMIT):
            errors = [_("Số điện thoại hoặc tài khoản này đã gửi quá nhiều phản ánh trong một giờ; xin thử lại sau.")]
            return Received(_failed(row, errors).message, False, errors, limited=True)
        if category is None:
            return _failed(row, [_("Hệ thống chưa có lĩnh vực nào đang tiếp nhận phản ánh.")])
        try:
            report = actions.submit_report(
                category=category,
                description=message.text,
                channel=channel,
                address=address,
                # SMS replies go to the sender's phone; Zalo replies to the sender's Zalo user id, through the OA.
                reporter_phone=message.sender if channel == Report.Channel.SMS else "",
                reporter_zalo_id=message.sender if channel == Report.Channel.ZALO else "",
                idempotency_key=f"{channel}:{message.external_id}",
            )
        except ValidationError as exc:
            return _failed(row, exc.messages)
        row.report = report
        row.error = ""
        row.save(update_fields=["report", "error"])
    _limit_count("inbound", limit_key, SENDER_LIMIT)
    return Received(row, True, [])


def _failed(row: InboundMessage, errors: list[str]) -> Received:
    row.error = "; ".join(errors)[:2000]
    row.save(update_fields=["error"])
    return Received(row, False, errors)


def _errors(status: int, *messages: str) -> JsonResponse:
    return JsonResponse({"errors": list(messages)}, status=status, json_dumps_params={"ensure_ascii": False})


def _webhook(request: HttpRequest, channel: str) -> JsonResponse:
    try:
        inbound = get_inbound(channel)
    except ImproperlyConfigured:
        logger.exception("The %s inbound webhook is not configured.", channel)
        return _errors(503, _("Kênh tiếp nhận này chưa được cấu hình."))
    if len(request.body) > MAX_BODY:
        return _errors(400, _("Nội dung yêu cầu quá lớn."))
    try:
        inbound.verify(request)
    except BadSignature:
        return _errors(403, _("Chữ ký của yêu cầu không hợp lệ."))
    try:
        message = inbound.parse(request.body)
    except Malformed as exc:
        return _errors(400, *exc.errors)
    if message is None:
        return JsonResponse({"status": "ignored"})
    received = receive(channel=channel, message=message)
    if received.limited:
        return _errors(429, *received.errors)
    if received.errors:
        return _errors(400, *received.errors)
    status = "created" if received.created else "duplicate"
    return JsonResponse({"status": status, "code": received.message.report.code})


@csrf_exempt
@require_POST
def sms_webhook(request: HttpRequest) -> JsonResponse:
    """Receive one SMS forwarded by the SMS gateway."""
    return _webhook(request, Report.Channel.SMS)


@csrf_exempt
@require_POST
def zalo_webhook(request: HttpRequest) -> JsonResponse:
    """Receive one Zalo OA webhook event."""
    return _webhook(request, Report.Channel.ZALO)
