"""Open311 GeoReport v2 at /open311/v2/: one test per item of the conformance checklist (feedback-1022.md §5),
then the choices documented in docs/open311.md, the FixMyStreet updates extension, rate limits, a fuzz and the
`georeport` client against a live server."""

import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from tinhso.core.api import ClientRateThrottle, issue_api_key
from tinhso.core.models import ApiClient
from tinhso.feedback import actions, open311
from tinhso.feedback.models import Event, Report

BASE = "/open311/v2"
W3C_WITH_ZONE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
DATETIME_FIELDS = ("requested_datetime", "updated_datetime", "expected_datetime")
SECRET_NAME, SECRET_PHONE, SECRET_EMAIL = "Lê Thị Kín", "0987654321", "le.thi.kin@example.vn"

ROAD_ATTRIBUTES = [
    {
        "code": "LOAI",
        "datatype": "singlevaluelist",
        "required": True,
        "description": "Loại hư hỏng",
        "order": 2,
        "values": [{"key": "o-ga", "name": "Ổ gà"}, {"key": "sut-lun", "name": "Sụt lún"}],
    },
    {
        "code": "LAN",
        "datatype": "multivaluelist",
        "description": "Làn đường bị ảnh hưởng",
        "order": 2,
        "values": [{"key": "trai", "name": "Làn trái"}, {"key": "phai", "name": "Làn phải"}],
    },
    {"code": "DIEN_TICH", "datatype": "number", "description": "Diện tích (m²)"},
    {"code": "KHAC", "datatype": "singlevaluelist", "description": "Danh sách chưa có lựa chọn", "order": 1},
]


@pytest.fixture(autouse=True)
def _fresh_rate_buckets():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def roads(category):
    category.attributes = ROAD_ATTRIBUTES
    category.group = "Hạ tầng"
    category.keywords = "ổ gà,đường hỏng"
    category.save()
    return category


@pytest.fixture
def api_client(db):
    return ApiClient.objects.create(name="Ứng dụng đối tác", key_prefix="tmp-prefix", rate="1000/min")


@pytest.fixture
def api_key(api_client):
    return issue_api_key(api_client)


def get(client, path, fmt="json", **params):
    return client.get(f"{BASE}/{path}.{fmt}", params)


def post(client, path, data, fmt="json", **headers):
    body = urlencode(data, doseq=True)
    return client.post(
        f"{BASE}/{path}.{fmt}", body, content_type="application/x-www-form-urlencoded; charset=utf-8", headers=headers
    )


def road_form(api_key, inside, **extra):
    form = {
        "api_key": api_key,
        "service_code": "giao-thong",
        "lat": inside["lat"],
        "long": inside["lon"],
        "description": "Ổ gà sâu giữa đường Hoàng Văn Thụ",
        "attribute[LOAI]": "o-ga",
    }
    form.update(extra)
    return {k: v for k, v in form.items() if v is not None}


def xml_root(response) -> ET.Element:
    body = response.content
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(body)  # noqa: S314 - our own server's answer
    assert "}" not in root.tag  # no namespace
    return root


def submit(category, inside, **extra):
    fields = {"category": category, "description": "Đèn đường tắt cả tuần", **inside, **extra}
    return actions.submit_report(**fields)


def photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(out, format="JPEG")
    return SimpleUploadedFile("o-ga.jpg", out.getvalue(), content_type="image/jpeg")


# --- The conformance checklist ------------------------------------------------------------------------------


