"""The 1022 module at volume: submissions over HTTP, the staff inbox, public statistics, Open311 reads.

Seeds BENCH_FEEDBACK_CASES historical cases (default 100,000; the PostgreSQL target is 1,000,000) with
bulk_create, spread over three years, the demo categories, the 92 demo communes, every channel and status.
Then:

- submissions over HTTP from 8 concurrent clients to a real gunicorn server (sync workers, loopback, the bench
  database), next to a bare Django view that inserts one row, measured before and after them in the same run.
  The server runs with bench/bench_settings.py, whose URLconf is the product's plus that bare view; the product
  has no bench URL. Three channels, each ending in `actions.submit_report`: the citizen web form (a signed-in
  citizen's session and CSRF token, a new form token each time), the Open311 POST (an API key) and the SMS
  webhook (the fake verifier).
- the staff inbox page over HTTP (a clerk of a random agency, five filter combinations),
- public statistics: `feedback.stats.collect` in-process (uncached) and the public page over HTTP (cached),
- Open311 GET requests (default window) over HTTP, when `/open311/v2/` exists.

`bench/durability_feedback.py` (a separate script) kills a worker under load and checks every acknowledged case.
"""

import contextlib
import datetime as dt
import http.client
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

N_CASES = int(os.environ.get("BENCH_FEEDBACK_CASES", "100000"))
N_REQUESTS = int(os.environ.get("BENCH_FEEDBACK_REQUESTS", "2000"))
N_QUERIES = int(os.environ.get("BENCH_FEEDBACK_QUERIES", "200"))
CLIENTS = 8
WORKERS = int(os.environ.get("BENCH_FEEDBACK_WORKERS", "4"))
MAX_SECONDS = 60.0
SEED = 20250701
BATCH = 2000
REPO = Path(__file__).resolve().parent.parent
BARE_TABLE = "bench_bare_row"
SEED_KEY = "bench-seed:"

# Share of channels and of final states among historical cases (rough 1022 practice: most cases closed).
CHANNELS = [("web", 45), ("hotline", 30), ("api", 10), ("sms", 8), ("zalo", 7)]
DONE = [("closed", 70), ("answered", 14), ("rejected", 8), ("in_progress", 4), ("assigned", 4)]
OPEN = [("new", 15), ("accepted", 15), ("assigned", 30), ("in_progress", 30), ("waiting", 10)]
PLACES = ["trước cổng chợ", "gần trường tiểu học", "đầu ngõ 12", "cạnh trạm y tế", "ven suối", "ngã ba tổ 5"]


# --- Reference data and historical cases -------------------------------------------------------------------------


