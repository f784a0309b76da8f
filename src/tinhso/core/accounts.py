"""Demo accounts: one person per role, for trying the platform out. Never in production."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from tinhso.core import audit
from tinhso.core.models import Agency, Membership, Role, User

#: Shared by every demo account; documented in docs/demo-accounts.md.
DEMO_PASSWORD = "tinhso-demo-2025"  # noqa: S105 - a published demo password, refused outside debug


class DemoAccountsRefused(Exception):
    """Raised when demo accounts are requested outside debug mode without an explicit force."""


class MissingAgency(Exception):
    """Raised when an agency a demo account belongs to is not loaded yet."""


@dataclass(frozen=True)
class DemoAccount:
    phone: str
    full_name: str
    role: str
    agency_code: str | None
    title: str = ""
    superuser: bool = False


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("0900000001", "Nguyễn Quản Trị", Role.ADMIN, "SKHCN", "Quản trị hệ thống", superuser=True),
    DemoAccount("0900000002", "Trần Văn Tỉnh", Role.PROVINCE_LEADER, "UBND-TINH", "Phó Chủ tịch UBND tỉnh"),
    DemoAccount("0900000003", "Lê Thị Tổng Đài", Role.OPERATOR, "TD1022", "Điện thoại viên"),
    DemoAccount("0900000004", "Phạm Văn Xây", Role.CLERK, "SXD", "Chuyên viên"),
    DemoAccount("0900000005", "Vũ Thị Dựng", Role.LEADER, "SXD", "Giám đốc Sở"),
    DemoAccount("0900000006", "Hoàng Văn Môi", Role.CLERK, "SNNMT", "Chuyên viên"),
    DemoAccount("0900000007", "Đỗ Thị Phường", Role.COMMUNE_OFFICIAL, "UBND-05443", "Công chức UBND phường"),
    DemoAccount("0900000008", "Bùi Văn Dân", Role.CITIZEN, None),
)


@dataclass(frozen=True)
class DemoAccountRow:
    account: DemoAccount
    agency_name: str
    created: bool
    password_is_demo: bool


@transaction.atomic
def create_demo_accounts(*, force: bool = False, actor=None) -> list[DemoAccountRow]:
    """Create the missing demo accounts and their memberships; leave existing accounts' passwords alone."""
    if not (settings.DEBUG or force):
        raise DemoAccountsRefused("Demo accounts are only created in debug mode or with force=True.")
    codes = {a.agency_code for a in DEMO_ACCOUNTS if a.agency_code}
    agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    missing = sorted(codes - agencies.keys())
    if missing:
        raise MissingAgency(f"Agencies not loaded: {', '.join(missing)}")

    rows, created = [], []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(phone=account.phone).first()
        if user is None:
            user = User.objects.create_user(
                account.phone,
                DEMO_PASSWORD,
                full_name=account.full_name,
                is_staff=account.superuser,
                is_superuser=account.superuser,
            )
            created.append(account.phone)
        agency = agencies.get(account.agency_code) if account.agency_code else None
        if agency is not None:
            Membership.objects.get_or_create(
                user=user, agency=agency, role=account.role, defaults={"title": account.title}
            )
        rows.append(
            DemoAccountRow(
                account=account,
                agency_name=agency.name if agency else "",
                created=account.phone in created,
                password_is_demo=user.check_password(DEMO_PASSWORD),
            )
        )
    if created:
        audit.record(
            actor=actor,
            action="accounts.demo_load",
            object_type="core.user",
            object_repr="Tài khoản dùng thử",
            extra={"created": created},
        )
    return rows