def test_1_discovery_answers_xml_and_json_with_every_field(client, db):
    document = get(client, "discovery").json()
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(document)
    [entry] = document["endpoints"]
    assert entry["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert entry["url"] == "http://testserver/open311/v2"
    assert entry["type"] == "production"
    assert set(entry["formats"]) == {"text/xml", "application/json"}
    assert W3C_WITH_ZONE.match(entry["changeset"])

    root = xml_root(get(client, "discovery", "xml"))
    assert root.tag == "discovery"
    assert {child.tag for child in root} == {"changeset", "contact", "key_service", "endpoints"}
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("url") == entry["url"]
    assert [f.text for f in endpoint.findall("formats/format")] == entry["formats"]


def test_2_every_method_answers_xml_and_json_with_a_charset(client, roads, api_key, inside):
    report = submit(roads, inside)
    paths = ["discovery", "services", "services/giao-thong", "requests", f"requests/{report.code}"]
    paths.append("servicerequestupdates")
    roots = {}
    for path in paths:
        for fmt, content_type in (("xml", "text/xml; charset=utf-8"), ("json", "application/json; charset=utf-8")):
            response = get(client, path, fmt)
            assert response.status_code == 200, path
            assert response["Content-Type"] == content_type
            if fmt == "xml":
                roots[path] = xml_root(response).tag
            else:
                json.loads(response.content.decode("utf-8"))
    created = post(client, "requests", road_form(api_key, inside), "xml")
    assert created["Content-Type"] == "text/xml; charset=utf-8"
    assert xml_root(created).find("request/service_request_id").text.startswith("PA-")
    assert roots == {
        "discovery": "discovery",
        "services": "services",
        "services/giao-thong": "service_definition",
        "requests": "service_requests",
        f"requests/{report.code}": "service_requests",
        "servicerequestupdates": "service_requests_updates",
    }


def test_3_json_lists_are_top_level_arrays(client, roads, api_key, inside):
    report = submit(roads, inside)
    assert isinstance(get(client, "services").json(), list)
    assert isinstance(get(client, "requests").json(), list)
    assert isinstance(get(client, "servicerequestupdates").json(), list)
    one = get(client, f"requests/{report.code}").json()
    assert isinstance(one, list) and len(one) == 1
    created = post(client, "requests", road_form(api_key, inside)).json()
    assert isinstance(created, list) and len(created) == 1
    token = get(client, "tokens/abc123")
    assert isinstance(token.json(), list)
    assert isinstance(get(client, "requests/PA-1900-000000").json(), list)


def test_4_every_datetime_has_a_timezone(client, category, inside, clerk):
    answered = submit(category, inside)
    actions.accept_report(report=answered, actor=clerk)
    actions.answer_report(report=answered, actor=clerk, answer="Đã thay bóng đèn.")
    submit(category, inside)
    items = get(client, "requests").json()
    assert len(items) == 2
    stamps = [item[name] for item in items for name in DATETIME_FIELDS]
    stamps += [u["updated_datetime"] for u in get(client, "servicerequestupdates").json()]
    root = xml_root(get(client, "requests", "xml"))
    stamps += [root.findtext(f"request/{name}") for name in DATETIME_FIELDS]
    assert stamps and all(W3C_WITH_ZONE.match(s) for s in stamps), stamps
    assert all(s.endswith("+07:00") for s in stamps)


def test_5_an_unknown_jurisdiction_is_404_with_an_errors_body(client, roads, api_key, inside, settings):
    report = submit(roads, inside)
    paths = ["discovery", "services", "services/giao-thong", "requests", f"requests/{report.code}"]
    paths += ["tokens/x", "servicerequestupdates"]
    for path in paths:
        assert get(client, path, jurisdiction_id="thainguyen.gov.vn").status_code in (200, 404)
        response = get(client, path, jurisdiction_id="hanoi.gov.vn")
        assert response.status_code == 404, path
        [error] = response.json()
        assert error["code"] == 404 and "hanoi.gov.vn" in error["description"]
        root = xml_root(get(client, path, "xml", jurisdiction_id="hanoi.gov.vn"))
        assert root.tag == "errors" and root.findtext("error/code") == "404"
    refused = post(client, "requests", road_form(api_key, inside, jurisdiction_id="hanoi.gov.vn"))
    assert refused.status_code == 404
    assert Report.objects.count() == 1
    settings.OPEN311_JURISDICTION = "thainguyen.vn"
    assert get(client, "services", jurisdiction_id="thainguyen.vn").status_code == 200
    assert get(client, "services", jurisdiction_id="thainguyen.gov.vn").status_code == 404


def test_6_post_refuses_bad_keys_unknown_codes_missing_fields_and_long_descriptions(client, roads, api_key, inside):
    cases = [
        (road_form(None, inside), 403),
        (road_form("khong-dung.khoa", inside), 403),
        (road_form(api_key[:-1] + ("x" if api_key[-1] != "x" else "y"), inside), 403),
        (road_form(api_key, inside, service_code="khong-co"), 404),
        (road_form(api_key, inside, service_code=None), 400),
        (road_form(api_key, inside, lat=None, long=None), 400),
        (road_form(api_key, inside, long=None), 400),
        (road_form(api_key, inside, **{"attribute[LOAI]": None}), 400),
        (road_form(api_key, inside, description="x" * 4001), 400),
    ]
    for form, status in cases:
        response = post(client, "requests", form)
        assert response.status_code == status, form
        [error] = response.json()
        assert error["code"] == status and error["description"]
    assert Report.objects.count() == 0
    at_the_limit = post(client, "requests", road_form(api_key, inside, description="x" * 4000))
    assert at_the_limit.status_code == 200


def test_7_post_returns_an_id_and_no_token_and_tokens_are_never_issued(client, roads, api_key, inside):
    [created] = post(client, "requests", road_form(api_key, inside)).json()
    assert "service_request_id" in created and "token" not in created
    report = Report.objects.get(code=created["service_request_id"])
    assert report.channel == Report.Channel.API
    for fmt in ("json", "xml"):
        response = get(client, f"tokens/{report.code}", fmt)
        assert response.status_code == 404
    [error] = get(client, "tokens/123456").json()
    assert error["code"] == 404


def test_8_metadata_is_true_exactly_when_a_definition_exists(client, roads, commune_category):
    services = {s["service_code"]: s for s in get(client, "services").json()}
    assert services["giao-thong"]["metadata"] is True
    assert services["rac-thai"]["metadata"] is False
    assert services["giao-thong"]["type"] == "realtime"
    assert services["giao-thong"]["group"] == "Hạ tầng"
    assert services["giao-thong"]["keywords"] == "ổ gà,đường hỏng"
    assert get(client, "services/rac-thai").status_code == 404
    definition = get(client, "services/giao-thong").json()
    assert definition["service_code"] == "giao-thong"
    attributes = definition["attributes"]
    orders = [a["order"] for a in attributes]
    assert len(set(orders)) == len(orders) == len(ROAD_ATTRIBUTES)
    assert all(isinstance(o, int) and o > 0 for o in orders)
    for attribute in attributes:
        if attribute["datatype"] in ("singlevaluelist", "multivaluelist"):
            assert attribute["values"], attribute["code"]
    assert [a["code"] for a in sorted(attributes, key=lambda a: a["order"])] == ["KHAC", "LOAI", "LAN", "DIEN_TICH"]
    assert {a["code"]: a["datatype"] for a in attributes}["KHAC"] == "string"  # a list without choices
    root = xml_root(get(client, "services/giao-thong", "xml"))
    keys = [v.text for v in root.findall("attributes/attribute[code='LOAI']/values/value/key")]
    assert keys == ["o-ga", "sut-lun"]


def test_9_default_window_ids_override_filters_and_long_ranges_are_refused(client, category, inside, monkeypatch):
    old = submit(category, inside)
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=100))
    recent = [submit(category, inside) for _ in range(3)]
    listed = [item["service_request_id"] for item in get(client, "requests").json()]
    assert listed == [r.code for r in reversed(recent)]

    by_id = get(client, "requests", service_request_id=f"{old.code},{recent[0].code}", status="closed")
    assert {i["service_request_id"] for i in by_id.json()} == {old.code, recent[0].code}

    start = (timezone.now() - dt.timedelta(days=120)).isoformat()
    end = (timezone.now() - dt.timedelta(days=29)).isoformat()
    too_long = get(client, "requests", start_date=start, end_date=end)
    assert too_long.status_code == 400
    assert too_long.json()[0]["code"] == 400
    in_range = get(client, "requests", start_date=start, end_date=(timezone.now() - dt.timedelta(days=95)).isoformat())
    assert [i["service_request_id"] for i in in_range.json()] == [old.code]

    monkeypatch.setattr(open311, "MAX_ITEMS", 2)
    assert len(get(client, "requests").json()) == 2
    second_page = get(client, "requests", page=2, page_size=2).json()
    assert [i["service_request_id"] for i in second_page] == [recent[0].code]


