from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import RequestFactory
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from tinhso.core.api import ClientPrincipal
from tinhso.core.models import Agency, ApiClient, Membership, Role
from tinhso.core.permissions import (
    HasRole,
    agency_ids_for,
    can_act_in,
    can_act_on,
    is_staff_member,
    role_required,
    roles,
)
from tinhso.core.testing import make_agency, make_member


@dataclass
class Case:
    """A stand-in for any agency-owned object (a 1022 report, a dossier)."""

    agency_id: int | None
    shared_with: list[int] = field(default_factory=list)

    def shared_agency_ids(self) -> list[int]:
        return self.shared_with


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sub_unit(agency) -> Agency:
    return make_agency("SXD-QLCL", "Phòng Quản lý chất lượng", kind=Agency.Kind.SUB_UNIT, parent=agency)


@pytest.fixture
def province_committee(db) -> Agency:
    return make_agency("UBND-TINH", "UBND tỉnh", kind=Agency.Kind.PROVINCE_COMMITTEE)


@pytest.fixture
def commune(db) -> Agency:
    return make_agency("UBND-05443", "UBND Phường Phan Đình Phùng", kind=Agency.Kind.COMMUNE_COMMITTEE)


@pytest.fixture
def commune_official(commune):
    return make_member(Role.COMMUNE_OFFICIAL, commune, "Đỗ Thị Phường")


@pytest.fixture
def province_leader(province_committee):
    return make_member(Role.PROVINCE_LEADER, province_committee, "Trần Văn Tỉnh")


# --- who holds which role ---------------------------------------------------------------------------


def test_a_citizen_has_no_staff_rights(citizen, agency):
    assert roles(citizen) == {Role.CITIZEN}
    assert not is_staff_member(citizen)
    assert agency_ids_for(citizen) == set()
    assert not can_act_in(citizen, agency)
    assert not can_act_on(citizen, Case(agency.pk))
    assert not can_act_on(citizen, Case(None))


def test_an_anonymous_visitor_holds_no_role(agency):
    assert roles(AnonymousUser()) == set()
    assert not can_act_in(AnonymousUser(), agency)


def test_an_operator_acts_only_in_the_call_centre(operator, agency):
    centre = operator.memberships.get().agency
    assert is_staff_member(operator)
    assert can_act_in(operator, centre, Role.OPERATOR)
    assert not can_act_in(operator, agency)
    assert not can_act_on(operator, Case(agency.pk))


def test_a_clerk_acts_in_their_own_agency(clerk, agency):
    assert roles(clerk) == {Role.CLERK}
    assert can_act_in(clerk, agency)
    assert can_act_on(clerk, Case(agency.pk))


def test_a_clerk_is_refused_in_another_agency(clerk, clerk_elsewhere, agency, other_agency):
    assert not can_act_in(clerk, other_agency)
    assert not can_act_on(clerk, Case(other_agency.pk))
    assert not can_act_on(clerk_elsewhere, Case(agency.pk))


def test_a_clerk_reaches_a_case_another_agency_shared_with_theirs(clerk, agency, other_agency):
    assert can_act_on(clerk, Case(other_agency.pk, shared_with=[agency.pk]))


def test_a_clerk_is_not_a_leader_of_the_units_below(clerk, sub_unit):
    assert not can_act_in(clerk, sub_unit)


def test_a_clerk_is_refused_where_another_role_is_wanted(clerk, agency):
    assert not can_act_in(clerk, agency, Role.LEADER)


def test_a_leader_acts_in_their_agency_and_every_unit_below(leader, agency, sub_unit, other_agency):
    team = make_agency("SXD-QLCL-1", "Tổ kiểm tra", kind=Agency.Kind.SUB_UNIT, parent=sub_unit)
    assert can_act_in(leader, agency)
    assert can_act_in(leader, sub_unit)
    assert can_act_on(leader, Case(team.pk))
    assert not can_act_in(leader, other_agency)
    assert agency_ids_for(leader) == {agency.pk, sub_unit.pk, team.pk}


def test_a_commune_official_acts_only_in_their_commune(commune_official, commune, agency):
    other_commune = make_agency("UBND-05788", "UBND Xã Phú Lạc", kind=Agency.Kind.COMMUNE_COMMITTEE)
    assert can_act_in(commune_official, commune, Role.COMMUNE_OFFICIAL)
    assert not can_act_in(commune_official, other_commune)
    assert not can_act_in(commune_official, agency)


