"""Load the Thái Nguyên demo data. Idempotent: running it again changes nothing."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu tỉnh Thái Nguyên (chạy lại nhiều lần vẫn an toàn)."

    def handle(self, *args, **options):
        for step in DEMO_STEPS:
            call_command(*step, verbosity=options["verbosity"])


# Each module appends its own demo step here from its AppConfig.ready().
DEMO_STEPS: list[tuple[str, ...]] = []