def reference_data():
    """Load the demo units, agencies, calendar and categories if missing; return (communes, committees, categories)."""
    from django.core.management import call_command

    from tinhso.core.agencies import load_agencies
    from tinhso.core.models import AdminUnit, Agency
    from tinhso.core.units import load_demo_units
    from tinhso.feedback.demo import load_demo_feedback
    from tinhso.feedback.models import Category

    communes = AdminUnit.objects.current().communes().filter(parent__code="19")
    if communes.count() != 92:
        print("  loading the Thái Nguyên demo units …")
        load_demo_units()
    if not Agency.objects.filter(kind=Agency.Kind.COMMUNE_COMMITTEE).exists():
        load_agencies()
    call_command("load_calendar", verbosity=0)
    load_demo_feedback()
    communes = list(communes.order_by("code"))
    committees = {a.unit_id: a for a in Agency.objects.filter(kind=Agency.Kind.COMMUNE_COMMITTEE, unit__in=communes)}
    categories = list(Category.objects.filter(is_active=True).select_related("default_agency"))
    return communes, committees, categories


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def seed(n: int, communes, committees, categories) -> int:
    """Top the bench database up to `n` historical cases; return how many were inserted."""
    from tinhso.core.text import fold
    from tinhso.feedback.models import Report

    have = Report.objects.filter(idempotency_key__startswith=SEED_KEY).count()
    if have >= n:
        return 0
    rng = random.Random(SEED + have)
    now = timezone.now()
    start = now - dt.timedelta(days=3 * 365)
    span = (now - start).total_seconds()
    started = time.perf_counter()
    batch = []
    for i in range(have, n):
        # In order of arrival, as a real table fills up (so the rows of a period sit together on disk).
        created = start + dt.timedelta(seconds=(i + rng.random()) / n * span)
        category = rng.choice(categories)
        unit = rng.choice(communes)
        agency = category.default_agency or committees.get(unit.pk)
        age = now - created
        status = _pick(rng, DONE if age > dt.timedelta(days=30) else OPEN)
        place = rng.choice(PLACES)
        description = f"{category.name}: cần xử lý {place}, {unit.name}. Người dân phản ánh nhiều lần."
        code = f"PA-{created:%Y}-H{i:07d}"
        report = Report(
            code=code,
            category=category,
            level=category.default_level,
            status=status,
            channel=_pick(rng, CHANNELS),
            description=description,
            lon=unit.centroid_lon + rng.uniform(-0.005, 0.005),
            lat=unit.centroid_lat + rng.uniform(-0.005, 0.005),
            address=f"{place}, {unit.name}",
            unit_id=unit.pk,
            agency_id=agency.pk if agency else None,
            reporter_phone=f"09{rng.randrange(10**8):08d}" if rng.random() < 0.6 else "",
            is_public=category.is_public,
            idempotency_key=f"{SEED_KEY}{i}",
            search_text=fold(f"{code} {description} {place}, {unit.name}"),
            created_at=created,
            updated_at=created,
            # Approximate clocks (calendar hours, not working hours): enough for realistic filters and counts.
            accept_due_at=created + dt.timedelta(hours=8),
        )
        if status != "new":
            report.accepted_at = created + dt.timedelta(hours=rng.uniform(0.5, 12))
            report.answer_due_at = report.accepted_at + dt.timedelta(
                days=3 if category.default_level != "complex" else 10
            )
            report.assigned_at = report.accepted_at if status != "accepted" else None
        if status in ("answered", "closed"):
            report.answered_at = report.accepted_at + dt.timedelta(hours=rng.uniform(4, 24 * 6))
            report.public_answer = "Cơ quan đã kiểm tra và khắc phục. Cảm ơn ông/bà đã phản ánh."
            report.updated_at = report.answered_at
            if rng.random() < 0.4:
                report.rating = "satisfied" if rng.random() < 0.8 else "unsatisfied"
                report.rated_at = report.answered_at + dt.timedelta(days=1)
        if status == "closed":
            report.closed_at = report.answered_at + dt.timedelta(days=7)
        if status == "rejected":
            report.rejection_reason = rng.choice(["out_of_scope", "duplicate", "not_enough_info"])
            report.closed_at = created + dt.timedelta(days=1)
        batch.append(report)
        if len(batch) == BATCH:
            _insert(batch)
            batch = []
    _insert(batch)
    print(f"  seeded {n - have:,} historical cases in {time.perf_counter() - started:.1f} s")
    return n - have


def _insert(batch) -> None:
    from tinhso.feedback.models import Report

    if batch:
        with transaction.atomic():
            Report.objects.bulk_create(batch)


# --- In-process measurements -------------------------------------------------------------------------------------


def staff_sessions(agency_ids: list[int], secret: str) -> dict[int, str]:
    """Return a logged-in session key of one clerk per agency, signed with the benchmark server's secret."""
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    from tinhso.core.models import Membership, Role, User

    sessions = {}
    with override_settings(SECRET_KEY=secret):
        for agency_id in agency_ids:
            phone = f"0399{agency_id:06d}"
            user = User.objects.filter(phone=phone).first()
            if user is None:
                user = User.objects.create_user(phone, None, full_name=f"Cán bộ đo tải {agency_id}")
            Membership.objects.get_or_create(user=user, agency_id=agency_id, role=Role.CLERK)
            client = Client()
            client.force_login(user)
            sessions[agency_id] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


