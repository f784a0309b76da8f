"""Restore the database and the uploaded files from an archive made by `tinhso backup`."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.backup import BackupError, code_migrations, restore_backup
from tinhso.core.registry import private_stores


class Command(BaseCommand):
    help = (
        "Khôi phục cơ sở dữ liệu và các tệp tải lên từ một tệp sao lưu của `tinhso backup`. Kiểm tra checksum "
        "trước; từ chối ghi đè nơi đang có dữ liệu nếu không có --force. Hãy dừng web, worker và scheduler trước."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Tệp .tar.gz do `tinhso backup` tạo ra.")
        parser.add_argument("--database", default="default", help="Bí danh cơ sở dữ liệu (mặc định: default).")
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "Ghi đè cơ sở dữ liệu, MEDIA_ROOT và các kho tệp riêng đang có dữ liệu (và chấp nhận bản sao lưu "
                "của phiên bản mới hơn)."
            ),
        )
        parser.add_argument(
            "--check", action="store_true", help="Chỉ giải nén và kiểm tra checksum, không khôi phục gì."
        )

    def handle(self, *args, archive: str, database: str, force: bool, check: bool, **options):
        verbosity = options["verbosity"]
        connection = connections[database]
        # Our own idle connection would otherwise hold locks that the restore has to wait for.
        connection.close()
        try:
            manifest = restore_backup(
                archive=Path(archive),
                db=connection.settings_dict,
                media_root=Path(settings.MEDIA_ROOT),
                private_roots=private_stores(),
                force=force,
                check_only=check,
                progress=self.stdout.write if verbosity >= 1 else lambda message: None,
                verbose=verbosity >= 2,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        made = timezone.localtime(dt.datetime.fromisoformat(manifest["created_at"])).strftime("%d/%m/%Y %H:%M")
        if check:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Tệp sao lưu nguyên vẹn: %(vendor)s, tạo lúc %(time)s trên %(host)s, phiên bản %(version)s.")
                    % {
                        "vendor": manifest["database"]["vendor"],
                        "time": made,
                        "host": manifest["host"],
                        "version": manifest["version"],
                    }
                )
            )
            return
        pending = code_migrations() - {tuple(m) for m in manifest["migrations"]}
        if pending:
            self.stdout.write(
                self.style.WARNING(
                    _("Bản sao lưu cũ hơn mã nguồn (%(count)s migration chưa áp dụng): hãy chạy `tinhso migrate`.")
                    % {"count": len(pending)}
                )
            )
        elif database == "default":
            self._record(archive, manifest)
        self.stdout.write(self.style.SUCCESS(_("Đã khôi phục bản sao lưu tạo lúc %(time)s.") % {"time": made}))

    def _record(self, archive: str, manifest: dict) -> None:
        # The restored log continues with the restore itself; skipped when the schema still needs migrating.
        from tinhso.core.audit import record

        record(
            action="system.restore",
            object_type="backup",
            object_repr=Path(archive).name,
            extra={"created_at": manifest["created_at"], "version": manifest["version"], "host": manifest["host"]},
        )
