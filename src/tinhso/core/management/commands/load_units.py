"""Load one province's administrative units: list, boundaries and pre-2025 history. Idempotent."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tinhso.core.units import load_demo_units, load_units, package_provinces


class Command(BaseCommand):
    help = (
        "Nạp đơn vị hành chính của một tỉnh (danh sách từ gói vietnamadminunits, ranh giới từ tệp GeoJSON, "
        "lịch sử trước 01/07/2025 từ tệp CSV hoặc suy ra từ gói). Chạy lại nhiều lần vẫn an toàn."
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Nạp dữ liệu mẫu tỉnh Thái Nguyên (19) kèm theo gói.")
        parser.add_argument("--province", metavar="MÃ", help="Mã tỉnh, thành phố sau 01/07/2025, ví dụ 19.")
        parser.add_argument("--boundaries", metavar="TỆP.geojson", type=Path, help="Ranh giới theo mã đơn vị.")
        parser.add_argument(
            "--code-property", default="ma_xa", help="Thuộc tính chứa mã 5 chữ số trong tệp ranh giới (mặc định ma_xa)."
        )
        parser.add_argument("--history", metavar="TỆP.csv", type=Path, help="Bảng đơn vị cũ → mới.")
        parser.add_argument("--no-history", action="store_true", help="Không nạp đơn vị cũ khi không có --history.")
        parser.add_argument("--list-provinces", action="store_true", help="In danh sách 34 tỉnh, thành phố rồi thoát.")

    def handle(self, *args, **options):
        if options["list_provinces"]:
            for code, name in package_provinces().items():
                self.stdout.write(f"{code}  {name}")
            return
        for option in ("boundaries", "history"):
            if options[option] is not None and not options[option].is_file():
                raise CommandError(f"Không tìm thấy tệp {options[option]}.")
        say = self.stdout.write if options["verbosity"] > 0 else None
        try:
            if options["demo"]:
                report = load_demo_units(progress=say)
            elif options["province"]:
                report = load_units(
                    province=options["province"],
                    boundaries=options["boundaries"],
                    history=options["history"],
                    code_property=options["code_property"],
                    derive_history=not options["no_history"],
                    progress=say,
                )
            else:
                raise CommandError("Cần --province MÃ hoặc --demo (xem --list-provinces).")
        except ValueError as error:
            raise CommandError(str(error)) from error
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"Cảnh báo: {warning}"))
