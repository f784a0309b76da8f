"""Query budgets of the hot paths measured by bench/bench_feedback.py: a submission, the staff inbox, Open311 reads.

A budget is a count of queries, not a timing: it fails when a change adds a look-up per case or per request, the
kind of regression the benchmark at a million cases would show as a slow page.
"""

import re
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tinhso.core.api import issue_api_key
from tinhso.core.models import ApiClient
from tinhso.feedback import actions, models
from tinhso.feedback.models import Report

PHONE = "0987654321"

# Every statement of a submission with a phone (reporter followed and told), on commit included: the idempotency
# check, routing, deadline policy, case code, the case (in a savepoint), its timeline entry, follower, audit entry,
# the outbox row (look-up and savepoint) and the delivery task written after commit.
SUBMIT_BUDGET = 16
# Roles, the agencies to choose from, shared cases, the page, its count, the deadline policies and the form's
# choices, each read as (id, name) pairs (categories, communes, the agencies of the bulk form); PLATFORM aside.
INBOX_BUDGET = 10
OPEN311_GET_BUDGET = 3
OPEN311_POST_BUDGET = 21


def submit(category, inside, n: int = 0) -> Report:
    return actions.submit_report(category=category, description=f"Ổ gà số {n}", reporter_phone=PHONE, **inside)


def test_a_submission_stays_within_its_query_budget(
    category, inside, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    submit(category, inside)  # the year's case counter and the map's caches exist from now on
    with django_assert_max_num_queries(SUBMIT_BUDGET), django_capture_on_commit_callbacks(execute=True):
        report = submit(category, inside, 1)
    assert report.followers.get().phone == PHONE
    assert report.events.get().kind == "submitted"


# The platform's own work on every request (session, user, sign-in tracking, savepoints around it) is not the
# module's: it is counted out so that these budgets measure the feedback pages alone.
PLATFORM = re.compile(r'"(django_session|core_user|usersessions_\w+|identity_\w+)"|^(SAVEPOINT|RELEASE SAVEPOINT) ')


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as context:
        response = call()
    assert response.status_code == 200
    return len([q for q in context.captured_queries if not PLATFORM.search(q["sql"])])


def test_the_inbox_costs_the_same_queries_for_three_cases_or_thirty(client, clerk, category, inside):
    client.force_login(clerk)
    for n in range(3):
        submit(category, inside, n)
    client.get("/phan-anh/xu-ly/")  # the first request after signing in records the session
    few = count_queries(lambda: client.get("/phan-anh/xu-ly/"))
    for n in range(3, 30):
        submit(category, inside, n)
    many = count_queries(lambda: client.get("/phan-anh/xu-ly/"))
    assert many == few
    assert many <= INBOX_BUDGET


def test_the_inbox_with_filters_stays_within_its_budget(client, clerk, category, inside):
    client.force_login(clerk)
    for n in range(5):
        submit(category, inside, n)
    query = urlencode({"status": "all", "category": category.pk, "channel": "web", "q": "o ga", "due": "overdue"})
    assert count_queries(lambda: client.get(f"/phan-anh/xu-ly/?{query}")) <= INBOX_BUDGET


def test_a_shared_case_is_in_the_inbox_with_the_ids_listed_or_by_subquery(
    client, clerk, clerk_elsewhere, other_agency, category, inside, monkeypatch
):
    report = submit(category, inside)
    actions.share_report(report=report, actor=clerk, agency=other_agency)
    own = submit(category, inside, 1)
    own.agency = other_agency
    own.save()
    expected = {report.pk, own.pk}
    assert set(Report.objects.visible_to_agencies({other_agency.pk}).values_list("pk", flat=True)) == expected
    monkeypatch.setattr(models, "SHARED_LIMIT", 0)  # more shares than listed: the subquery takes over
    assert set(Report.objects.visible_to_agencies({other_agency.pk}).values_list("pk", flat=True)) == expected
    client.force_login(clerk_elsewhere)
    assert report.code in client.get("/phan-anh/xu-ly/").content.decode()


@pytest.fixture
def api_key(db):
    cache.clear()
    return issue_api_key(ApiClient.objects.create(name="Ứng dụng đo", key_prefix="tmp-prefix", rate="1000/min"))


def test_open311_requests_cost_the_same_queries_for_three_cases_or_thirty(client, category, inside):
    for n in range(3):
        submit(category, inside, n)
    few = count_queries(lambda: client.get("/open311/v2/requests.json"))
    for n in range(3, 30):
        submit(category, inside, n)
    many = count_queries(lambda: client.get("/open311/v2/requests.json"))
    assert many == few
    assert many <= OPEN311_GET_BUDGET


def test_an_open311_post_stays_within_its_query_budget(
    client, category, inside, api_key, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    def post(n):
        fields = {"api_key": api_key, "service_code": category.code, "lat": inside["lat"], "long": inside["lon"]}
        body = urlencode({**fields, "description": f"Ổ gà số {n}", "phone": PHONE})
        return client.post("/open311/v2/requests.json", body, content_type="application/x-www-form-urlencoded")

    assert post(0).status_code == 200  # warms the counter and the client's last use
    with django_assert_max_num_queries(OPEN311_POST_BUDGET), django_capture_on_commit_callbacks(execute=True):
        response = post(1)
    assert response.status_code == 200
    assert Report.objects.filter(code=response.json()[0]["service_request_id"]).exists()


def test_the_inbox_selects_built_in_python_keep_the_chosen_filters(client, clerk, category, inside):
    client.force_login(clerk)
    submit(category, inside)
    response = client.get(f"/phan-anh/xu-ly/?category={category.pk}&channel=web&sort=new")
    html = response.content.decode()
    assert f'<option value="{category.pk}" selected>{category.name}</option>' in html
    assert '<option value="web" selected>' in html
    assert '<option value="new" selected>' in html
    assert '<select name="unit" id="id_unit">' in html
    assert '<select name="agency" id="bulk-agency" required>' in html
    # Names are escaped like any template value.
    assert "<script" not in html.split('name="unit"')[1].split("</select>")[0]


def test_open311_requests_read_the_deadline_policies_once_for_every_category(client, category, inside, agency):
    from tinhso.feedback import open311
    from tinhso.feedback.models import Category, DeadlinePolicy

    submit(category, inside)
    one = count_queries(lambda: client.get("/open311/v2/requests.json"))
    others = [Category.objects.create(code=f"loai-{n}", name=f"Loại {n}", default_agency=agency) for n in range(3)]
    DeadlinePolicy.objects.create(category=others[0], level="normal", accept_hours=4, answer_days=5, answer_hours=0)
    DeadlinePolicy.objects.create(category=None, level="normal", accept_hours=6, answer_days=2, answer_hours=0)
    for other in others:
        actions.submit_report(category=other, description="Khác", **inside)
    response = client.get("/open311/v2/requests.json")
    assert count_queries(lambda: client.get("/open311/v2/requests.json")) == one
    notices = {item["service_code"]: item["service_notice"] for item in response.json()}
    for each in [category, *others]:
        assert notices[each.code] == open311.service_notice(each, "normal")
    assert notices[others[0].code] != notices[others[1].code]  # its own policy, then the default row
