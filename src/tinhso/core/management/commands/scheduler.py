"""Run the recurring-job scheduler: enqueue each declared job when its slot is due (see tinhso.core.schedule)."""

import signal

from django.core.management.base import BaseCommand

from tinhso.core.schedule import JOBS, Scheduler


class Command(BaseCommand):
    help = "Chạy bộ lập lịch: đưa các việc định kỳ vào hàng đợi đúng giờ (chạy được nhiều bản trên nhiều máy)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Xét các việc đến hạn một lần rồi thoát.")
        parser.add_argument("--interval", type=float, default=5.0, help="Số giây giữa hai lần xét (mặc định 5).")

    def handle(self, *args, once: bool, interval: float, **options):
        scheduler = Scheduler()
        if once:
            for name in scheduler.run_pending():
                self.stdout.write(f"enqueued {name}")
            return

        def stop(signum, frame):
            self.stdout.write(f"{signal.strsignal(signum)}: stopping after this tick.")
            scheduler.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"Scheduler {scheduler.name}: {', '.join(sorted(JOBS)) or 'no jobs'}")
        scheduler.run_forever(interval=interval)