def test_10_empty_parameters_count_as_absent(client, roads, api_key, inside):
    submit(roads, inside)
    bare = get(client, "requests")
    empty = get(
        client,
        "requests",
        jurisdiction_id="",
        service_request_id="",
        service_code="",
        start_date="",
        end_date="",
        status="",
        page="",
        page_size="",
        api_key="",
    )
    assert empty.status_code == 200 and empty.json() == bare.json() and len(bare.json()) == 1
    assert get(client, "services", jurisdiction_id="").json() == get(client, "services").json()
    form = road_form(api_key, inside, email="", phone="", first_name="", media_url="", address_string="")
    form["jurisdiction_id"] = ""
    form["attribute[DIEN_TICH]"] = ""
    assert post(client, "requests", form).status_code == 200
    assert post(client, "requests", road_form(api_key, inside, service_code="")).status_code == 400


def test_11_updated_is_the_close_time_and_expected_is_the_deadline(client, category, inside, clerk):
    def item(report):
        [found] = get(client, f"requests/{report.code}").json()
        return found

    report = submit(category, inside)
    assert item(report)["expected_datetime"] == open311.when(report.accept_due_at)
    assert item(report)["updated_datetime"] == open311.when(report.updated_at)

    report = actions.accept_report(report=report, actor=clerk)
    assert report.answer_due_at
    assert item(report)["expected_datetime"] == open311.when(report.answer_due_at)

    report = actions.answer_report(report=report, actor=clerk, answer="Đã sửa đèn.")
    Report.objects.filter(pk=report.pk).update(updated_at=report.answered_at + dt.timedelta(hours=3))
    answered = item(report)
    assert answered["status"] == "closed"
    assert answered["updated_datetime"] == open311.when(report.answered_at)
    assert answered["expected_datetime"] == open311.when(report.answer_due_at)

    rejected = actions.reject_report(
        report=submit(category, inside), actor=clerk, reason="out_of_scope", note="Thuộc thẩm quyền điện lực."
    )
    assert item(rejected)["updated_datetime"] == open311.when(rejected.closed_at)


