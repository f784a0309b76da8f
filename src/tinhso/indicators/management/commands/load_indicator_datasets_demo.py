from django.core.management.base import BaseCommand

from tinhso.indicators.demo_datasets import load_datasets_demo


class Command(BaseCommand):
    help = "Nạp bộ số liệu mẫu (Sở Công Thương, Sở Tài chính, một xã) với vài kỳ đã gửi và đã duyệt (số liệu minh họa)."

    def handle(self, *args, **options):
        created = load_datasets_demo()
        self.stdout.write(f"Bộ số liệu: {created} bộ mới (số liệu minh họa).")
