from django.urls import reverse

from tinhso.core.models import AuditEntry
from tinhso.feedback.models import Report


def test_an_administrator_edits_a_category_and_the_change_is_audited(client, admin_user, category, other_agency):
    client.force_login(admin_user)
    url = reverse("admin:feedback_category_change", args=[category.pk])
    assert client.get(url).status_code == 200
    data = {
        "code": category.code,
        "name": "Giao thông đường bộ",
        "group": "Hạ tầng",
        "description": "",
        "keywords": "",
        "default_agency": other_agency.pk,
        "default_level": "normal",
        "is_public": "on",
        "allows_anonymous": "on",
        "attributes": "[]",
        "is_active": "on",
        "sort_order": "0",
        "rules-TOTAL_FORMS": "0",
        "rules-INITIAL_FORMS": "0",
        "deadlinepolicy_set-TOTAL_FORMS": "0",
        "deadlinepolicy_set-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    category.refresh_from_db()
    assert category.default_agency == other_agency
    assert AuditEntry.objects.filter(action="admin.change", object_id=str(category.pk)).exists()


def test_cases_are_read_only_in_the_admin_and_hide_personal_data(client, admin_user, category, inside):
    from tinhso.feedback.actions import submit_report

    report = submit_report(category=category, description="Ổ gà", reporter_phone="0912345678", **inside)
    client.force_login(admin_user)
    page = client.get(reverse("admin:feedback_report_change", args=[report.pk])).content.decode()
    assert report.code in page
    assert "0912345678" not in page
    assert client.post(reverse("admin:feedback_report_delete", args=[report.pk]), {"post": "yes"}).status_code == 403
    assert Report.objects.filter(pk=report.pk).exists()


def test_a_clerk_cannot_open_the_feedback_admin(client, clerk):
    clerk.is_staff = True
    clerk.save()
    client.force_login(clerk)
    assert client.get(reverse("admin:feedback_category_changelist")).status_code == 403
