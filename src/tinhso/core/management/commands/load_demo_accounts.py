"""Create one demo account per role (debug mode only, or with --force) and print them."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tinhso.core.accounts import DEMO_PASSWORD, DemoAccountsRefused, MissingAgency, create_demo_accounts
from tinhso.core.models import Role


class Command(BaseCommand):
    help = "Tạo tài khoản dùng thử, mỗi vai trò một người (chỉ khi DEBUG hoặc có --force)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Tạo cả khi không ở chế độ DEBUG. Đừng dùng trên máy chủ thật: mật khẩu được công bố.",
        )

    def handle(self, *args, **options):
        try:
            rows = create_demo_accounts(force=options["force"])
        except DemoAccountsRefused as exc:
            raise CommandError(
                _("Chỉ tạo tài khoản dùng thử khi DEBUG=1 hoặc có --force (mật khẩu của chúng được công bố).")
            ) from exc
        except MissingAgency as exc:
            raise CommandError(_("Chưa nạp đủ cơ quan, hãy chạy `tinhso load_agencies` trước: %s") % exc) from exc
        if options["verbosity"] < 1:
            return
        header = (_("Số điện thoại"), _("Mật khẩu"), _("Vai trò"), _("Cơ quan"), _("Họ và tên"))
        table = [
            (
                row.account.phone,
                DEMO_PASSWORD if row.password_is_demo else _("(đã đổi)"),
                str(Role(row.account.role).label),
                row.agency_name or "—",
                row.account.full_name,
            )
            for row in rows
        ]
        widths = [max(len(r[i]) for r in (header, *table)) for i in range(len(header))]
        for line in (header, tuple("-" * w for w in widths), *table):
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
        created = sum(row.created for row in rows)
        self.stdout.write(_("Đã tạo %(created)d tài khoản mới.") % {"created": created})
