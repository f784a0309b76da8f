"""Run the web server, the task worker and the scheduler together until Ctrl-C (the demo and small sites)."""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Chạy máy chủ web, tiến trình xử lý nền và bộ lập lịch cùng lúc (Ctrl-C để dừng)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, host: str, port: int, **options):
        tinhso = [sys.executable, "-m", "tinhso.cli"]
        if settings.DEBUG:
            web = [*tinhso, "runserver", f"{host}:{port}", "--noreload"]
        else:
            web = [
                sys.executable,
                "-m",
                "gunicorn",
                "tinhso.wsgi",
                "--bind",
                f"{host}:{port}",
                "--workers",
                "2",
            ]
        if settings.TASKS["default"]["BACKEND"].startswith("django_tasks_rq"):
            worker = [*tinhso, "rqworker", "default", "notifications"]
        else:
            worker = [*tinhso, "db_worker", "--queue-name", "*", "--no-reload"]
        processes = {
            "web": subprocess.Popen(web),
            "worker": subprocess.Popen(worker),
            "scheduler": subprocess.Popen([*tinhso, "scheduler"]),
        }
        self.stdout.write(self.style.SUCCESS(f"Tỉnh số đang chạy tại http://{host}:{port}/ (Ctrl-C để dừng)"))
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"{name} exited with code {process.returncode}; stopping.")
                        stopping = True
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
