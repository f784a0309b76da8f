from django.core.management.base import BaseCommand

from tinhso.feedback import deadlines


class Command(BaseCommand):
    help = "Nhắc lãnh đạo cơ quan trước hạn và báo cáo Văn phòng UBND tỉnh các phản ánh quá hạn."

    def handle(self, *args, **options) -> None:
        run = deadlines.check_deadlines()
        for code in run.warned:
            self.stdout.write(f"Đã nhắc hạn: {code}")
        for code in run.escalated:
            self.stdout.write(f"Đã báo cáo quá hạn: {code}")
        self.stdout.write(f"Nhắc hạn {len(run.warned)}, báo cáo quá hạn {len(run.escalated)} phản ánh.")