def test_12_multi_value_attributes_are_parsed(client, roads, api_key, inside):
    form = road_form(api_key, inside, **{"attribute[LAN][]": ["trai", "phai"], "attribute[DIEN_TICH]": "2.5"})
    [created] = post(client, "requests", form).json()
    report = Report.objects.get(code=created["service_request_id"])
    assert report.attributes == {"LOAI": "o-ga", "LAN": ["trai", "phai"], "DIEN_TICH": 2.5}
    bad = [
        {"attribute[LAN][]": ["trai", "giua"]},
        {"attribute[LOAI][]": ["o-ga", "sut-lun"]},
        {"attribute[LOAI]": "khong-co"},
        {"attribute[DIEN_TICH]": "nhieu"},
        {"attribute[DIEN_TICH]": "nan"},
    ]
    for extra in bad:
        assert post(client, "requests", road_form(api_key, inside, **extra)).status_code == 400, extra
    assert Report.objects.count() == 1


# --- Submission ---------------------------------------------------------------------------------------------


def test_a_post_goes_through_submit_report_as_the_api_channel_of_its_client(
    client, roads, api_key, api_client, inside, monkeypatch
):
    calls = []
    real = actions.submit_report
    monkeypatch.setattr(actions, "submit_report", lambda **kw: calls.append(kw) or real(**kw))
    post(client, "requests", road_form(api_key, inside))
    [call] = calls
    assert call["channel"] == Report.Channel.API
    assert call["api_client"] == api_client
    assert call["idempotency_key"]
    assert ApiClient.objects.get(pk=api_client.pk).last_used_at is not None


def test_a_retry_with_the_same_idempotency_key_never_makes_a_second_case(client, roads, api_key, inside):
    first = post(client, "requests", road_form(api_key, inside), **{"Idempotency-Key": "lan-1"}).json()
    changed = road_form(api_key, inside, description="Gửi lại")
    again = post(client, "requests", changed, **{"Idempotency-Key": "lan-1"}).json()
    assert again == first
    other = post(client, "requests", road_form(api_key, inside), **{"Idempotency-Key": "lan-2"}).json()
    assert other != first
    assert Report.objects.count() == 2


