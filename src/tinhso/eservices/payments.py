"""Online payment of fees behind one small interface, with a fake (the default) and a real implementation.

The real gateway follows the usual contract of Vietnamese payment platforms (the national payment platform of
DVCQG, VNPay, …): the citizen is redirected to the gateway with the order's parameters signed by HMAC-SHA512 with
the merchant's secret; the gateway redirects back (and calls the IPN URL) with the result, signed the same way.
Nothing here trusts a callback that is not signed, nor an amount that is not the order's.

Configuration (setting ``ESERVICES_PAYMENT``, a dict read from the ``ESERVICES_PAYMENT_*`` environment variables):
``{"gateway": "real", "url": "https://…/pay", "merchant": "…", "secret": "…"}``; ``{"gateway": "fake"}`` (the
default with DEBUG=1 and in tests: it pays at once and its secret is public, so ``check --deploy`` refuses it in
production); ``{"gateway": "none"}`` (the production default until a gateway is contracted: no online payment,
fees are paid at the one-stop-shop counter).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import ClassVar, Protocol
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone

PAID, FAILED = "paid", "failed"


class PaymentError(Exception):
    """A callback that is not signed, not ours, or does not match the order."""


@dataclass(frozen=True)
class Checkout:
    transaction_ref: str
    redirect_url: str


@dataclass(frozen=True)
class PaymentResult:
    reference: str
    transaction_ref: str
    amount: int
    status: str
    paid_at: dt.datetime | None


class PaymentGateway(Protocol):
    name: str

    def start(self, *, reference: str, amount: int, description: str, return_url: str) -> Checkout: ...

    def verify(self, params: dict[str, str]) -> PaymentResult: ...


def _sign(secret: str, params: dict[str, str]) -> str:
    payload = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sig")
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha512).hexdigest()


#: The fields of a gateway's answer covered by its signature; anything else on the return URL is ignored.
RESULT_FIELDS = ("ref", "txn", "amount", "code", "paid_at")


def _result(secret: str, params: dict[str, str]) -> PaymentResult:
    given = params.get("sig", "")
    signed = {k: params.get(k, "") for k in RESULT_FIELDS}
    if not given or not hmac.compare_digest(given, _sign(secret, signed)):
        raise PaymentError("Chữ ký của cổng thanh toán không hợp lệ.")
    try:
        amount = int(params["amount"])
        paid_at = dt.datetime.fromtimestamp(int(params["paid_at"]), tz=dt.UTC) if params.get("paid_at") else None
        return PaymentResult(params["ref"], params["txn"], amount, PAID if params["code"] == "00" else FAILED, paid_at)
    except (KeyError, ValueError) as exc:
        raise PaymentError("Kết quả thanh toán thiếu hoặc sai trường.") from exc


def gateway_response(secret: str, *, reference: str, transaction_ref: str, amount: int, ok: bool = True) -> dict:
    """Return the signed parameters a gateway sends back (used by the fake and by the contract test)."""
    params = {
        "ref": reference,
        "txn": transaction_ref,
        "amount": str(amount),
        "code": "00" if ok else "24",
        "paid_at": str(int(timezone.now().timestamp())) if ok else "",
    }
    params["sig"] = _sign(secret, params)
    return params


class FakeGateway:
    """Pays at once: the redirect goes straight back to the return URL with a signed success."""

    name = "fake"
    SECRET = "fake-gateway-secret"  # noqa: S105 - not a secret: the fake signs its own test callbacks
    #: Every checkout started in this process, for tests.
    started: ClassVar[list[dict]] = []

    def start(self, *, reference: str, amount: int, description: str, return_url: str) -> Checkout:
        txn = "FAKE-" + secrets.token_hex(6).upper()
        FakeGateway.started.append({"reference": reference, "amount": amount, "description": description})
        params = gateway_response(self.SECRET, reference=reference, transaction_ref=txn, amount=amount)
        joiner = "&" if "?" in return_url else "?"
        return Checkout(txn, f"{return_url}{joiner}{urlencode(params)}")

    def verify(self, params: dict[str, str]) -> PaymentResult:
        return _result(self.SECRET, params)

    @classmethod
    def reset(cls) -> None:
        cls.started = []


class SignedRedirectGateway:
    """The real gateway: a signed redirect out, a signed redirect (or IPN call) back."""

    name = "real"

    def __init__(self, *, url: str, merchant: str, secret: str):
        if not (url and merchant and secret):
            raise ValueError("Cổng thanh toán thật cần url, merchant và secret.")
        self.url, self.merchant, self.secret = url, merchant, secret

    def start(self, *, reference: str, amount: int, description: str, return_url: str) -> Checkout:
        txn = f"{self.merchant}-{secrets.token_hex(8).upper()}"
        params = {
            "merchant": self.merchant,
            "ref": reference,
            "txn": txn,
            "amount": str(amount),
            "info": description[:250],
            "return_url": return_url,
            "created": str(int(timezone.now().timestamp())),
        }
        params["sig"] = _sign(self.secret, params)
        return Checkout(txn, f"{self.url}?{urlencode(params)}")

    def verify(self, params: dict[str, str]) -> PaymentResult:
        return _result(self.secret, params)


def gateway_name() -> str:
    """Return the configured gateway: "real", "fake" or "none" (no online payment)."""
    config = dict(getattr(settings, "ESERVICES_PAYMENT", None) or {})
    return str(config.get("gateway") or "none")


def get_gateway() -> PaymentGateway | None:
    """Return the gateway chosen by the ESERVICES_PAYMENT setting, or None when online payment is off."""
    config = dict(getattr(settings, "ESERVICES_PAYMENT", None) or {})
    name = gateway_name()
    if name == "none":
        return None
    if name == "fake":
        return FakeGateway()
    return SignedRedirectGateway(
        url=config.get("url", ""), merchant=config.get("merchant", ""), secret=config.get("secret", "")
    )
