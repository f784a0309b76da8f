from django.core.management.base import BaseCommand

from tinhso.feedback.demo import load_demo_feedback


class Command(BaseCommand):
    help = "Nạp danh mục lĩnh vực, thời hạn xử lý và mẫu trả lời mẫu của Tổng đài 1022 (chạy lại vẫn an toàn)."

    def handle(self, *args, **options):
        created = load_demo_feedback()
        self.stdout.write(
            f"1022: {created['categories']} lĩnh vực, {created['policies']} thời hạn, "
            f"{created['templates']} mẫu trả lời mới."
        )
