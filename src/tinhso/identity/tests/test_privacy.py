import datetime as dt
import json

from django.urls import reverse

from tinhso.core.models import AuditEntry
from tinhso.identity import actions, grants
from tinhso.identity.models import DeletionRequest, Organisation
from tinhso.identity.taxcode import check_digit

TAX_CODE = "010010910" + str(check_digit("010010910"))


def test_the_profile_shows_the_id_number_masked(client, citizen):
    actions.set_personal_details(user=citizen, birth_date=dt.date(1985, 2, 1), sex="F", id_number="019185001234")
    client.force_login(citizen)
    content = client.get(reverse("identity:profile")).content.decode()
    assert "0191******34" in content and "019185001234" not in content


def test_the_profile_and_privacy_pages_need_a_sign_in(client):
    for name in ("profile", "my_data", "deletion", "connected_apps", "details", "organisation_create"):
        assert client.get(reverse(f"identity:{name}"))["Location"].startswith(reverse("login")), name


def test_my_data_downloads_my_own_data_as_json_and_is_audited(client, citizen, clerk):
    actions.set_personal_details(user=citizen, birth_date=dt.date(1985, 2, 1), sex="F", id_number="019185001234")
    client.force_login(citizen)
    response = client.get(reverse("identity:my_data"))
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["phone"] == citizen.phone
    assert data["identity"]["id_number"] == "019185001234"
    assert clerk.phone not in response.content.decode()
    assert AuditEntry.objects.filter(action="identity.data_export", actor=citizen).exists()


def test_a_citizen_asks_for_deletion_once(client, citizen):
    client.force_login(citizen)
    url = reverse("identity:deletion")
    assert client.post(url, {"reason": "Không dùng nữa"}).status_code == 200  # the confirmation is required
    assert not DeletionRequest.objects.exists()
    client.post(url, {"reason": "Không dùng nữa", "confirm": "on"})
    client.post(url, {"reason": "Lần nữa", "confirm": "on"})
    assert DeletionRequest.objects.filter(user=citizen, status="pending").count() == 1
    assert "Đang xem xét" in client.get(url).content.decode()


def test_self_declared_details_check_the_id_number_against_birth_year_and_sex(client, citizen):
    client.force_login(citizen)
    url = reverse("identity:details")
    response = client.post(url, {"birth_date": "01/02/1985", "sex": "M", "id_number": "019185001234"})
    assert response.status_code == 200 and "giới tính" in response.content.decode()
    response = client.post(url, {"birth_date": "01/02/1985", "sex": "F", "id_number": "019185001234"})
    assert response.status_code == 302
    assert actions.profile_of(citizen).id_number == "019185001234"


def test_a_business_registers_with_a_valid_tax_code_and_adds_a_member(client, citizen, clerk):
    client.force_login(citizen)
    url = reverse("identity:organisation_create")
    bad = TAX_CODE[:9] + str((int(TAX_CODE[9]) + 1) % 10)
    response = client.post(url, {"name": "Công ty TNHH Chè Tân Cương", "tax_code": bad})
    assert response.status_code == 200 and "chữ số kiểm tra" in response.content.decode()
    response = client.post(url, {"name": "Công ty TNHH Chè Tân Cương", "tax_code": TAX_CODE})
    organisation = Organisation.objects.get(tax_code=TAX_CODE)
    assert response["Location"] == reverse("identity:organisation", args=[organisation.pk])
    client.post(response["Location"], {"phone": clerk.phone})
    assert organisation.memberships.filter(user=clerk, role="member").exists()


def test_a_member_who_is_not_the_representative_cannot_add_members(client, citizen, clerk, leader):
    organisation = actions.create_organisation(owner=citizen, name="HTX Chè", tax_code=TAX_CODE)
    actions.add_organisation_member(by=citizen, organisation=organisation, phone=clerk.phone)
    client.force_login(clerk)
    url = reverse("identity:organisation", args=[organisation.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"phone": leader.phone}).status_code == 403
    client.force_login(leader)
    assert client.get(url).status_code == 404


def test_connected_apps_lists_and_revokes_a_grant(client, citizen):
    if not grants.is_available():
        client.force_login(citizen)
        assert "Chưa có ứng dụng" in client.get(reverse("identity:connected_apps")).content.decode()
        return
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import get_access_token_model, get_application_model

    application = get_application_model().objects.create(
        name="Cổng dịch vụ công",
        client_type="confidential",
        authorization_grant_type="authorization-code",
        redirect_uris="https://dvc.example/cb",
    )
    get_access_token_model().objects.create(
        user=citizen,
        application=application,
        token="t-1",
        scope="openid profile",
        expires=timezone.now() + timedelta(hours=1),
    )
    client.force_login(citizen)
    content = client.get(reverse("identity:connected_apps")).content.decode()
    assert "Cổng dịch vụ công" in content and "openid, profile" in content
    client.post(reverse("identity:connected_apps"), {"application": application.pk})
    assert not get_access_token_model().objects.filter(user=citizen).exists()
    assert AuditEntry.objects.filter(action="auth.grant_revoke", actor=citizen).exists()
