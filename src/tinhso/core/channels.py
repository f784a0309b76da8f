"""Delivery channels behind small interfaces: e-mail (Django mail), SMS and Zalo OA, each with a fake and a real one.

`SMS_GATEWAY` and `ZALO_GATEWAY` name the class to use (dotted path); the fakes are the default, so development,
tests and the demo never reach a provider. A gateway returns the provider's message id or raises SendError.
A Zalo recipient is a phone number (ZNS template) or `zalo_user(id)`, a Zalo user who wrote to the OA (text reply).
"""

import json
import logging
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.utils import make_msgid
from typing import Any, ClassVar, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

from tinhso.core.phone import mask_phone
from tinhso.core.text import strip_diacritics

logger = logging.getLogger(__name__)


class SendError(Exception):
    """The provider did not accept the message; `permanent` means retrying cannot help (bad number, no template)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Message:
    """One rendered message, as every channel receives it."""

    recipient: str
    body: str
    subject: str = ""
    template: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    reference: str = ""  # our id, passed on as the provider's tracking id so its logs match ours


#: A Zalo recipient written "zalo-user:<id>" is the user id Zalo gave a person who wrote to the OA, not a phone.
ZALO_USER_PREFIX = "zalo-user:"
#: Zalo's OA "consultation" (customer service) message endpoint; ZALO_OA_MESSAGE_URL overrides it.
ZALO_OA_MESSAGE_URL = "https://openapi.zalo.me/v3.0/oa/message/cs"
ZALO_TEXT_LIMIT = 2000


def zalo_user(user_id: str) -> str:
    """Return the Zalo recipient for the user id of someone who wrote to the OA."""
    return f"{ZALO_USER_PREFIX}{user_id}"


def zalo_user_id(recipient: str) -> str | None:
    """Return the Zalo user id in a recipient made by `zalo_user`, None for a phone number."""
    return recipient.removeprefix(ZALO_USER_PREFIX) if recipient.startswith(ZALO_USER_PREFIX) else None


class SmsGateway(Protocol):
    def send(self, message: Message) -> str:
        """Send one SMS to `message.recipient` (0912345678) and return the provider's message id."""
        ...


class ZaloGateway(Protocol):
    def send(self, message: Message) -> str:
        """Send one Zalo OA message to `message.recipient` (a phone's Zalo account, or `zalo_user(id)`) and return
        its message id."""
        ...


# --- Fakes -------------------------------------------------------------------


class _FakeGateway:
    """Record messages in memory and in the log instead of sending them; tests may set `failure`."""

    channel: ClassVar[str]
    sent: ClassVar[list[Message]]
    failure: ClassVar[BaseException | None] = None
    _lock = threading.Lock()

    def send(self, message: Message) -> str:
        failure = type(self).failure
        if failure is not None:
            raise failure
        with self._lock:
            type(self).sent.append(message)
        shown = message.recipient if zalo_user_id(message.recipient) else mask_phone(message.recipient)
        logger.info("[%s giả lập] → %s: %s", self.channel, shown, message.body)
        return f"fake-{self.channel}-{get_random_string(12)}"

    @classmethod
    def reset(cls) -> None:
        """Forget the recorded messages and stop failing."""
        with cls._lock:
            cls.sent.clear()
        cls.failure = None


class FakeSmsGateway(_FakeGateway):
    channel = "sms"
    sent: ClassVar[list[Message]] = []


class FakeZaloGateway(_FakeGateway):
    channel = "zalo"
    sent: ClassVar[list[Message]] = []


# --- Real providers over HTTPS JSON --------------------------------------------


def _international(phone: str) -> str:
    """Return 84912345678 for 0912345678: the form provider APIs expect."""
    return "84" + phone[1:] if phone.startswith("0") else phone


def _post_json(url: str, payload: dict, *, headers: dict[str, str], timeout: float) -> dict:
    """POST `payload` and return the decoded JSON answer; raise SendError on any transport or HTTP failure."""
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked by _checked_url
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", "Accept": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as exc:
        # 4xx other than throttling means the request itself is wrong: retrying sends the same wrong request.
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
        raise SendError(f"HTTP {exc.code}: {exc.read()[:300]!r}", permanent=permanent) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise SendError(f"{type(exc).__name__}: {exc}") from exc
    try:
        answer = json.loads(raw or b"{}")
    except ValueError as exc:
        raise SendError(f"Provider answered with invalid JSON: {raw[:200]!r}") from exc
    if not isinstance(answer, dict):
        raise SendError(f"Provider answered with unexpected JSON: {raw[:200]!r}")
    return answer


def _checked_url(name: str, url: str | None) -> str:
    """Return `url` if it is HTTPS (plain HTTP only to this machine, for tests and local relays)."""
    if not url:
        raise ImproperlyConfigured(f"{name} must be set to use the real gateway.")
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")):
        return url
    raise ImproperlyConfigured(f"{name} must be an https:// URL; got {url!r}.")


