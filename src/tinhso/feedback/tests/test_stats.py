"""Statistics on a small set of cases whose figures are worked out by hand below, and the staff pages and exports.

Office hours are the defaults (7:30–11:30, 13:30–17:00: 7,5 h a day); March–April 2026 has no holiday before
the 26th of April. Every case is created at 08:00, so its accept deadline is 08:30 the next working day
(3,5 + 3,5 + 1 working hours), and a normal case is answered within 3 working days of acceptance.

    case  agency  category  commune  channel  story
    A     SXD     roads     1        web      Mon 02/03: accepted 09:00, answered Tue 03/03 09:00, satisfied
    B     SXD     roads     1        hotline  Mon 02/03: accepted Wed 04/03 08:00 (late), answered Tue 10/03
                                              08:00 (late, due Mon 09/03 08:00), unsatisfied → reopened,
                                              answered again Wed 11/03 08:00
    C     SYT     health    2        web      Mon 09/03: rejected at 10:00 before acceptance
    D     SXD     roads     2        web      Mon 16/03: accepted 08:30; waited for the citizen Mon 09:30 →
                                              Tue 17/03 09:30 (7,5 h), so due Thu 19/03 08:30 becomes Fri 20/03
                                              08:30; answered Fri 20/03 08:00, not rated
    E     SXD     roads     1        hotline  Mon 23/03: accepted 09:00 (due Thu 26/03 09:00), extension to
                                              Fri 03/04 17:00 approved; still in progress
    F     SXD     roads     1        web      Mon 23/03: never accepted (due Tue 24/03 08:30): overdue
    H     SXD     roads     1        web      Thu 02/04: new, accept due Fri 03/04 08:30

Statistics are taken at NOW = Thu 02/04/2026 12:00.
"""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from freezegun import freeze_time

from tinhso.core.calendar import TZ
from tinhso.core.registry import FIGURES
from tinhso.core.testing import make_unit
from tinhso.feedback import actions, stats
from tinhso.feedback.models import Category, Report


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


NOW = at(4, 2, 12)
MARCH_1, APRIL_30 = dt.date(2026, 3, 1), dt.date(2026, 4, 30)


@pytest.fixture
def commune2(db):
    return make_unit("05500", "Xã Thử Nghiệm", lon=105.90, lat=21.55)


@pytest.fixture
def health(other_agency):
    return Category.objects.create(code="y-te", name="Y tế", default_agency=other_agency)


@pytest.fixture
def cases(category, health, commune, commune2, clerk, leader, clerk_elsewhere):
    point1 = {"lon": 105.82, "lat": 21.57}
    point2 = {"lon": 105.92, "lat": 21.57}

    def submit(when, cat, point, channel="web"):
        with freeze_time(when):
            return actions.submit_report(category=cat, description="Nội dung phản ánh", channel=channel, **point)

    def do(when, action, **kwargs):
        with freeze_time(when):
            return action(**kwargs)

    a = submit(at(3, 2, 8), category, point1)
    a = do(at(3, 2, 9), actions.accept_report, report=a, actor=clerk)
    a = do(at(3, 3, 9), actions.answer_report, report=a, actor=clerk, answer="Đã sửa xong.")
    do(at(3, 3, 10), actions.rate_report, report=a, rating="satisfied")

    b = submit(at(3, 2, 8), category, point1, "hotline")
    b = do(at(3, 4, 8), actions.accept_report, report=b, actor=clerk)
    b = do(at(3, 10, 8), actions.answer_report, report=b, actor=clerk, answer="Đã xử lý.")
    b = do(at(3, 10, 10), actions.rate_report, report=b, rating="unsatisfied", reason="Chưa sửa xong")
    b = do(at(3, 11, 8), actions.answer_report, report=b, actor=clerk, answer="Đã sửa lại.")

    c = submit(at(3, 9, 8), health, point2)
    do(at(3, 9, 10), actions.reject_report, report=c, actor=clerk_elsewhere, reason="out_of_scope", note="Không thuộc")

    d = submit(at(3, 16, 8), category, point2)
    d = do(at(3, 16, 8, 30), actions.accept_report, report=d, actor=clerk)
    d = do(at(3, 16, 9, 30), actions.request_information, report=d, actor=clerk, message="Gửi thêm ảnh")
    d = do(at(3, 17, 9, 30), actions.resume_report, report=d, actor=clerk)
    assert d.answer_due_at == at(3, 20, 8, 30)
    d = do(at(3, 20, 8), actions.answer_report, report=d, actor=clerk, answer="Đã dọn.")

    e = submit(at(3, 23, 8), category, point1, "hotline")
    e = do(at(3, 23, 9), actions.accept_report, report=e, actor=clerk)
    assert e.answer_due_at == at(3, 26, 9)
    extension = do(
        at(3, 24, 9), actions.request_extension, report=e, actor=clerk, new_due_at=at(4, 3, 17), reason="Chờ vật tư"
    )
    do(at(3, 24, 10), actions.decide_extension, extension=extension, actor=leader, approve=True)

    f = submit(at(3, 23, 8), category, point1)
    h = submit(at(4, 2, 8), category, point1)
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f, "H": h}