def inbox(h, port: int, sessions: dict[int, str], categories) -> None:
    """Time the staff inbox page over HTTP (the real view: filters, default order by deadline, page of 25, count)."""
    from urllib.parse import urlencode

    from django.conf import settings

    rng = random.Random(SEED)
    month_ago = timezone.localdate() - dt.timedelta(days=30)
    statuses: dict[int, int] = {}

    def page(params):
        def operation(_):
            agency_id = rng.choice(list(sessions))
            cookie = f"{settings.SESSION_COOKIE_NAME}={sessions[agency_id]}"
            query = urlencode(params())
            status, _body = request("GET", port, f"/phan-anh/xu-ly/?{query}", headers={"Cookie": cookie})
            statuses[status] = statuses.get(status, 0) + 1

        return operation

    cases = {
        "inbox: open cases of one agency": lambda: {},
        "inbox: + category": lambda: {"category": rng.choice(categories).pk},
        "inbox: overdue": lambda: {"due": "overdue"},
        "inbox: all statuses, last 30 days, channel": lambda: {
            "status": "all",
            "date_from": f"{month_ago:%d/%m/%Y}",
            "channel": rng.choice(["web", "hotline"]),
        },
        "inbox: text search without diacritics": lambda: {"q": rng.choice(PLACES).split()[-1]},
    }

    def bare(_):
        agency_id = rng.choice(list(sessions))
        cookie = f"{settings.SESSION_COOKIE_NAME}={sessions[agency_id]}"
        status, _body = request("GET", port, "/bench/bare-page/", headers={"Cookie": cookie})
        statuses[status] = statuses.get(status, 0) + 1

    # The same clerks' sessions through the same middleware, with a one-line page: what any page costs here.
    baseline = h.measure("bare page: signed-in GET (HTTP, 1 client)", bare, range(N_QUERIES))
    measured = [h.measure(f"{case} (HTTP, 1 client)", page(params), range(N_QUERIES)) for case, params in cases.items()]
    baseline.baseline_of = "inbox"
    for result in measured:
        print(f"  {result.case}: p95 {result.p95_ms - baseline.p95_ms:+.1f} ms over the bare page's")
    print(f"  inbox statuses: {statuses}")


def statistics(h) -> None:
    """Time the public statistics (one year, whole province; and one category) through feedback.stats."""
    try:
        from tinhso.feedback import stats
    except ImportError:
        print("  statistics: feedback/stats.py does not exist yet; skipped")
        return
    from tinhso.feedback.models import Category

    today = timezone.localdate()
    year = stats.Filters(start=today - dt.timedelta(days=365), end=today)
    category = Category.objects.filter(code="giao-thong").first()
    h.measure("statistics: whole province, last 12 months", lambda _: stats.collect(year), range(10))
    if category:
        one = stats.Filters(start=year.start, end=year.end, category=category)
        h.measure("statistics: one category, last 12 months", lambda _: stats.collect(one), range(10))


# --- Over HTTP ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(*, workers: int, secret: str | None = None):
    """Run gunicorn (sync workers) on a free loopback port with the bench settings; yield (port, process)."""
    port = free_port()
    secret = secret or secrets.token_urlsafe(48)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
        "DEBUG": "0",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    command = [sys.executable, "-m", "gunicorn", "tinhso.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--worker-class", "sync", "--log-level", "warning", "--timeout", "60"]
    (Path(os.environ.get("TINHSO_DATA_DIR", REPO / "var")) / "static").mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(command, cwd=REPO, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request("GET", port, "/phan-anh/tra-cuu/PA-0000-000000/")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the benchmark server did not start") from None
                time.sleep(0.3)
        yield port, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def request(method: str, port: int, path: str, body: bytes | None = None, headers: dict | None = None):
    """Send one request on a new connection; return (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def sms_payload(run: str, i: int, rng: random.Random, communes) -> bytes:
    unit = rng.choice(communes)
    text = f"GT Ổ gà lớn {rng.choice(PLACES)}, {unit.name}"
    return json.dumps({"id": f"{run}-{i}", "from": f"09{rng.randrange(10**8):08d}", "text": text}).encode()


def citizen_sessions(n: int, secret: str) -> list[str]:
    """Return logged-in session keys of `n` citizens (the web form limits anonymous visitors per IP address, and
    every benchmark client comes from 127.0.0.1), signed with the benchmark server's secret."""
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    from tinhso.core.models import User

    keys = []
    with override_settings(SECRET_KEY=secret):
        for i in range(n):
            phone = f"0388{i:06d}"
            user = User.objects.filter(phone=phone).first() or User.objects.create_user(
                phone, None, full_name=f"Người dân đo tải {i}"
            )
            client = Client()
            client.force_login(user)
            keys.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return keys


def web_form_bodies(run: str, sessions: list[str], rng: random.Random, n: int) -> list[tuple[bytes, dict]]:
    """Return (body, headers) of `n` web form posts: a citizen's session, the CSRF cookie and its token (the
    cookie holds the secret; the form may send it unmasked), a new form token (the idempotency key) each."""
    import uuid
    from urllib.parse import urlencode

    from django.conf import settings

    out = []
    for i in range(n):
        csrf = secrets.token_hex(16)  # 32 characters, as Django's own secret
        cookie = f"{settings.SESSION_COOKIE_NAME}={sessions[i % len(sessions)]}; {settings.CSRF_COOKIE_NAME}={csrf}"
        body = urlencode(
            {
                "csrfmiddlewaretoken": csrf,
                "token": str(uuid.UUID(int=rng.getrandbits(128))),
                "category": "giao-thong",
                "description": f"Ổ gà lớn {rng.choice(PLACES)}, xe máy dễ ngã ({run}-{i})",
                "lat": f"{21.59 + rng.uniform(-0.01, 0.01):.6f}",
                "lon": f"{105.84 + rng.uniform(-0.01, 0.01):.6f}",
                "address": "",
                "reporter_name": f"Người dân đo tải {i % len(sessions)}",
                "reporter_phone": f"09{rng.randrange(10**8):08d}",
                "reporter_email": "",
            }
        ).encode()
        out.append((body, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}))
    return out


