"""Back up the database and the uploaded files into one .tar.gz archive (see tinhso.core.backup)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from tinhso.core.backup import BackupError, archive_name, create_backup, prune_backups
from tinhso.core.registry import private_stores


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu, các tệp tải lên (MEDIA_ROOT) và các kho tệp riêng (hồ sơ dịch vụ công) vào một tệp "
        ".tar.gz kèm manifest và checksum. "
        "Chạy được khi hệ thống đang hoạt động."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "destination",
            nargs="?",
            help="Tệp .tar.gz hoặc thư mục để ghi bản sao lưu (mặc định: thư mục backups trong TINHSO_DATA_DIR).",
        )
        parser.add_argument("--database", default="default", help="Bí danh cơ sở dữ liệu (mặc định: default).")
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="Sau khi sao lưu, chỉ giữ N bản tinhso-*.tar.gz mới nhất trong thư mục đích.",
        )

    def handle(self, *args, destination: str | None, database: str, keep: int | None, **options):
        target = Path(destination) if destination else Path(settings.DATA_DIR) / "backups"
        if target.is_dir() or not target.name.endswith((".tar.gz", ".tgz")):
            target = target / archive_name()
        if keep is not None and keep < 1:
            raise CommandError(_("--keep phải từ 1 trở lên."))
        verbosity = options["verbosity"]
        try:
            create_backup(
                db=connections[database].settings_dict,
                media_root=Path(settings.MEDIA_ROOT),
                private_roots=private_stores(),
                destination=target.resolve(),
                progress=self.stdout.write if verbosity >= 1 else lambda message: None,
                verbose=verbosity >= 2,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if keep is not None:
            for path in prune_backups(target.resolve().parent, keep=keep):
                self.stdout.write(_("Đã xoá bản sao lưu cũ %(path)s.") % {"path": path})