def collect(**filters):
    return stats.collect(stats.Filters(**filters), now=NOW)


def test_the_totals_follow_the_written_definitions(cases):
    totals = collect().totals
    assert totals.received == 7
    assert totals.answered == 3  # A, B, D
    assert totals.rejected == 1  # C
    assert totals.open == 3  # E, F, H
    assert totals.overdue == 1  # F; E's deadline was extended
    # Accept clock: A, C (rejected in time), D, E on time; B late; F late and still new; H not due yet.
    assert (totals.accept_on_time, totals.accept_counted) == (4, 6)
    assert totals.accept_rate == 66.7
    # Answer clock: A and D on time; B reopened counts as late; E not due after its extension; C, F, H no clock.
    assert (totals.answer_on_time, totals.answer_counted) == (2, 3)
    assert totals.extended == 1 and totals.reopened == 1
    # A satisfied, B unsatisfied, D not rated.
    assert (totals.satisfied, totals.rated, totals.satisfaction_rate) == (1, 2, 50.0)


def test_the_average_handling_time_counts_office_hours_less_the_pause(cases):
    handling = collect().handling
    # A: Mon 09:00 → Tue 09:00 = 2,5 + 3,5 + 1,5 = 7,5 h.
    # B: Wed 04/03 08:00 → Wed 11/03 08:00 (last answer) = 5 working days = 37,5 h.
    # D: Mon 16/03 08:30 → Fri 20/03 08:00 = 6,5 + 3 × 7,5 + 0,5 = 29,5 h, less 7,5 h waiting = 22 h.
    assert handling.sample == handling.total == 3
    assert handling.hours == round((7.5 + 37.5 + 22) / 3, 2)
    assert handling.days == round((7.5 + 37.5 + 22) / 3 / 7.5, 2)


def test_a_small_sample_takes_the_latest_answers(cases):
    # The latest answer is D's (20/03): 22 h.
    handling = stats.handling_time(stats.cases(stats.Filters()), sample=1)
    assert (handling.sample, handling.total, handling.hours) == (1, 3, 22.0)


def test_breakdowns_by_category_commune_agency_and_channel(cases, agency, other_agency, commune, commune2):
    result = collect()
    assert [(r.label, r.counts.received) for r in result.by_category] == [("Giao thông", 6), ("Y tế", 1)]
    assert [(r.key, r.counts.received) for r in result.by_unit] == [(commune.pk, 5), (commune2.pk, 2)]
    by_agency = {r.key: r.counts for r in result.by_agency}
    assert by_agency[agency.pk].received == 6 and by_agency[other_agency.pk].received == 1
    assert by_agency[agency.pk].accept_rate == 60.0  # A, D, E of A, B, D, E, F
    assert by_agency[other_agency.pk].accept_rate == 100.0
    assert [(r.key, r.label, r.counts.received) for r in result.by_channel] == [
        ("web", "Cổng thông tin", 5),
        ("hotline", "Tổng đài 1022", 2),
    ]


def test_the_trend_by_month_and_by_week(cases):
    months = collect().trend
    assert [(r.label, r.counts.received) for r in months] == [("03/2026", 6), ("04/2026", 1)]
    weeks = stats.collect(stats.Filters(), trend_unit="week", now=NOW).trend
    assert [(r.key, r.counts.received) for r in weeks] == [
        (dt.date(2026, 3, 2), 2),
        (dt.date(2026, 3, 9), 1),
        (dt.date(2026, 3, 16), 1),
        (dt.date(2026, 3, 23), 2),
        (dt.date(2026, 3, 30), 1),
    ]


@pytest.mark.parametrize("unit", ["month", "week"])
def test_the_one_scan_on_postgresql_gives_the_figures_of_one_query_each(cases, unit):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("GROUPING SETS: PostgreSQL only (collect uses one query per figure elsewhere)")
    qs = stats.cases(stats.Filters())
    found, rows, trend, handled = stats.grouped(qs, unit, now=NOW)
    assert found == stats.totals(qs, now=NOW)
    for by in ("category", "unit", "agency", "channel"):
        assert rows[by] == stats.breakdown(qs, by, now=NOW)
    assert trend == stats.trend(qs, unit, now=NOW)
    assert handled == stats.handling_time(qs).total == 3