def test_a_retry_without_a_key_is_recognised_by_its_fields(client, roads, api_key, inside):
    first = post(client, "requests", road_form(api_key, inside)).json()
    assert post(client, "requests", road_form(api_key, inside)).json() == first
    different = post(client, "requests", road_form(api_key, inside, description="Một ổ gà khác")).json()
    assert different != first
    # A day later: the first case is out of the retry window and its key in an old ten-minute bucket.
    for report in Report.objects.all():
        report.created_at -= open311.RETRY_WINDOW + dt.timedelta(minutes=1)
        report.idempotency_key = report.idempotency_key.rsplit(":", 1)[0] + ":0"
        report.save()
    assert post(client, "requests", road_form(api_key, inside)).json() != first
    assert Report.objects.count() == 3


def test_an_address_alone_is_enough_and_contact_fields_are_kept_but_never_shown(client, roads, api_key, inside):
    form = road_form(
        api_key,
        inside,
        lat=None,
        long=None,
        address_string="Số 12 đường Hoàng Văn Thụ, phường Phan Đình Phùng",
        first_name="Lê Thị",
        last_name="Kín",
        phone=SECRET_PHONE,
        email=SECRET_EMAIL,
        media_url=["https://anh.example.vn/1.jpg", "https://anh.example.vn/2.jpg"],
        device_id="thiet-bi-1",
    )
    [created] = post(client, "requests", form).json()
    report = Report.objects.get(code=created["service_request_id"])
    assert (report.reporter_name, report.reporter_phone, report.reporter_email) == (
        SECRET_NAME,
        SECRET_PHONE,
        SECRET_EMAIL,
    )
    assert report.attributes["media_url"] == ["https://anh.example.vn/1.jpg", "https://anh.example.vn/2.jpg"]
    for path in ("requests", f"requests/{report.code}", "servicerequestupdates"):
        for fmt in ("json", "xml"):
            body = get(client, path, fmt).content.decode()
            assert SECRET_PHONE not in body and SECRET_EMAIL not in body and "Kín" not in body
            assert "Số 12" not in body  # the street address is masked down to the commune
    bad_email = post(client, "requests", road_form(api_key, inside, email="khong-phai-email"))
    assert bad_email.status_code == 400
    bad_url = post(client, "requests", road_form(api_key, inside, media_url="javascript:alert(1)"))
    assert bad_url.status_code == 400