def submissions(h, port: int, communes, citizens: list[str]) -> None:
    """The bare insert, then each submission channel, 8 clients each, bounded by count and time; the bare view
    is measured again at the end, since other work on the machine moves every figure between the two."""
    from tinhso.feedback.inbound import FAKE_INBOUND_SECRET

    rng = random.Random(SEED)
    run = f"bench-{int(time.time())}"
    failures: dict[str, int] = {}
    statuses: dict[str, dict[int, int]] = {}

    def call(case, path, headers=None, expect=(200, 201)):
        def operation(item):
            body, item_headers = item if isinstance(item, tuple) else (item, headers)
            try:
                status, _ = request("POST", port, path, body, item_headers)
            except (OSError, http.client.HTTPException):
                status = 0
            counts = statuses.setdefault(case, {})
            counts[status] = counts.get(status, 0) + 1
            if status not in expect:
                failures[case] = failures.get(case, 0) + 1

        return operation

    json_headers = {"Content-Type": "application/json"}
    bare = "bare view: insert one row (HTTP, 8 clients)"
    sms = "submit by SMS webhook → submit_report (HTTP, 8 clients)"
    web = "submit by web form → submit_report (HTTP, 8 clients)"
    bare_bodies = [json.dumps({"text": f"row {i}"}).encode() for i in range(N_REQUESTS)]
    sms_bodies = [sms_payload(run, i, rng, communes) for i in range(N_REQUESTS + 20)]
    sms_headers = {**json_headers, "X-Signature": FAKE_INBOUND_SECRET}
    web_items = web_form_bodies(run, citizens, rng, N_REQUESTS + 20)
    for body in sms_bodies[:20]:  # warm every worker's caches (units, address index, templates)
        call("warm-up", "/phan-anh/webhook/sms/", sms_headers)(body)
    for item in web_items[:20]:
        call("warm-up", "/phan-anh/gui/", expect=(302,))(item)
    first = h.measure_concurrent(
        bare, call(bare, "/bench/bare/", json_headers), bare_bodies, clients=CLIENTS, max_seconds=MAX_SECONDS
    )
    measured = [
        h.measure_concurrent(
            web,
            call(web, "/phan-anh/gui/", expect=(302,)),
            web_items[20:],
            clients=CLIENTS,
            max_seconds=MAX_SECONDS,
        )
    ]
    measured.append(open311_post(h, port, rng, failures))
    measured.append(
        h.measure_concurrent(
            sms,
            call(sms, "/phan-anh/webhook/sms/", sms_headers),
            sms_bodies[20:],
            clients=CLIENTS,
            max_seconds=MAX_SECONDS,
        )
    )
    again = h.measure_concurrent(
        f"{bare} again",
        call(bare, "/bench/bare/", json_headers),
        [json.dumps({"text": f"again {i}"}).encode() for i in range(N_REQUESTS)],
        clients=CLIENTS,
        max_seconds=MAX_SECONDS,
    )
    baseline = (first.per_second + again.per_second) / 2
    first.baseline_of = ", ".join(r.case for r in measured if r)
    for result in filter(None, measured):
        share = result.per_second / baseline if baseline else 0
        result.note = f"{share:.0%} of the bare view (mean of its two runs, {baseline:,.0f}/s)"
        print(f"  {result.case}: {result.note}")
    print(f"  submission statuses: {statuses}")
    if failures:
        print(f"  failed requests: {failures}")


