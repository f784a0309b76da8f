from decimal import Decimal

from django.urls import reverse

from tinhso.core.models import AuditEntry
from tinhso.indicators.models import Indicator, Target, Value

ADMIN = "/quan-tri/indicators/"


def test_administrators_see_indicators_values_and_targets(client, admin_user, demo):
    client.force_login(admin_user)
    for page in ["indicator/", "value/", "target/"]:
        assert client.get(ADMIN + page).status_code == 200, page
    assert "hơn 20.000" in client.get(ADMIN + "value/", {"q": "budget_revenue"}).content.decode()


def test_a_value_and_its_history_are_read_only_in_the_admin(client, admin_user, demo):
    client.force_login(admin_user)
    row = Value.objects.get(indicator__code="grdp", period_start__year=2024)
    page = client.get(f"{ADMIN}value/{row.pk}/change/")
    assert page.status_code == 200 and "162,5" in page.content.decode()
    assert client.get(ADMIN + "value/add/").status_code == 403
    client.post(f"{ADMIN}value/{row.pk}/change/", {"value": "1"})
    row.refresh_from_db()
    assert row.value == Decimal("162.5")
    assert client.post(f"{ADMIN}value/{row.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_target_added_in_the_admin_is_audited(client, admin_user, demo):
    client.force_login(admin_user)
    grdp = Indicator.objects.get(code="grdp")
    response = client.post(
        ADMIN + "target/add/",
        {
            "indicator": grdp.pk,
            "unit": demo.pk,
            "breakdown": "",
            "series": "plan_2026_2030",
            "kind": "level",
            "period_type": "term",
            "period_start": "01/01/2026",
            "period_end": "31/12/2030",
            "value": "300",
            "qualifier": "",
            "basis": "Kế hoạch thử nghiệm",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    target = Target.objects.get(series="plan_2026_2030")
    assert AuditEntry.objects.filter(action="admin.add", object_id=str(target.pk)).exists()


def test_staff_without_admin_rights_are_kept_out(client, clerk, demo):
    client.force_login(clerk)
    assert client.get(ADMIN + "value/").status_code == 302


def test_data_sets_are_edited_and_reports_only_read_in_the_admin(client, admin_user, dataset):
    from tinhso.indicators import actions, periods

    actions.open_submission(dataset=dataset, period=periods.month(2025, 3))
    client.force_login(admin_user)
    assert client.get(reverse("admin:indicators_dataset_change", args=[dataset.pk])).status_code == 200
    page = client.get(reverse("admin:indicators_submission_changelist"))
    assert page.status_code == 200 and "Xây dựng hằng tháng" in page.text