def test_filters_by_period_agency_category_commune_and_scope(cases, other_agency, health, commune2, agency):
    assert collect(start=dt.date(2026, 4, 1)).totals.received == 1
    assert collect(end=dt.date(2026, 3, 9)).totals.received == 3  # A, B, C
    assert collect(agency=other_agency).totals.received == 1
    assert collect(category=health).totals.received == 1
    assert collect(unit=commune2).totals.received == 2
    assert collect(scope=frozenset({other_agency.pk})).totals.received == 1
    assert collect(scope=frozenset()).totals.received == 0


def test_the_registered_figures_compute(cases):
    expected = {
        "feedback.received": 7,
        "feedback.accept_on_time": 66.7,
        "feedback.answer_on_time": 66.7,
        "feedback.satisfaction": 50.0,
        "feedback.handling_days": round(67 / 3 / 7.5, 2),
    }
    with freeze_time(NOW):
        for key, value in expected.items():
            figure = FIGURES[key]
            assert figure.label and figure.unit
            assert figure.compute(start=MARCH_1, end=APRIL_30) == value
        assert FIGURES["feedback.received"].compute(start=MARCH_1, end=dt.date(2026, 3, 31), unit=None) == 6


# --- Pages and exports ----------------------------------------------------------------------------------------


def test_the_staff_page_shows_province_wide_numbers_to_an_administrator(client, cases, admin_user):
    client.force_login(admin_user)
    with freeze_time(NOW):
        response = client.get(reverse("feedback:stats"), {"start": "01/03/2026", "end": "30/04/2026"})
    assert response.status_code == 200
    assert response.context["stats"].totals.received == 7
    assert "66,7" in response.content.decode()


def test_agency_staff_see_only_their_agencys_numbers(client, cases, clerk_elsewhere, agency):
    client.force_login(clerk_elsewhere)
    with freeze_time(NOW):
        response = client.get(reverse("feedback:stats"), {"start": "01/03/2026", "end": "30/04/2026"})
        assert response.context["stats"].totals.received == 1
        # Asking for another agency is refused by the form, never widened.
        other = client.get(reverse("feedback:stats"), {"agency": agency.pk})
    assert other.status_code == 200
    assert "agency" in other.context["form"].errors
    assert other.context["stats"].totals.received == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_never_widen_to_another_agency_when_asked(client, cases, clerk_elsewhere, agency, fmt):
    client.force_login(clerk_elsewhere)
    asked = {"agency": agency.pk, "start": "01/03/2026", "end": "30/04/2026"}
    with freeze_time(NOW):
        for name in (f"feedback:stats_export_{fmt}", f"feedback:cases_export_{fmt}"):
            response = client.get(reverse(name), asked)
            assert response.status_code in (200, 400), name
            if fmt == "csv":
                content = b"".join(response.streaming_content).decode("utf-8-sig") if response.streaming else ""
            else:
                rows = []
                if response.status_code == 200:
                    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
                    rows = [cell for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row]
                content = " ".join(str(cell) for cell in rows)
            for code in ("A", "B", "D"):
                assert cases[code].code not in content, name
            assert agency.name not in content, name


