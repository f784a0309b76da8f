"""Open311 `?extensions=true` on GET requests (feedback-1022.md §5, "Extensions used in practice"): the detailed
status, channel, level and commune of a public case, and `notes`, its public steps oldest first."""

import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tinhso.feedback import actions

BASE = "/open311/v2"
STEP = {"datetime", "description", "type"}


@pytest.fixture(autouse=True)
def _fresh_rate_buckets():
    cache.clear()
    yield
    cache.clear()


def submit(category, inside, n=0, **extra):
    return actions.submit_report(category=category, description=f"Đèn đường tắt số {n}", **inside, **extra)


@pytest.fixture
def answered(category, inside, clerk):
    report = actions.accept_report(report=submit(category, inside), actor=clerk)
    actions.add_note(report=report, actor=clerk, text="Ghi chú nội bộ: gọi số riêng")
    return actions.answer_report(report=report, actor=clerk, answer="Đã thay bóng đèn.")


def test_without_extensions_a_request_has_only_the_standard_fields(client, answered):
    [item] = client.get(f"{BASE}/requests.json").json()
    assert "notes" not in item and "extended_attributes" not in item
    [item] = client.get(f"{BASE}/requests.json", {"extensions": "false"}).json()
    assert "notes" not in item


def test_extensions_add_the_public_steps_as_notes_oldest_first(client, answered, commune):
    [item] = client.get(f"{BASE}/requests.json", {"extensions": "true"}).json()
    assert item["service_request_id"] == answered.code and item["status"] == "closed"
    assert [(n["type"], n["description"]) for n in item["notes"]] == [
        ("investigating", "Tiếp nhận"),
        ("fixed", "Đã thay bóng đèn."),
    ]
    assert all(set(n) == STEP and n["datetime"].endswith("+07:00") for n in item["notes"])
    assert item["extended_attributes"] == {
        "detailed_status": "answered",
        "channel": "web",
        "service_level": answered.level,
        "commune": commune.name,
    }
    # The internal note is never shown; the same on the one-request route and in the id search.
    assert "nội bộ" not in client.get(f"{BASE}/requests.json", {"extensions": "TRUE"}).content.decode()
    [one] = client.get(f"{BASE}/requests/{answered.code}.json", {"extensions": "true"}).json()
    assert one["notes"] == item["notes"]
    [by_id] = client.get(f"{BASE}/requests.json", {"service_request_id": answered.code, "extensions": "true"}).json()
    assert by_id["notes"] == item["notes"]


def test_extensions_in_xml_list_each_note(client, answered):
    response = client.get(f"{BASE}/requests.xml", {"extensions": "true"})
    root = ET.fromstring(response.content)  # noqa: S314 - our own server's answer
    notes = root.findall("request/notes/note")
    assert [n.findtext("type") for n in notes] == ["investigating", "fixed"]
    assert root.findtext("request/extended_attributes/detailed_status") == "answered"


def test_a_rejected_case_notes_its_reason_as_a_fixmystreet_status(client, category, inside, clerk, answered):
    actions.reject_report(
        report=submit(category, inside, 1), actor=clerk, reason="duplicate", note="Trùng.", duplicate_of=answered
    )
    items = client.get(f"{BASE}/requests.json", {"extensions": "true"}).json()
    rejected = next(i for i in items if i["service_request_id"] != answered.code)
    assert [n["type"] for n in rejected["notes"]] == ["duplicate"]


def test_a_non_public_case_shows_no_notes(client, category, inside, clerk):
    category.is_public = False
    category.save()
    report = actions.accept_report(report=submit(category, inside), actor=clerk)
    [item] = client.get(f"{BASE}/requests.json", {"service_request_id": report.code, "extensions": "true"}).json()
    assert item["description"] is None and item["notes"] == [] and item["extended_attributes"] is None


def test_extensions_cost_one_query_more_whatever_the_number_of_cases(client, category, inside, clerk):
    def count(params):
        with CaptureQueriesContext(connection) as context:
            assert client.get(f"{BASE}/requests.json", params).status_code == 200
        return len(context.captured_queries)

    for n in range(3):
        actions.accept_report(report=submit(category, inside, n), actor=clerk)
    plain, few = count({}), count({"extensions": "true"})
    for n in range(3, 20):
        actions.accept_report(report=submit(category, inside, n), actor=clerk)
    assert count({"extensions": "true"}) == few == plain + 1