def open311_post(h, port, rng, failures):
    """Measure the Open311 POST when the API exists (an API client with a high rate limit is created)."""
    if not _open311_exists(port):
        print("  Open311 POST: /open311/v2/ does not exist yet; skipped")
        return None
    from urllib.parse import urlencode

    from tinhso.core.api import issue_api_key
    from tinhso.core.models import ApiClient
    from tinhso.feedback.models import Category

    client, _ = ApiClient.objects.get_or_create(name="bench-open311", defaults={"rate": "1000000/min"})
    key = issue_api_key(client)
    code = Category.objects.get(code="giao-thong").code
    case = "submit by Open311 POST (HTTP, 8 clients)"
    bodies = [
        urlencode(
            {
                "api_key": key,
                "service_code": code,
                "lat": 21.59 + rng.uniform(-0.01, 0.01),
                "long": 105.84 + rng.uniform(-0.01, 0.01),
                "description": "Ổ gà lớn giữa đường",
                # With a phone, the case gets its follower and the acknowledgement SMS: the whole path is measured.
                "phone": f"09{rng.randrange(10**8):08d}",
            }
        ).encode()
        for _ in range(N_REQUESTS)
    ]
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def operation(body):
        try:
            status, _ = request("POST", port, "/open311/v2/requests.json", body, headers)
        except (OSError, http.client.HTTPException):
            status = 0
        if status not in (200, 201):
            failures[case] = failures.get(case, 0) + 1

    return h.measure_concurrent(case, operation, bodies, clients=CLIENTS, max_seconds=MAX_SECONDS)


def _open311_exists(port: int) -> bool:
    try:
        status, _ = request("GET", port, "/open311/v2/discovery.json")
    except OSError:
        return False
    return status == 200


def open311_get(h, port: int) -> None:
    if not _open311_exists(port):
        print("  Open311 GET: /open311/v2/ does not exist yet; skipped")
        return
    statuses: dict[int, int] = {}

    def operation(_):
        status, _body = request("GET", port, "/open311/v2/requests.json")
        statuses[status] = statuses.get(status, 0) + 1

    h.measure("Open311 GET requests.json, default window (HTTP, 1 client)", operation, range(N_QUERIES))
    print(f"  Open311 GET statuses: {statuses}")


def public_statistics_page(h, port: int) -> None:
    """Time the public statistics page over HTTP (cached per worker for a few minutes: the first hits compute)."""
    statuses: dict[int, int] = {}

    def operation(_):
        status, _body = request("GET", port, "/phan-anh/thong-ke-cong-khai/")
        statuses[status] = statuses.get(status, 0) + 1

    h.measure("public statistics page (HTTP, 1 client)", operation, range(max(20, N_QUERIES // 10)))
    print(f"  public statistics statuses: {statuses}")


def bare_table() -> None:
    key = "bigserial" if connection.vendor == "postgresql" else "integer"
    extra = "" if connection.vendor == "postgresql" else " autoincrement"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {BARE_TABLE} (id {key} primary key{extra}, text text)")


def run(h) -> None:
    communes, committees, categories = reference_data()
    seed(N_CASES, communes, committees, categories)
    if connection.vendor == "postgresql":
        # Planner statistics, as autovacuum keeps them in production (a fresh bulk load has none yet).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from tinhso.feedback.models import Report

    print(f"  {Report.objects.count():,} cases in the database; {WORKERS} gunicorn sync workers; {CLIENTS} clients")
    statistics(h)
    bare_table()
    secret = secrets.token_urlsafe(48)
    agency_ids = sorted({a.pk for a in committees.values()} | {c.default_agency_id for c in categories} - {None})
    sessions = staff_sessions(agency_ids, secret)
    citizens = citizen_sessions(CLIENTS, secret)
    connection.close()  # SQLite: let the server's processes write without this one holding anything
    with serve(workers=WORKERS, secret=secret) as (port, _process):
        submissions(h, port, communes, citizens)
        inbox(h, port, sessions, categories)
        public_statistics_page(h, port)
        open311_get(h, port)