def test_the_first_public_photo_is_the_media_url(client, category, inside, clerk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = submit(category, inside, photos=[photo()])
    # A citizen's photo waits for staff review: no media_url before the answer (issue 3).
    [item] = get(client, f"requests/{report.code}").json()
    assert item["media_url"] is None
    report = actions.accept_report(report=report, actor=clerk)
    actions.answer_report(report=report, actor=clerk, answer="Đã vá ổ gà.")
    [item] = get(client, f"requests/{report.code}").json()
    assert item["media_url"].startswith("http://testserver/")
    hidden = report.attachments.get()
    actions.set_attachment_public(attachment=hidden, actor=clerk, is_public=False)
    [item] = get(client, f"requests/{report.code}").json()
    assert item["media_url"] is None


# --- Reading cases ------------------------------------------------------------------------------------------


def test_every_case_status_maps_to_open_or_closed():
    assert set(open311.OPEN311_STATUS) == set(Report.Status.values)
    assert {k for k, v in open311.OPEN311_STATUS.items() if v == "closed"} == {"answered", "closed", "rejected"}


def test_status_notes_carry_the_public_answer_or_the_rejection_reason(client, category, inside, clerk, agency):
    answered = actions.accept_report(report=submit(category, inside), actor=clerk)
    actions.answer_report(report=answered, actor=clerk, answer="Đã vá ổ gà ngày 02/01.")
    rejected = actions.reject_report(
        report=submit(category, inside), actor=clerk, reason="out_of_scope", note="Đường do Bộ quản lý."
    )
    open_case = submit(category, inside)
    items = {i["service_request_id"]: i for i in get(client, "requests").json()}
    assert items[answered.code]["status_notes"] == "Đã vá ổ gà ngày 02/01."
    assert items[rejected.code]["status_notes"].endswith("Đường do Bộ quản lý.")
    assert items[open_case.code]["status_notes"] is None
    assert items[open_case.code]["agency_responsible"] == agency.name
    assert items[open_case.code]["status"] == "open"
    closed = get(client, "requests", status="closed").json()
    assert {i["service_request_id"] for i in closed} == {answered.code, rejected.code}
    assert get(client, "requests", status="open,closed").json() == get(client, "requests").json()
    assert get(client, "requests", status="pending").status_code == 400


def test_a_case_of_a_non_public_category_is_not_listed_and_shows_no_content(client, category, inside):
    category.is_public = False
    category.save()
    report = submit(category, inside, description="Cán bộ xã đòi tiền")
    assert get(client, "requests").json() == []
    [item] = get(client, f"requests/{report.code}").json()
    assert item["description"] is None and item["lat"] is None and item["address"] is None
    assert item["status"] == "open"


def test_unknown_paths_and_formats_answer_in_open311_errors(client, db):
    assert get(client, "requests/PA-2020-999999").status_code == 404
    response = client.get(f"{BASE}/services.html")
    assert response.status_code == 404
    assert xml_root(response).tag == "errors"
    assert client.delete(f"{BASE}/requests.json").status_code == 400


# --- FixMyStreet servicerequestupdates ----------------------------------------------------------------------


def test_updates_list_the_public_steps_with_fixmystreet_statuses(client, category, inside, clerk):
    answered = actions.accept_report(report=submit(category, inside), actor=clerk)
    actions.add_note(report=answered, actor=clerk, text="Ghi chú nội bộ: gọi lại số riêng")
    actions.answer_report(report=answered, actor=clerk, answer="Đã vá.")
    duplicate = actions.reject_report(
        report=submit(category, inside),
        actor=clerk,
        reason="duplicate",
        note="Trùng phản ánh trước.",
        duplicate_of=answered,
    )
    updates = get(client, "servicerequestupdates").json()
    got = [(u["service_request_id"], u["status"], u["external_status_code"]) for u in updates]
    assert got == [
        (answered.code, "investigating", "accepted"),
        (answered.code, "fixed", "answered"),
        (duplicate.code, "duplicate", "rejected"),
    ]
    assert updates[1]["description"] == "Đã vá."
    assert all(W3C_WITH_ZONE.match(u["updated_datetime"]) and u["update_id"] for u in updates)
    assert "nội bộ" not in get(client, "servicerequestupdates", "xml").content.decode()
    start = (timezone.now() + dt.timedelta(days=1)).isoformat()
    assert get(client, "servicerequestupdates", start_date=start).json() == []


def test_a_partner_app_posts_a_citizen_comment_once(client, category, inside, api_key, api_client):
    report = submit(category, inside)
    form = {"api_key": api_key, "service_request_id": report.code, "update_id": "fms-77", "description": "Vẫn chưa sửa"}
    [created] = post(client, "servicerequestupdates", form).json()
    comment = Event.objects.get(pk=created["update_id"])
    assert comment.kind == Event.Kind.COMMENT and not comment.is_public
    assert comment.text == "Vẫn chưa sửa" and comment.data["api_client"] == api_client.pk

    again = post(client, "servicerequestupdates", form)
    assert again.status_code == 400
    assert post(client, "servicerequestupdates", {**form, "api_key": ""}).status_code == 403
    assert post(client, "servicerequestupdates", {**form, "service_request_id": "PA-2000-1"}).status_code == 404
    assert post(client, "servicerequestupdates", {**form, "update_id": "fms-78", "description": ""}).status_code == 400
    assert Event.objects.filter(kind=Event.Kind.COMMENT).count() == 1


# --- Limits and robustness ----------------------------------------------------------------------------------


def test_each_api_client_has_its_own_rate_limit(client, roads, api_key, api_client, inside):
    api_client.rate = "2/min"
    api_client.save()
    assert get(client, "services", api_key=api_key).status_code == 200
    assert get(client, "services", api_key=api_key).status_code == 200
    throttled = get(client, "services", api_key=api_key)
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert throttled.json()[0]["code"] == 429
    assert get(client, "services").status_code == 200  # anonymous callers have their own bucket


_text = st.text(st.characters(codec="utf-8"), max_size=30)
_names = st.sampled_from(
    [
        "jurisdiction_id", "service_code", "service_request_id", "start_date", "end_date", "status", "page",
        "page_size", "lat", "long", "address_string", "address_id", "description", "email", "phone", "media_url",
        "attribute[LOAI]", "attribute[LAN][]", "attribute[DIEN_TICH]", "update_id", "api_key", "first_name",
    ]
)  # fmt: skip
_params = st.lists(st.tuples(st.one_of(_names, _text), _text), max_size=8)
_paths = st.sampled_from(
    [
        *("discovery", "services", "services/giao-thong", "requests", "requests/PA-2026-000001", "tokens/1"),
        "servicerequestupdates",
    ]
)


@pytest.mark.django_db
@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=_paths, fmt=st.sampled_from(["json", "xml"]), params=_params, with_key=st.booleans())
def test_random_input_never_gives_a_server_error(
    client, roads, api_key, inside, monkeypatch, path, fmt, params, with_key
):
    monkeypatch.setattr(ClientRateThrottle, "THROTTLE_RATES", {"anon": None, "client": None})
    ApiClient.objects.update(rate="1000000/min")
    data = [*params, ("api_key", api_key)] if with_key else params
    got = client.get(f"{BASE}/{path}.{fmt}?{urlencode(data)}")
    assert got.status_code in (200, 400, 403, 404)
    if path in ("requests", "servicerequestupdates"):
        sent = post(client, path, [*data, ("service_code", "giao-thong"), ("lat", "21.57")], fmt)
        assert sent.status_code in (200, 400, 403, 404)
        if fmt == "xml":
            ET.fromstring(sent.content)  # noqa: S314 - our own server's answer


