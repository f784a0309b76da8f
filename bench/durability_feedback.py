"""Durability under a crash: submit cases over HTTP while worker processes are killed, then check the database.

`.venv/bin/python -m bench.durability_feedback` starts gunicorn (2 sync workers, loopback, a database of its own
under var/bench-durability unless DATABASE_URL is set), sends DURABILITY_REQUESTS SMS-webhook submissions
(default 1,500) from 8 clients, and SIGKILLs one worker at 25 %, 50 % and 75 % of them (the master starts a new
one). Requests cut off by a kill are sent again afterwards with the same message id, as an SMS gateway
redelivers. Then it checks, per message id, that every acknowledged case (HTTP 200 with a code) is stored
exactly once, under the code the client was given, with exactly one inbound message pointing at it; that no
message id has two cases; and that nothing was stored for a message the server never saw. Bounded to two
minutes of sending (DURABILITY_SECONDS); prints the result and writes var/bench/durability.json.
"""

import http.client
import json
import os
import random
import signal
import sys
import threading
import time
from pathlib import Path

import django

REQUESTS = int(os.environ.get("DURABILITY_REQUESTS", "1500"))
CLIENTS = 8
KILL_AT = (0.25, 0.50, 0.75)
MAX_SECONDS = float(os.environ.get("DURABILITY_SECONDS", "120"))


def workers_of(master: int) -> list[int]:
    """Return the pids of the gunicorn master's worker processes."""
    path = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in path.read_text().split()] if path.exists() else []


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")
    os.environ.setdefault("DEBUG", "1")
    data_dir = Path(os.environ.setdefault("TINHSO_DATA_DIR", str(Path("var/bench-durability").resolve())))
    data_dir.mkdir(parents=True, exist_ok=True)
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from bench.bench_feedback import reference_data, request, serve, sms_payload
    from tinhso.feedback.inbound import FAKE_INBOUND_SECRET
    from tinhso.feedback.models import InboundMessage, Report

    call_command("migrate", verbosity=0)
    communes, _committees, _categories = reference_data()
    connection.close()

    run = f"durability-{int(time.time())}"
    rng = random.Random(20250701)
    bodies = {f"{run}-{i}": sms_payload(run, i, rng, communes) for i in range(REQUESTS)}
    headers = {"Content-Type": "application/json", "X-Signature": FAKE_INBOUND_SECRET}
    acked: dict[str, str] = {}
    cut: list[str] = []
    other: dict[int, int] = {}
    kills: list[int] = []
    lock = threading.Lock()

    attempted: set[str] = set()

    def send(message_id: str) -> None:
        with lock:
            attempted.add(message_id)
        try:
            status, raw = request("POST", port, "/phan-anh/webhook/sms/", bodies[message_id], headers)
        except (OSError, http.client.HTTPException):
            with lock:
                cut.append(message_id)
            return
        with lock:
            if status == 200 and json.loads(raw).get("code"):
                acked[message_id] = json.loads(raw)["code"]
            else:
                other[status] = other.get(status, 0) + 1
                cut.append(message_id)

    def clients(ids: list[str]) -> None:
        pending = iter(ids)
        deadline = time.monotonic() + MAX_SECONDS

        def client():
            while time.monotonic() < deadline:
                with lock:
                    message_id = next(pending, None)
                if message_id is None:
                    return
                send(message_id)

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def killer(master: int) -> None:
        for share in KILL_AT:
            while len(acked) + len(cut) < share * REQUESTS and not done.is_set():
                time.sleep(0.01)
            pids = workers_of(master)
            if pids and not done.is_set():
                os.kill(pids[0], signal.SIGKILL)
                kills.append(pids[0])

    done = threading.Event()
    started = time.monotonic()
    with serve(workers=2) as (port, process):
        watcher = threading.Thread(target=killer, args=(process.pid,))
        watcher.start()
        clients(list(bodies))
        done.set()
        watcher.join()
        first_pass = (len(acked), len(cut))
        retry, cut[:] = list(cut), []
        time.sleep(2)  # let the master replace the last killed worker
        clients(retry)
    seconds = time.monotonic() - started

    keys = [f"sms:{message_id}" for message_id in bodies]
    stored = dict(Report.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", "code"))
    twice = list(
        Report.objects.filter(idempotency_key__startswith=f"sms:{run}-")
        .values("idempotency_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    messages = dict(
        InboundMessage.objects.filter(channel="sms", external_id__startswith=f"{run}-")
        .values_list("external_id")
        .annotate(n=Count("id"))
    )
    linked = dict(
        InboundMessage.objects.filter(
            channel="sms", external_id__startswith=f"{run}-", report__isnull=False
        ).values_list("external_id", "report__code")
    )
    problems = []
    for message_id, code in acked.items():
        if stored.get(f"sms:{message_id}") != code:
            problems.append(f"{message_id}: acknowledged as {code}, stored as {stored.get(f'sms:{message_id}')}")
        if messages.get(message_id) != 1 or linked.get(message_id) != code:
            problems.append(
                f"{message_id}: {messages.get(message_id, 0)} inbound messages, linked to {linked.get(message_id)}"
            )
    problems += [f"{row['idempotency_key']}: {row['n']} cases" for row in twice]
    codes = list(stored.values())
    if len(set(codes)) != len(codes):
        problems.append("two messages share a case code")
    result = {
        "requests": REQUESTS,
        "workers_killed": len(kills),
        "first_pass_acknowledged": first_pass[0],
        "first_pass_cut_off": first_pass[1],
        "resent": len(retry),
        "acknowledged": len(acked),
        "never_acknowledged": REQUESTS - len(acked),
        # Left unsent when the time bound (DURABILITY_SECONDS) ran out: never seen by the server.
        "not_sent_in_time": REQUESTS - len(attempted),
        "other_statuses": other,
        "cases_stored": len(stored),
        "stored_but_not_acknowledged": len(set(stored) - {f"sms:{m}" for m in acked}),
        "problems": problems[:20],
        "seconds": round(seconds, 1),
    }
    print(json.dumps(result, indent=2))
    out = Path("var/bench/durability.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print("OK: every acknowledged case is stored exactly once." if not problems else "FAILED")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