@pytest.mark.parametrize(
    "name",
    [
        "feedback:stats",
        "feedback:stats_export_csv",
        "feedback:stats_export_xlsx",
        "feedback:cases_export_csv",
        "feedback:cases_export_xlsx",
    ],
)
def test_staff_pages_refuse_the_wrong_persona(client, citizen, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(citizen)
    assert client.get(url).status_code == 403


def test_bad_filters_get_a_message_not_an_error(client, clerk):
    client.force_login(clerk)
    response = client.get(reverse("feedback:stats"), {"start": "31/02/2026", "category": "abc", "trend": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_statistics_export_opens_in_excel_with_the_right_rows(client, cases, admin_user):
    client.force_login(admin_user)
    with freeze_time(NOW):
        response = client.get(reverse("feedback:stats_export_xlsx"), {"start": "01/03/2026", "end": "30/04/2026"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    by_category = [row for row in workbook["Lĩnh vực"].iter_rows(values_only=True)]
    assert by_category[0][:3] == ("Lĩnh vực", "Tiếp nhận", "Đã trả lời")
    assert [row[:2] for row in by_category[1:]] == [("Giao thông", 6), ("Y tế", 1)]
    summary = {row[0]: row[1] for row in workbook["Tổng hợp"].iter_rows(values_only=True)}
    assert summary["Số phản ánh tiếp nhận"] == 7
    assert summary["Tỷ lệ tiếp nhận đúng hạn (%)"] == 66.7


def test_the_statistics_export_as_csv(client, cases, admin_user):
    client.force_login(admin_user)
    with freeze_time(NOW):
        response = client.get(reverse("feedback:stats_export_csv"), {"start": "01/03/2026"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Nhóm", "Tên", "Tiếp nhận"]
    assert ["Kênh", "Tổng đài 1022", "2"] in [row[:3] for row in rows]
    assert "66,7" in text


def test_the_case_list_exports_only_the_clerks_cases_with_vietnamese_dates(client, cases, clerk_elsewhere):
    client.force_login(clerk_elsewhere)
    response = client.get(reverse("feedback:cases_export_xlsx"))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Mã phản ánh", "Ngày gửi", "Lĩnh vực")
    assert [row[0] for row in rows[1:]] == [cases["C"].code]
    assert rows[1][1] == dt.datetime(2026, 3, 9, 8, 0)

    response = client.get(reverse("feedback:cases_export_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [row[0] for row in rows[1:]] == [cases["C"].code]
    assert rows[1][1] == "09/03/2026 08:00"
    assert cases["A"].code not in text


def test_the_public_statistics_page_shows_aggregates_only(client, cases):
    Report.objects.filter(pk=cases["A"].pk).update(reporter_name="Nguyễn Văn Bí Mật", reporter_phone="0987654321")
    with freeze_time(NOW):
        response = client.get(reverse("feedback:public_stats"), {"start": "01/03/2026"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Giao thông" in page and "66,7" in page
    assert "Bí Mật" not in page and "0987654321" not in page and cases["A"].code not in page


def test_the_public_statistics_export_opens(client, cases):
    with freeze_time(NOW):
        response = client.get(reverse("feedback:public_stats_export_xlsx"), {"start": "01/03/2026"})
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    channels = list(workbook["Kênh"].iter_rows(values_only=True))
    assert [row[:2] for row in channels[1:]] == [("Cổng thông tin", 5), ("Tổng đài 1022", 2)]


def test_public_figures_are_served_stale_while_a_worker_refreshes_them(cases, category):
    from django.core.cache import cache

    from tinhso.feedback import tasks

    cache.clear()
    filters, asked = stats.Filters(start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 30)), []
    with freeze_time(NOW):
        first = stats.public(filters, enqueue=lambda *args: asked.append(args))
        assert first.totals.received == 7 and asked == []  # nothing cached: computed on the spot
        actions.submit_report(category=category, description="Một phản ánh mới", lon=105.82, lat=21.57)
        assert stats.public(filters, enqueue=lambda *args: asked.append(args)).totals.received == 7  # fresh copy
    with freeze_time(NOW + dt.timedelta(seconds=stats.PUBLIC_FRESH_SECONDS + 1)):
        again = stats.public(filters, enqueue=lambda *args: asked.append(args))
        assert again.totals.received == 7 and asked == [(filters, "month")]  # stale copy served, refresh asked once
        stats.public(filters, enqueue=lambda *args: asked.append(args))
        assert len(asked) == 1
        tasks.refresh_public_stats.call(start="2026-03-01", end="2026-04-30")
        assert stats.public(filters).totals.received == 8
    cache.clear()


def test_the_recurring_job_keeps_the_default_public_page_computed(cases):
    from django.core.cache import cache

    from tinhso.core.schedule import JOBS
    from tinhso.feedback import tasks
    from tinhso.feedback.views_stats import default_public_filters

    cache.clear()
    assert JOBS["feedback.refresh_public_stats"].task == tasks.refresh_public_stats
    with freeze_time(NOW):
        received = tasks.refresh_public_stats.call()
        filters, trend = default_public_filters()
        assert cache.get(stats._public_key(filters, trend))[1].totals.received == received == 7
    cache.clear()


def test_the_statistics_filters_keep_the_chosen_values(client, cases, category, commune):
    with freeze_time(NOW):
        response = client.get(reverse("feedback:public_stats"), {"category": category.pk, "unit": commune.pk})
    page = response.content.decode()
    assert f'<option value="{category.pk}" selected>{category.name}</option>' in page
    assert f'<option value="{commune.pk}" selected>{commune.name}</option>' in page
    assert '<select name="trend" class="select" id="id_trend">' in page