# --- A real Open311 client ----------------------------------------------------------------------------------


def test_the_georeport_client_reads_services_definitions_and_requests(
    live_server, transactional_db, agency, roads, inside, monkeypatch
):
    from georeport import GeoReport

    monkeypatch.setenv("NO_PROXY", "*")
    report = submit(roads, inside)
    for fmt in ("json", "xml"):
        api = GeoReport(f"{live_server.url}{BASE}", jurisdiction="thainguyen.gov.vn", output_format=fmt)
        services = api.get_service_list()
        services = services if isinstance(services, list) else [services]  # one XML element comes back as a dict
        assert [s["service_code"] for s in services] == ["giao-thong"]
        definition = api.get_service_definition("giao-thong")
        assert definition["service_code"] == "giao-thong"
        requests = api.get_service_requests(service_code="giao-thong", status="open")
        requests = requests if isinstance(requests, list) else [requests]
        assert [r["service_request_id"] for r in requests] == [report.code]
        one = api.get_service_request(report.code)
        assert one["service_request_id"] == report.code and one["status"] == "open"


def test_xml_stays_well_formed_whatever_the_citizen_typed(client, category, inside):
    submit(category, inside, description="Ổ gà <to> & \x01sâu\x0b \"rất\" 'sâu'")
    root = xml_root(get(client, "requests", "xml"))
    assert root.findtext("request/description") == "Ổ gà <to> & sâu \"rất\" 'sâu'"


def test_photos_sent_as_multipart_media_are_attached(client, roads, api_key, inside, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.post(f"{BASE}/requests.json", {**road_form(api_key, inside), "media": [photo(), photo()]})
    [created] = response.json()
    report = Report.objects.get(code=created["service_request_id"])
    assert report.attachments.filter(kind="photo").count() == 2
    not_a_photo = SimpleUploadedFile("o-ga.jpg", b"MZ not an image", content_type="image/jpeg")
    form = road_form(api_key, inside, description="Ảnh hỏng")
    refused = client.post(f"{BASE}/requests.json", {**form, "media": [not_a_photo]})
    assert refused.status_code == 400
    assert Report.objects.count() == 1
