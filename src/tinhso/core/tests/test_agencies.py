import csv
import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tinhso.core import permissions
from tinhso.core.accounts import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DemoAccountsRefused,
    MissingAgency,
    create_demo_accounts,
)
from tinhso.core.agencies import THAI_NGUYEN_CSV, AgencyDataError, commune_committee_name, load_agencies
from tinhso.core.management.commands.load_demo import DEMO_STEPS
from tinhso.core.models import AdminUnit, Agency, AuditEntry, Membership, Role, User

HEADER = "code,name,short_name,kind,parent_code,address,phone,email,website\n"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def province(db) -> AdminUnit:
    return AdminUnit.objects.create(
        code="19", name="Tỉnh Thái Nguyên", short_name="Thái Nguyên", level="province", kind="tinh"
    )


@pytest.fixture
def communes(province) -> list[AdminUnit]:
    def commune(code, name, short, kind, **fields):
        return AdminUnit.objects.create(
            code=code, name=name, short_name=short, level="commune", kind=kind, parent=province, **fields
        )

    return [
        commune("05443", "Phường Phan Đình Phùng", "Phan Đình Phùng", "phuong", valid_from=dt.date(2025, 7, 1)),
        commune("05788", "Xã Phú Lạc", "Phú Lạc", "xa", valid_from=dt.date(2025, 7, 1)),
    ]


def csv_rows() -> list[dict[str, str]]:
    with THAI_NGUYEN_CSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(tmp_path, body: str):
    path = tmp_path / "agencies.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_the_shipped_file_has_the_reorganised_departments():
    names = {row["name"] for row in csv_rows()}
    for department in (
        "Sở Nội vụ",
        "Sở Tài chính",
        "Sở Tư pháp",
        "Sở Công Thương",
        "Sở Xây dựng",
        "Sở Nông nghiệp và Môi trường",
        "Sở Khoa học và Công nghệ",
        "Sở Giáo dục và Đào tạo",
        "Sở Y tế",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Dân tộc và Tôn giáo",
    ):
        assert f"{department} tỉnh Thái Nguyên" in names
    # Merged away in 2025: their work now sits in the departments above.
    assert not any(n.startswith(("Sở Giao thông vận tải", "Sở Kế hoạch và Đầu tư", "Sở Thông tin")) for n in names)


def test_it_loads_the_provincial_agencies_as_a_tree(communes):
    load_agencies()

    assert Agency.objects.exclude(kind=Agency.Kind.COMMUNE_COMMITTEE).count() == len(csv_rows())
    province_committee = Agency.objects.get(code="UBND-TINH")
    assert province_committee.parent is None
    assert Agency.objects.get(code="SXD").parent == province_committee
    assert Agency.objects.get(code="TTPVHCC").kind == Agency.Kind.SERVICE_CENTRE
    assert Agency.objects.get(code="CA-TINH").parent is None  # the police answer to the ministry
    call_centre = Agency.objects.get(code="TD1022")
    assert [a.code for a in call_centre.ancestors()] == ["IOC", "SKHCN", "UBND-TINH"]


def test_it_creates_one_committee_per_current_commune_linked_to_its_unit(communes, province):
    former = AdminUnit.objects.create(
        code="05446", name="Phường Trưng Vương", short_name="Trưng Vương", level="commune", kind="phuong",
        parent=province, valid_to=dt.date(2025, 6, 30),
    )  # fmt: skip
    elsewhere = AdminUnit.objects.create(code="01", name="Thành phố Hà Nội", short_name="Hà Nội", level="province")
    AdminUnit.objects.create(
        code="00004", name="Phường Ba Đình", short_name="Ba Đình", level="commune", kind="phuong", parent=elsewhere
    )

    result = load_agencies()

    committee = Agency.objects.get(code="UBND-05443")
    assert committee.name == "UBND Phường Phan Đình Phùng"
    assert committee.kind == Agency.Kind.COMMUNE_COMMITTEE
    assert committee.unit == communes[0]
    assert committee.parent.code == "UBND-TINH"
    assert Agency.objects.get(code="UBND-05788").address == "Xã Phú Lạc, Tỉnh Thái Nguyên"
    assert result.communes == 2
    assert not Agency.objects.filter(unit=former).exists()
    assert not Agency.objects.filter(code="UBND-00004").exists()


def test_committee_name_carries_the_unit_kind_once(db):
    assert commune_committee_name(AdminUnit(name="Phú Lạc", kind="xa")) == "UBND Xã Phú Lạc"
    assert commune_committee_name(AdminUnit(name="Phường Đức Xuân", kind="phuong")) == "UBND Phường Đức Xuân"


def test_running_it_again_changes_nothing_and_audits_once(communes):
    first = load_agencies()
    second = load_agencies()

    assert len(first.created) == len(csv_rows()) + len(communes)
    assert not second.changed
    assert second.unchanged == len(first.created)
    entries = AuditEntry.objects.filter(action="agencies.load")
    assert entries.count() == 1
    assert entries.get().extra["created"] == len(first.created)


