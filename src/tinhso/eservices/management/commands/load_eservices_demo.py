from django.core.management.base import BaseCommand

from tinhso.eservices.demo import load_demo_applications, load_demo_catalogue


class Command(BaseCommand):
    help = "Nạp danh mục thủ tục hành chính mẫu của tỉnh và cấp xã (chạy lại vẫn an toàn)."

    def handle(self, *args, **options):
        created = load_demo_catalogue()
        applications = load_demo_applications()
        self.stdout.write(
            f"Dịch vụ công: {created['sectors']} lĩnh vực, {created['procedures']} thủ tục, "
            f"{created['versions']} phiên bản, {applications} hồ sơ mẫu mới."
        )
