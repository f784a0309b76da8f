from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from tinhso.core import audit
from tinhso.core.api import ClientPrincipal
from tinhso.core.models import Agency, ApiClient, AuditEntry, Membership, Role
from tinhso.core.models.audit import AppendOnlyError
from tinhso.core.testing import make_member

CLIENT_IP = "203.0.113.7"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_client(client, admin_user, settings):
    # Behind the production proxy the client address comes from X-Forwarded-For.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client.force_login(admin_user)
    return client


class _FormReader(HTMLParser):
    """Collect what a browser would submit from the page's main form."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name") or ""
        if "__prefix__" in name:
            return
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or ("on" if a.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def form_data(client, url: str) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    reader = _FormReader()
    reader.feed(response.content.decode())
    return reader.data


# --- record() -------------------------------------------------------------------------------------


def test_record_captures_actor_action_object_and_changed_fields(clerk, agency):
    before = audit.snapshot(agency)
    agency.phone = "02083855555"
    agency.save()

    entry = audit.record(
        actor=clerk, action="agency.update", obj=agency, changes=audit.diff(before, audit.snapshot(agency))
    )

    entry.refresh_from_db()
    assert entry.actor == clerk
    assert entry.actor_label == "Phạm Văn Chuyên Viên"
    assert entry.action == "agency.update"
    assert (entry.object_type, entry.object_id, entry.object_repr) == ("core.agency", str(agency.pk), "Sở Xây dựng")
    assert entry.changes == {"phone": ["", "02083855555"]}
    assert entry.at is not None
    # Outside a request there is no client address to record.
    assert entry.ip is None
    assert entry.request_id == ""


def test_record_without_actor_names_the_system(agency):
    entry = audit.record(action="agencies.load", obj=agency)
    assert entry.actor is None
    assert entry.actor_label == "hệ thống"


def test_record_names_a_machine_client_without_linking_a_user(agency):
    client = ApiClient.objects.create(name="Ứng dụng đối tác", key_prefix="abcd1234", agency=agency)
    entry = audit.record(actor=ClientPrincipal(client), action="report.create", obj=agency)
    assert entry.actor is None
    assert entry.actor_label == "api:Ứng dụng đối tác"


def test_reading_personal_data_is_logged(clerk, citizen):
    audit.record_personal_data_access(actor=clerk, obj=citizen, fields=["phone", "email"], purpose="Xử lý phản ánh")

    entry = AuditEntry.objects.get(action="personal_data.view")
    assert entry.actor == clerk
    assert (entry.object_type, entry.object_id) == ("core.user", str(citizen.pk))
    assert entry.extra == {"fields": ["email", "phone"], "purpose": "Xử lý phản ánh"}


# --- through a real request -----------------------------------------------------------------------


def test_an_admin_change_records_before_after_ip_and_request_id(admin_client, admin_user, agency):
    url = reverse("admin:core_agency_change", args=[agency.pk])
    data = form_data(admin_client, url)
    data["phone"] = ["02083855555"]

    response = admin_client.post(
        url, data, HTTP_X_FORWARDED_FOR=f"{CLIENT_IP}, 10.0.0.2", HTTP_X_REQUEST_ID="yeu-cau-42"
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="admin.change")
    assert entry.actor == admin_user
    assert entry.object_id == str(agency.pk)
    assert entry.changes == {"phone": ["", "02083855555"]}
    assert entry.ip == CLIENT_IP
    assert entry.request_id == "yeu-cau-42"
    assert response["X-Request-ID"] == "yeu-cau-42"


def test_a_request_without_id_gets_one_and_the_entry_carries_it(admin_client, agency):
    url = reverse("admin:core_agency_change", args=[agency.pk])
    data = form_data(admin_client, url)
    data["name"] = ["Sở Xây dựng tỉnh Thái Nguyên"]

    response = admin_client.post(url, data)

    entry = AuditEntry.objects.get(action="admin.change")
    assert entry.request_id and entry.request_id == response["X-Request-ID"]
    assert entry.ip == "127.0.0.1"
    assert entry.changes["name"] == ["Sở Xây dựng", "Sở Xây dựng tỉnh Thái Nguyên"]


def test_an_admin_addition_and_deletion_are_recorded(admin_client):
    data = form_data(admin_client, reverse("admin:core_agency_add"))
    data.update(code=["SCT"], name=["Sở Công Thương"], kind=["department"])
    assert admin_client.post(reverse("admin:core_agency_add"), data).status_code == 302
    added = Agency.objects.get(code="SCT")

    response = admin_client.post(reverse("admin:core_agency_delete", args=[added.pk]), {"post": "yes"})

    assert response.status_code == 302
    addition = AuditEntry.objects.get(action="admin.add")
    assert addition.changes["code"] == [None, "SCT"]
    deletion = AuditEntry.objects.get(action="admin.delete")
    assert deletion.object_id == str(added.pk)
    assert deletion.changes["name"] == ["Sở Công Thương", None]


def test_granting_a_role_in_the_admin_is_recorded(admin_client, citizen, agency):
    url = reverse("admin:core_user_change", args=[citizen.pk])
    data = form_data(admin_client, url)
    data.update(
        {
            "memberships-TOTAL_FORMS": ["1"],
            "memberships-0-agency": [str(agency.pk)],
            "memberships-0-role": [Role.CLERK],
            "memberships-0-is_active": ["on"],
            "memberships-0-user": [str(citizen.pk)],
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    membership = Membership.objects.get(user=citizen)
    entry = AuditEntry.objects.get(action="admin.add", object_type="core.membership")
    assert entry.object_id == str(membership.pk)
    assert entry.changes["role"] == [None, Role.CLERK]
    assert entry.changes["agency"] == [None, agency.pk]


def test_a_password_change_in_the_admin_is_recorded_without_the_hash(admin_client, citizen):
    url = reverse("admin:auth_user_password_change", args=[citizen.pk])
    response = admin_client.post(
        url, {"password1": "mat-khau-moi-2025!", "password2": "mat-khau-moi-2025!", "usable_password": "true"}
    )

    assert response.status_code == 302
    citizen.refresh_from_db()
    entry = AuditEntry.objects.get(action="admin.password_change")
    assert entry.object_id == str(citizen.pk)
    assert citizen.password not in str(entry.changes)
    assert entry.changes == {"password": ["***", "***"]}


# --- append-only ----------------------------------------------------------------------------------


def test_an_entry_cannot_be_changed_or_deleted_through_the_model(agency):
    entry = audit.record(action="agency.update", obj=agency)
    entry.action = "agency.nothing_happened"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "agency.update"


def test_an_entry_cannot_be_changed_or_deleted_through_the_queryset(agency):
    entry = audit.record(action="agency.update", obj=agency)
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    entry.action = "x"
    # bulk_update opens an atomic block without a savepoint; give it one so the test can go on.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["action"])
    assert AuditEntry.objects.get(pk=entry.pk).action == "agency.update"


def test_the_database_refuses_raw_sql_changes_on_postgresql(agency):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    entry = audit.record(action="agency.update", obj=agency)
    for sql in ("UPDATE core_auditentry SET action = 'x' WHERE id = %s", "DELETE FROM core_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "agency.update"


# --- the admin view of the log --------------------------------------------------------------------


def test_a_staff_clerk_cannot_see_the_log_even_with_the_view_permission(client, agency):
    clerk = make_member(Role.CLERK, agency, "Phạm Văn Chuyên Viên", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    entry = audit.record(action="agency.update", obj=agency)
    client.force_login(clerk)

    assert client.get(reverse("admin:core_auditentry_changelist")).status_code == 403
    assert client.get(reverse("admin:core_auditentry_change", args=[entry.pk])).status_code == 403
    assert b"core/auditentry" not in client.get(reverse("admin:index")).content


def test_a_holder_of_the_administrator_role_sees_the_log(client, agency):
    administrator = make_member(Role.ADMIN, agency, "Nguyễn Quản Trị", is_staff=True)
    entry = audit.record(action="agency.update", obj=agency)
    client.force_login(administrator)

    assert client.get(reverse("admin:core_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:core_auditentry_change", args=[entry.pk])).status_code == 200


def test_an_admin_sees_the_log_but_cannot_edit_it(admin_client, agency):
    entry = audit.record(action="agency.update", obj=agency)

    assert admin_client.get(reverse("admin:core_auditentry_changelist")).status_code == 200
    change_url = reverse("admin:core_auditentry_change", args=[entry.pk])
    assert admin_client.get(change_url).status_code == 200
    assert admin_client.post(change_url, {"action": "x"}).status_code == 403
    assert admin_client.get(reverse("admin:core_auditentry_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    )
    assert AuditEntry.objects.get(pk=entry.pk).action == "agency.update"


def test_the_admin_log_filters_personal_data_reads_and_finds_a_request(admin_client, clerk, citizen, agency):
    audit.record(action="agency.update", obj=agency)
    audit.record_personal_data_access(actor=clerk, obj=citizen, fields=["phone"])
    url = reverse("admin:core_auditentry_changelist")

    listed = admin_client.get(url, {"nguon": "personal_data"}).context["cl"].result_list
    assert [e.action for e in listed] == ["personal_data.view"]

    admin_client.get(reverse("home"), HTTP_X_REQUEST_ID="tim-toi")  # a read: no entry
    admin_client.post(
        reverse("admin:core_agency_change", args=[agency.pk]),
        {**form_data(admin_client, reverse("admin:core_agency_change", args=[agency.pk])), "phone": ["0208"]},
        HTTP_X_REQUEST_ID="tim-toi",
    )
    found = admin_client.get(url, {"q": "tim-toi"}).context["cl"].result_list
    assert [e.action for e in found] == ["admin.change"]