def test_it_keeps_contacts_an_administrator_entered_and_applies_renames(tmp_path, db):
    path = write_csv(
        tmp_path, "UBND-TINH,UBND tỉnh,,province_committee,,,,,\nSXD,Sở Xây dựng,,department,UBND-TINH,,,,\n"
    )
    load_agencies(path=path)
    Agency.objects.filter(code="SXD").update(phone="02083855555")

    path.write_text(
        HEADER + "UBND-TINH,UBND tỉnh,,province_committee,,,,,\n"
        "SXD,Sở Xây dựng mới,,department,UBND-TINH,,0208000000,sxd@thainguyen.gov.vn,\n"
    )
    result = load_agencies(path=path)

    sxd = Agency.objects.get(code="SXD")
    assert sxd.phone == "02083855555"  # the administrator's number stays
    assert sxd.email == "sxd@thainguyen.gov.vn"  # a blank is filled in
    assert sxd.name == "Sở Xây dựng mới"
    assert result.updated == ["SXD"]


def test_it_deactivates_the_committee_of_a_unit_that_ended(communes, clerk):
    load_agencies()
    committee = Agency.objects.get(code="UBND-05788")
    Membership.objects.create(user=clerk, agency=committee, role=Role.COMMUNE_OFFICIAL)
    AdminUnit.objects.filter(pk=communes[1].pk).update(valid_to=dt.date(2025, 7, 2))

    result = load_agencies()

    committee.refresh_from_db()
    assert not committee.is_active
    assert result.deactivated == ["UBND-05788"]
    assert committee.memberships.exists()  # kept, only no longer effective


@pytest.mark.parametrize(
    "body",
    [
        "A,Cơ quan A,,ministry,,,,,\n",  # unknown kind
        "B,Cơ quan B,,department,A,,,,\nA,Cơ quan A,,department,,,,,\n",  # parent after child
        "A,Cơ quan A,,department,,,,,\nA,Cơ quan A lần hai,,department,,,,,\n",  # duplicate code
        ",Không có mã,,department,,,,,\n",
    ],
)
def test_it_refuses_a_malformed_file_and_writes_nothing(tmp_path, db, body):
    with pytest.raises(AgencyDataError):
        load_agencies(path=write_csv(tmp_path, body))
    assert not Agency.objects.exists()


def test_command_warns_when_no_commune_is_loaded(db):
    out, err = StringIO(), StringIO()
    call_command("load_agencies", stdout=out, stderr=err)
    assert "load_units" in err.getvalue()
    assert Agency.objects.filter(code="UBND-TINH").exists()


def test_command_reports_a_malformed_file_as_an_error(tmp_path, db):
    with pytest.raises(CommandError):
        call_command("load_agencies", "--file", str(write_csv(tmp_path, "A,Cơ quan A,,ministry,,,,,\n")))


# --- demo accounts ---------------------------------------------------------------------------------


@pytest.fixture
def loaded_agencies(communes):
    load_agencies()


def test_demo_accounts_are_refused_outside_debug(loaded_agencies, settings):
    settings.DEBUG = False
    with pytest.raises(DemoAccountsRefused):
        create_demo_accounts()
    with pytest.raises(CommandError):
        call_command("load_demo_accounts", stdout=StringIO())
    assert not User.objects.exists()


def test_demo_accounts_cover_every_role_with_the_documented_password(loaded_agencies, settings):
    settings.DEBUG = True
    create_demo_accounts()

    held = {}
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(phone=account.phone)
        assert user.check_password(DEMO_PASSWORD)
        held[account.phone] = permissions.roles(user)
    assert set().union(*held.values()) == set(Role.values)
    assert held["0900000008"] == {Role.CITIZEN}
    assert User.objects.get(phone="0900000001").is_superuser
    official = User.objects.get(phone="0900000007")
    assert permissions.can_act_in(official, Agency.objects.get(code="UBND-05443"))
    assert not permissions.can_act_in(official, Agency.objects.get(code="SXD"))


def test_demo_accounts_never_overwrite_a_changed_password(loaded_agencies):
    create_demo_accounts(force=True)
    clerk = User.objects.get(phone="0900000004")
    clerk.set_password("mat-khau-rieng-cua-toi")
    clerk.save()

    out = StringIO()
    call_command("load_demo_accounts", "--force", stdout=out)

    clerk.refresh_from_db()
    assert clerk.check_password("mat-khau-rieng-cua-toi")
    line = next(line for line in out.getvalue().splitlines() if line.startswith("0900000004"))
    assert DEMO_PASSWORD not in line
    assert "(đã đổi)" in line
    assert User.objects.filter(phone__startswith="09000000").count() == len(DEMO_ACCOUNTS)
    assert AuditEntry.objects.filter(action="accounts.demo_load").count() == 1


def test_demo_accounts_need_the_agencies_first(db):
    with pytest.raises(MissingAgency):
        create_demo_accounts(force=True)


def test_the_demo_loads_units_calendar_agencies_then_accounts():
    names = [step[0] for step in DEMO_STEPS]
    positions = [names.index(n) for n in ("load_units", "load_calendar", "load_agencies", "load_demo_accounts")]
    assert positions == sorted(positions)
