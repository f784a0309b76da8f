"""Malformed input on the citizen's pages and the webhooks gets a message or a 4xx, never a server error."""

import pytest
from django.urls import reverse

from tinhso.feedback import actions
from tinhso.feedback.inbound import FAKE_INBOUND_SECRET

HUGE = "9" * 30  # past any database integer
ODD_CODES = ["x" * 500, "PA-2026-" + HUGE, "<script>", "PA 2026 000001", "%00", "ạ" * 40]


@pytest.fixture
def case(category, inside):
    return actions.submit_report(category=category, description="Đèn hỏng", reporter_phone="0912345678", **inside)


def _requests(case):
    odd_form = {
        "token": "not-a-uuid" * 10,
        "category": "<b>x</b>",
        "description": "\x00" * 5,
        "lon": "nan",
        "lat": "1e999",
        "reporter_phone": "+" * 30,
        "reporter_email": "@@",
        "is_anonymous": "maybe",
        "photos": "not a file",
    }
    yield "post", reverse("feedback:submit"), odd_form
    yield "post", reverse("feedback:submit"), {"token": "", "lon": "inf", "lat": "-inf", "address": "x" * 10_000}
    yield "get", reverse("feedback:nearby"), {"category": "x" * 500, "lon": "1e309", "lat": "nan"}
    yield "post", reverse("feedback:follow"), {"code": "x" * 500, "reporter_phone": "abc", "reporter_email": "@"}
    yield "get", reverse("feedback:lookup"), {"code": "x" * 5000}
    yield "post", reverse("feedback:rate", args=[case.code]), {"rating": "great", "reason": "x" * 5000, "k": "x" * 900}
    yield "get", reverse("feedback:track", args=[case.code]), {"k": "\x00" * 50}
    for code in ODD_CODES:
        yield "get", reverse("feedback:track", args=[code]), {}
        yield "get", reverse("feedback:submitted", args=[code]), {}
        yield "post", reverse("feedback:rate", args=[code]), {"rating": "satisfied"}
    yield "get", f"/phan-anh/tep/{HUGE}/", {}
    yield "get", reverse("feedback:public_list"), {"category": HUGE, "unit": "x", "start": "99/99/9999", "trang": HUGE}
    yield "get", reverse("feedback:public_geojson"), {"category": "\x00", "start": "31/02/2026"}
    yield "get", reverse("feedback:public_stats"), {"start": "x", "end": "00/00/0000", "category": HUGE}


def test_no_public_page_answers_a_server_error(client, case):
    for method, url, data in _requests(case):
        response = getattr(client, method)(url, data)
        assert response.status_code < 500, (method, url, data)


def test_staff_pages_with_odd_codes_and_ids_answer_4xx(client, case, clerk):
    client.force_login(clerk)
    for code in ODD_CODES:
        assert client.get(reverse("feedback:case", args=[code])).status_code == 404, code
    assert client.get(f"/phan-anh/xu-ly/{case.code}/tep/{HUGE}/").status_code == 404
    bulk = client.post(reverse("feedback:bulk_assign"), {"reports": [HUGE, "x"], "agency": HUGE})
    assert bulk.status_code < 500
    inbox = client.get(reverse("feedback:inbox"), {"category": HUGE, "unit": HUGE, "agency": HUGE, "page": HUGE})
    assert inbox.status_code < 500


@pytest.mark.parametrize("url", ["/phan-anh/webhook/sms/", "/phan-anh/webhook/zalo/"])
@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"null",
        b'"text"',
        b'{"id": 1e999}',
        b'{"id": {"a": 1}, "from": [], "text": null}',
        "\ud800".encode("utf-8", "surrogatepass"),
    ],
)
def test_the_webhooks_answer_4xx_to_any_body(client, fallback_category, url, body):
    headers = {"HTTP_X_SIGNATURE": FAKE_INBOUND_SECRET, "HTTP_X_ZEVENT_SIGNATURE": FAKE_INBOUND_SECRET}
    response = client.post(url, body, content_type="application/json", **headers)
    assert 200 <= response.status_code < 500


@pytest.fixture
def fallback_category(db):
    from tinhso.feedback.models import Category

    return Category.objects.create(code="khac", name="Lĩnh vực khác")
