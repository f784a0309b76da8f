"""The payment gateway contract: both implementations start a checkout and verify only signed, matching results."""

from urllib.parse import parse_qsl, urlsplit

import pytest

from tinhso.eservices import payments
from tinhso.eservices.payments import FakeGateway, PaymentError, SignedRedirectGateway

REAL = {"url": "https://thanhtoan.example/pay", "merchant": "TNG01", "secret": "khoa-bi-mat-thu-nghiem"}


def gateways():
    return [
        (FakeGateway(), FakeGateway.SECRET),
        (SignedRedirectGateway(**REAL), REAL["secret"]),
    ]


@pytest.mark.parametrize(("gateway", "secret"), gateways(), ids=["fake", "real"])
def test_gateway_contract(gateway, secret):
    checkout = gateway.start(
        reference="000.00.12.H62-260309-0001", amount=50_000, description="Lệ phí hộ tịch", return_url="/tt/ve/"
    )
    assert checkout.transaction_ref and checkout.redirect_url
    # What the gateway sends back after the citizen paid: the fake sends it itself, the real one is simulated.
    back = gateway_params = payments.gateway_response(
        secret, reference="000.00.12.H62-260309-0001", transaction_ref=checkout.transaction_ref, amount=50_000
    )
    result = gateway.verify(back)
    assert (result.reference, result.transaction_ref, result.amount, result.status) == (
        "000.00.12.H62-260309-0001",
        checkout.transaction_ref,
        50_000,
        payments.PAID,
    )
    assert result.paid_at is not None
    failed = payments.gateway_response(secret, reference="X", transaction_ref="T", amount=1, ok=False)
    assert gateway.verify(failed).status == payments.FAILED
    tampered = dict(gateway_params, amount="1")
    with pytest.raises(PaymentError):
        gateway.verify(tampered)
    with pytest.raises(PaymentError):
        gateway.verify({k: v for k, v in gateway_params.items() if k != "sig"})


def test_the_fake_redirects_back_with_a_signed_success():
    checkout = FakeGateway().start(reference="R1", amount=10_000, description="Phí", return_url="/ve/?a=1")
    query = dict(parse_qsl(urlsplit(checkout.redirect_url).query))
    assert FakeGateway().verify(query).status == payments.PAID


def test_the_real_gateway_signs_its_redirect():
    checkout = SignedRedirectGateway(**REAL).start(reference="R1", amount=10_000, description="Phí", return_url="/ve/")
    assert checkout.redirect_url.startswith(REAL["url"] + "?")
    query = dict(parse_qsl(urlsplit(checkout.redirect_url).query))
    assert query["sig"] == payments._sign(REAL["secret"], query)


def test_the_gateway_is_chosen_by_the_setting(settings):
    settings.ESERVICES_PAYMENT = {"gateway": "fake"}
    assert payments.get_gateway().name == "fake"
    settings.ESERVICES_PAYMENT = {"gateway": "none"}
    assert payments.get_gateway() is None
    settings.ESERVICES_PAYMENT = None  # nothing configured: no online payment, never the fake
    assert payments.get_gateway() is None
    settings.ESERVICES_PAYMENT = {"gateway": "real", **REAL}
    assert payments.get_gateway().name == "real"
    settings.ESERVICES_PAYMENT = {"gateway": "real"}
    with pytest.raises(ValueError):
        payments.get_gateway()


@pytest.mark.parametrize(
    ("debug", "gateway", "refused"),
    [(False, "fake", True), (True, "fake", False), (False, "none", False), (False, "real", False)],
)
def test_the_deploy_check_refuses_the_fake_gateway_in_production(settings, debug, gateway, refused):
    from tinhso.eservices.checks import check_payment_gateway

    settings.DEBUG = debug
    settings.ESERVICES_PAYMENT = {"gateway": gateway, **(REAL if gateway == "real" else {})}
    assert [e.id for e in check_payment_gateway()] == (["eservices.E001"] if refused else [])
