"""Load a province's agencies and its commune committees. Idempotent: running it again changes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tinhso.core.agencies import THAI_NGUYEN_CODE, THAI_NGUYEN_CSV, AgencyDataError, load_agencies


class Command(BaseCommand):
    help = "Nạp danh sách cơ quan của tỉnh và UBND các xã, phường (chạy lại nhiều lần vẫn an toàn)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=THAI_NGUYEN_CSV, help="Tệp CSV danh sách cơ quan.")
        parser.add_argument("--province", default=THAI_NGUYEN_CODE, help="Mã tỉnh của các xã, phường (mặc định 19).")

    def handle(self, *args, **options):
        try:
            result = load_agencies(path=options["file"], province_code=options["province"])
        except (AgencyDataError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if not result.communes:
            self.stderr.write(
                self.style.WARNING("Chưa có xã, phường nào của tỉnh: hãy chạy `tinhso load_units` trước.")
            )
        self.stdout.write(
            f"Cơ quan: {len(result.created)} tạo mới, {len(result.updated)} cập nhật, "
            f"{len(result.deactivated)} ngừng hoạt động, {result.unchanged} không đổi "
            f"({result.communes} UBND xã, phường)."
        )
