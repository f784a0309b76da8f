from django.core.management.base import BaseCommand, CommandError

from tinhso.indicators.demo import DemoError, load_indicators_demo


class Command(BaseCommand):
    help = "Nạp chỉ tiêu kinh tế – xã hội mẫu và số liệu năm 2024 của tỉnh Thái Nguyên (chạy lại vẫn an toàn)."

    def handle(self, *args, **options):
        try:
            changed = load_indicators_demo()
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Chỉ tiêu: {changed['indicators']} chỉ tiêu, {changed['values']} số liệu, "
            f"{changed['targets']} mục tiêu mới hoặc thay đổi."
        )