class HttpSmsGateway:
    """A brand-name SMS gateway over HTTPS JSON (the common shape of Vietnamese SMS brand-name providers).

    Request: POST SMS_GATEWAY_URL with `Authorization: Bearer SMS_GATEWAY_KEY` and
    {"to": "84912345678", "brandname": SMS_BRANDNAME, "message": text, "request_id": reference}.
    Answer: {"code": 0, "message_id": "..."} on success; any other code is a refusal, with "message" saying why.
    A provider with another shape gets its own small class with the same `send`.
    """

    def __init__(self) -> None:
        self.url = _checked_url("SMS_GATEWAY_URL", settings.SMS_GATEWAY_URL)
        if not settings.SMS_GATEWAY_KEY:
            raise ImproperlyConfigured("SMS_GATEWAY_KEY must be set to use the real SMS gateway.")
        self.key = settings.SMS_GATEWAY_KEY
        self.brandname = settings.SMS_BRANDNAME
        self.unaccented = settings.SMS_UNACCENTED
        self.timeout = settings.NOTIFY_HTTP_TIMEOUT

    def send(self, message: Message) -> str:
        # Some brand-name contracts bill Unicode SMS as several parts or reject them outright.
        text = strip_diacritics(message.body) if self.unaccented else message.body
        payload = {
            "to": _international(message.recipient),
            "brandname": self.brandname,
            "message": text,
            "request_id": message.reference,
        }
        answer = _post_json(self.url, payload, headers={"Authorization": f"Bearer {self.key}"}, timeout=self.timeout)
        if answer.get("code") != 0 or not answer.get("message_id"):
            raise SendError(f"SMS gateway refused: {answer.get('code')} {answer.get('message', '')}"[:500])
        return str(answer["message_id"])


class ZnsZaloGateway:
    """Zalo OA notifications: through ZNS to a phone number, as a text reply to a Zalo user id.

    To a user id (`zalo_user(id)`, someone who wrote to the OA): POST ZALO_OA_MESSAGE_URL (Zalo's v3 "cs"
    consultation message) with header `access_token` and {"recipient": {"user_id": ...}, "message": {"text": ...}};
    answer {"error": 0, "data": {"message_id": ...}}. Zalo accepts these only within its reply window after the
    user's last message; a refusal is retried with backoff and then given up like any other.

    Request: POST ZALO_ZNS_URL with header `access_token: ZALO_OA_ACCESS_TOKEN` and
    {"phone": "84912345678", "template_id": ..., "template_data": {...}, "tracking_id": reference}.
    Answer: {"error": 0, "message": "Success", "data": {"msg_id": "..."}}; a non-zero error is a refusal.
    ZALO_ZNS_TEMPLATES maps our template names to the ids Zalo approved ("generic=123456,...").
    """

    def __init__(self) -> None:
        self.url = _checked_url("ZALO_ZNS_URL", settings.ZALO_ZNS_URL)
        if not settings.ZALO_OA_ACCESS_TOKEN:
            raise ImproperlyConfigured("ZALO_OA_ACCESS_TOKEN must be set to use the real Zalo gateway.")
        self.token = settings.ZALO_OA_ACCESS_TOKEN
        self.templates = dict(item.split("=", 1) for item in settings.ZALO_ZNS_TEMPLATES if "=" in item)
        self.timeout = settings.NOTIFY_HTTP_TIMEOUT

    def send(self, message: Message) -> str:
        user_id = zalo_user_id(message.recipient)
        if user_id is not None:
            return self._reply(user_id, message)
        template_id = self.templates.get(message.template)
        if not template_id:
            raise SendError(f"No approved ZNS template for {message.template!r}.", permanent=True)
        payload = {
            "phone": _international(message.recipient),
            "template_id": template_id,
            # ZNS parameters are strings of limited length; the approved template decides which it shows.
            "template_data": {key: str(value)[:200] for key, value in message.data.items()},
            "tracking_id": message.reference,
        }
        answer = _post_json(self.url, payload, headers={"access_token": self.token}, timeout=self.timeout)
        error = answer.get("error")
        if error != 0:
            # Every refusal is retried with backoff: Zalo's error codes mix lasting causes (invalid phone) with
            # passing ones (quota, rate limit), and a wrong guess would drop a message that could still go out.
            raise SendError(f"Zalo ZNS refused: {error} {answer.get('message', '')}"[:500])
        msg_id = (answer.get("data") or {}).get("msg_id")
        if not msg_id:
            raise SendError("Zalo ZNS answered without a msg_id.")
        return str(msg_id)

    def _reply(self, user_id: str, message: Message) -> str:
        url = _checked_url("ZALO_OA_MESSAGE_URL", getattr(settings, "ZALO_OA_MESSAGE_URL", ZALO_OA_MESSAGE_URL))
        payload = {"recipient": {"user_id": user_id}, "message": {"text": message.body[:ZALO_TEXT_LIMIT]}}
        answer = _post_json(url, payload, headers={"access_token": self.token}, timeout=self.timeout)
        if answer.get("error") != 0:
            raise SendError(f"Zalo OA refused: {answer.get('error')} {answer.get('message', '')}"[:500])
        message_id = (answer.get("data") or {}).get("message_id")
        if not message_id:
            raise SendError("Zalo OA answered without a message_id.")
        return str(message_id)


# --- E-mail ----------------------------------------------------------------------


class DjangoEmailChannel:
    """E-mail through Django's mail backend (console in debug, SMTP in production, locmem in tests)."""

    def send(self, message: Message) -> str:
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"
        message_id = make_msgid(domain=domain)
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            to=[message.recipient],
            headers={"Message-ID": message_id},
        )
        # fail_silently=False: an SMTP error must reach the outbox as a failed attempt, not vanish.
        email.send(fail_silently=False)
        return message_id


def get_channel(channel: str) -> SmsGateway | ZaloGateway | DjangoEmailChannel:
    """Return the configured sender for `channel` ("email", "sms" or "zalo")."""
    if channel == "email":
        return DjangoEmailChannel()
    if channel == "sms":
        return import_string(settings.SMS_GATEWAY)()
    if channel == "zalo":
        return import_string(settings.ZALO_GATEWAY)()
    raise ValueError(f"Unknown notification channel {channel!r}.")
