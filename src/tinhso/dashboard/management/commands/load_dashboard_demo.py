from django.core.management.base import BaseCommand

from tinhso.dashboard.demo import load_dashboard_demo


class Command(BaseCommand):
    help = "Nạp các ngưỡng cảnh báo mẫu của bảng điều hành (chạy lại vẫn an toàn)."

    def handle(self, *args, **options):
        self.stdout.write(f"Bảng điều hành: {load_dashboard_demo()} ngưỡng cảnh báo mới.")