@pytest.mark.parametrize("persona", ["province_leader", "admin_user"])
def test_province_leader_and_admin_act_everywhere(request, persona, agency, other_agency, commune):
    user = request.getfixturevalue(persona)
    assert agency_ids_for(user) is None
    for place in (agency, other_agency, commune):
        assert can_act_in(user, place)
        assert can_act_on(user, Case(place.pk))
    assert can_act_in(user, None)  # province-wide matters belong to no single agency
    assert can_act_on(user, Case(None))


def test_an_admin_membership_without_superuser_acts_everywhere(province_committee, other_agency):
    user = make_member(Role.ADMIN, province_committee, "Quản trị qua phân công")
    assert can_act_in(user, other_agency)


def test_an_inactive_membership_is_refused(clerk, agency):
    Membership.objects.filter(user=clerk).update(is_active=False)
    clerk.refresh_from_db()
    assert not can_act_in(clerk, agency)
    assert roles(clerk) == {Role.CITIZEN}


def test_a_membership_in_an_inactive_agency_is_refused(clerk, agency):
    Agency.objects.filter(pk=agency.pk).update(is_active=False)
    clerk.refresh_from_db()
    assert not can_act_in(clerk, agency)
    assert not is_staff_member(clerk)


def test_an_inactive_account_holds_no_role(clerk, admin_user, agency):
    for user in (clerk, admin_user):
        user.is_active = False
        user.save()
        assert roles(user) == set()
        assert not can_act_in(user, agency)


def test_a_machine_client_holds_no_role(agency):
    client = ApiClient.objects.create(name="Ứng dụng đối tác", key_prefix="abcd1234", agency=agency)
    principal = ClientPrincipal(client)
    assert roles(principal) == set()
    assert not can_act_in(principal, agency)


# --- the view decorator -----------------------------------------------------------------------------


@role_required()
def staff_view(request):
    return HttpResponse("ok")


@role_required(Role.LEADER)
def leader_view(request):
    return HttpResponse("ok")


def call(view, user):
    request = RequestFactory().get("/cong-viec/")
    request.user = user
    return view(request)


def test_role_required_sends_an_anonymous_visitor_to_sign_in(db, settings):
    response = call(staff_view, AnonymousUser())
    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next=/cong-viec/"


def test_role_required_refuses_a_citizen(citizen):
    with pytest.raises(PermissionDenied):
        call(staff_view, citizen)


def test_role_required_admits_staff(clerk, operator):
    assert call(staff_view, clerk).status_code == 200
    assert call(staff_view, operator).status_code == 200


def test_role_required_admits_only_the_named_role_and_the_province_wide(clerk, leader, province_leader):
    with pytest.raises(PermissionDenied):
        call(leader_view, clerk)
    assert call(leader_view, leader).status_code == 200
    assert call(leader_view, province_leader).status_code == 200


# --- the API permission -----------------------------------------------------------------------------


class ClerkOnly(APIView):
    permission_classes = [HasRole(Role.CLERK)]

    def get(self, request):
        return Response({"ok": True})


def api_get(user=None):
    request = APIRequestFactory().get("/api/thu/")
    if user is not None:
        force_authenticate(request, user=user)
    return ClerkOnly.as_view()(request)


def test_has_role_refuses_an_anonymous_caller(db):
    assert api_get().status_code == 401


def test_has_role_refuses_a_citizen_and_another_role(citizen, operator):
    assert api_get(citizen).status_code == 403
    assert api_get(operator).status_code == 403


def test_has_role_admits_the_role_and_the_province_wide(clerk, admin_user):
    assert api_get(clerk).status_code == 200
    assert api_get(admin_user).status_code == 200


def test_has_role_checks_the_agency_of_an_object(clerk, agency, other_agency):
    permission = HasRole(Role.CLERK)()
    request = SimpleNamespace(user=clerk)
    assert permission.has_object_permission(request, None, Case(agency.pk))
    assert not permission.has_object_permission(request, None, Case(other_agency.pk))
    assert permission.has_object_permission(request, None, Case(other_agency.pk, shared_with=[agency.pk]))


def test_has_role_refuses_a_machine_client_without_crashing(agency):
    client = ApiClient.objects.create(name="Ứng dụng đối tác", key_prefix="abcd1234", agency=agency)
    request = APIRequestFactory().get("/api/thu/")
    force_authenticate(request, user=ClientPrincipal(client), token=client)
    assert ClerkOnly.as_view()(request).status_code == 403
