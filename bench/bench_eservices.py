"""Online public services at volume: submissions over HTTP next to the bare baseline, with a million applications.

Seeds BENCH_ESERVICES_APPLICATIONS historical applications (default 100,000; the PostgreSQL target is 1,000,000,
own database e.g. `DATABASE_URL=postgres://postgres@127.0.0.1:5432/tinhso_bench_esv`) with bulk_create, spread
over three years across the demo catalogue, the province's departments and communes, both channels and every
DVCQG status (older files mostly returned). Then:

- submissions over HTTP from 8 concurrent clients to a real gunicorn server (sync workers, loopback), next to the
  bare view of bench/bench_urls.py (one INSERT) in the same run. Each submission is the applicant's real
  "check your answers" POST (`/dich-vu-cong/ho-so/<id>/kiem-tra/`: session, CSRF, schema validation of the
  answers, documents check, code from the daily sequence, event, audit, outbox row), on complete drafts prepared
  in-process beforehand (answers saved, documents attached), one draft per request.
- the applicant's own list and the public lookup by code over HTTP (1 client).

The processing side (clerk queue p95, Decision 766 dashboard for a year) adds its measurements below `run()`.
"""

import datetime as dt
import http.client
import os
import random
import secrets
import time

from django.db import connection, transaction
from django.utils import timezone

from bench.bench_feedback import CLIENTS, MAX_SECONDS, bare_table, request, serve

N_APPLICATIONS = int(os.environ.get("BENCH_ESERVICES_APPLICATIONS", "100000"))
N_REQUESTS = int(os.environ.get("BENCH_ESERVICES_REQUESTS", "1000"))
N_QUERIES = int(os.environ.get("BENCH_ESERVICES_QUERIES", "200"))
WORKERS = int(os.environ.get("BENCH_ESERVICES_WORKERS", "4"))
N_APPLICANTS = 200
SEED = 20250701
BATCH = 2000
SEED_KEY = "bench-seed:"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Final statuses of older files (most returned) and statuses of the last month's files.
DONE = [(10, 78), (9, 6), (3, 4), (7, 3), (8, 2), (4, 7)]
OPEN = [(1, 15), (2, 15), (4, 45), (5, 10), (6, 5), (9, 5), (10, 5)]


def _pick(rng: random.Random, weighted):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


# --- Reference data and historical applications ----------------------------------------------------------------


def reference_data():
    """Load the units, agencies, calendar and the demo catalogue if missing; return (procedures, communes)."""
    from django.core.management import call_command

    from tinhso.core.agencies import load_agencies
    from tinhso.core.models import AdminUnit, Agency
    from tinhso.core.units import load_demo_units
    from tinhso.eservices.demo import load_demo_catalogue
    from tinhso.eservices.models import Procedure

    if AdminUnit.objects.current().communes().filter(parent__code="19").count() != 92:
        print("  loading the Thái Nguyên demo units …")
        load_demo_units()
    if not Agency.objects.filter(kind=Agency.Kind.COMMUNE_COMMITTEE).exists():
        load_agencies()
    call_command("load_calendar", verbosity=0)
    load_demo_catalogue()
    procedures = list(Procedure.objects.filter(is_active=True).select_related("agency", "receiving_agency"))
    communes = list(Agency.objects.filter(kind=Agency.Kind.COMMUNE_COMMITTEE, is_active=True).order_by("code"))
    return procedures, communes


def applicants() -> list:
    from tinhso.core.models import User

    users = []
    for i in range(N_APPLICANTS):
        phone = f"0388{i:06d}"
        user = User.objects.filter(phone=phone).first() or User.objects.create_user(
            phone, None, full_name=f"Người nộp đo tải {i}"
        )
        users.append(user)
    return users


def seed(n: int, procedures, communes, users) -> int:
    """Top the bench database up to `n` historical applications; return how many were inserted."""
    from tinhso.eservices.models import Application, Channel, Level

    have = Application.objects.filter(idempotency_key__startswith=SEED_KEY).count()
    if have >= n:
        return 0
    versions = {p.pk: p.current_version() for p in procedures}
    procedures = [p for p in procedures if versions[p.pk] is not None]
    rng = random.Random(SEED + have)
    now = timezone.now()
    start = now - dt.timedelta(days=3 * 365)
    span = (now - start).total_seconds()
    started = time.perf_counter()
    batch = []
    for i in range(have, n):
        submitted = start + dt.timedelta(seconds=(i + rng.random()) / n * span)
        procedure = rng.choice(procedures)
        agency = procedure.agency or rng.choice(communes)
        receiving = procedure.receiving_agency or agency
        status = _pick(rng, DONE if now - submitted > dt.timedelta(days=30) else OPEN)
        online = (procedure.level == Level.FULL and rng.random() < 0.7) or rng.random() < 0.3
        user = rng.choice(users) if online else None
        hours = procedure.processing_hours or 8
        app = Application(
            code=f"{receiving.code}-{submitted:%y%m%d}-H{i:07d}",
            procedure_id=procedure.pk,
            version_id=versions[procedure.pk].pk,
            status=status,
            channel=Channel.ONLINE if online else Channel.WALK_IN,
            level=procedure.level,
            agency_id=agency.pk,
            receiving_agency_id=receiving.pk,
            current_agency_id=agency.pk if status in (2, 4, 5, 6) else None,
            applicant_id=user.pk if user else None,
            applicant_name=user.full_name if user else "Người nộp trực tiếp",
            applicant_phone=user.phone if user else f"09{rng.randrange(10**8):08d}",
            fee_amount=procedure.fee_amount,
            legal_hours=hours,
            idempotency_key=f"{SEED_KEY}{i}",
            search_text="",
            form_data={},
            created_at=submitted,
            updated_at=submitted,
            submitted_at=submitted,
        )
        if status not in (1, 3):
            # Calendar time instead of working time: close enough for realistic filters and counts.
            app.received_at = submitted + dt.timedelta(hours=rng.uniform(0.2, 20))
            app.due_at = app.original_due_at = app.received_at + dt.timedelta(hours=hours * 3)
            app.step_due_at = app.received_at + dt.timedelta(hours=max(4, hours))
            app.current_step = 1 if status in (2, 4, 5, 6) else None
        if status in (9, 10):
            late = rng.random() < 0.06
            app.completed_at = (
                app.due_at + dt.timedelta(hours=rng.uniform(1, 48))
                if late
                else app.received_at + (app.due_at - app.received_at) * rng.uniform(0.3, 0.98)
            )
        if status == 10:
            app.returned_at = app.closed_at = app.completed_at + dt.timedelta(hours=rng.uniform(1, 72))
            if online and rng.random() < 0.3:
                app.rating, app.rated_at = rng.choice([5, 5, 5, 4, 4, 3, 2]), app.returned_at
        if status in (3, 7, 8):
            app.closed_at = submitted + dt.timedelta(days=rng.uniform(0.5, 5))
        batch.append(app)
        if len(batch) == BATCH:
            _insert(batch)
            batch = []
    _insert(batch)
    print(f"  seeded {n - have:,} historical applications in {time.perf_counter() - started:.1f} s")
    return n - have


def _insert(batch) -> None:
    from tinhso.eservices.models import Application

    if batch:
        with transaction.atomic():
            Application.objects.bulk_create(batch)


# --- Complete drafts to submit, and sessions ---------------------------------------------------------------------


def answers_for(version, user) -> dict:
    """Return valid answers for every field of a version's schema."""
    values = {}
    for spec in version.fields:
        kind = spec.get("type", "text")
        if spec.get("pattern"):
            values[spec["name"]] = "0123456789"  # the demo catalogue's only pattern: 10 digits
        elif kind == "phone":
            values[spec["name"]] = user.phone
        elif kind == "id_number":
            values[spec["name"]] = "001099012345"
        elif kind == "email":
            values[spec["name"]] = "nguoi.nop@example.vn"
        elif kind == "date":
            values[spec["name"]] = "2025-07-01"
        elif kind in ("integer", "decimal"):
            values[spec["name"]] = spec.get("min", 1) or 1
        elif kind == "choice":
            values[spec["name"]] = spec["choices"][0][0]
        elif kind == "checkbox":
            values[spec["name"]] = True
        else:
            values[spec["name"]] = "Nội dung đo tải"
    return values


def drafts(n: int, procedures, users) -> list[tuple[int, int]]:
    """Prepare `n` complete online drafts through the actions; return (draft id, applicant index) pairs."""
    from tinhso.eservices import actions
    from tinhso.eservices.forms import CleanDocument
    from tinhso.eservices.models import AuthorityLevel

    candidates = [p for p in procedures if p.authority_level == AuthorityLevel.PROVINCE and p.current_version()]
    rng = random.Random(SEED)
    started = time.perf_counter()
    prepared = []
    for i in range(n):
        index = i % len(users)
        user, procedure = users[index], rng.choice(candidates)
        with transaction.atomic():
            draft = actions.start_application(actor=user, procedure=procedure)
            actions.save_draft(actor=user, application=draft, form_data=answers_for(draft.version, user))
            for doc in actions.missing_documents(draft):
                document = CleanDocument(
                    "ban-chup.pdf", f"{secrets.token_hex(16)}.pdf", "application/pdf", len(PDF), PDF
                )
                actions.attach_document(actor=user, application=draft, requirement=doc["code"], document=document)
        prepared.append((draft.pk, index))
    print(f"  prepared {n:,} complete drafts in {time.perf_counter() - started:.1f} s")
    return prepared


def sessions_for(users, secret: str) -> list[str]:
    """Return one logged-in session key per applicant, signed with the benchmark server's secret."""
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    keys = []
    with override_settings(SECRET_KEY=secret):
        for user in users:
            client = Client()
            client.force_login(user)
            keys.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return keys


# --- Over HTTP ---------------------------------------------------------------------------------------------------


def submissions(h, port: int, prepared, sessions) -> None:
    """Bare insert vs the applicant's real submission POST, 8 clients each."""
    import json

    from django.conf import settings

    failures: dict[str, int] = {}
    csrf = secrets.token_hex(16)  # a 32-character secret, accepted as both cookie and form token

    def submit(item):
        pk, index = item
        cookie = f"{settings.SESSION_COOKIE_NAME}={sessions[index]}; {settings.CSRF_COOKIE_NAME}={csrf}"
        body = f"csrfmiddlewaretoken={csrf}&idempotency_key={secrets.token_hex(8)}".encode()
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        try:
            status, _ = request("POST", port, f"/dich-vu-cong/ho-so/{pk}/kiem-tra/", body, headers)
        except (OSError, http.client.HTTPException):
            status = 0
        if status != 302:
            failures[f"submit {status}"] = failures.get(f"submit {status}", 0) + 1

    def bare(body):
        try:
            status, _ = request("POST", port, "/bench/bare/", body, {"Content-Type": "application/json"})
        except (OSError, http.client.HTTPException):
            status = 0
        if status != 201:
            failures["bare"] = failures.get("bare", 0) + 1

    bare_case = "bare view: insert one row (HTTP, 8 clients)"
    submit_case = "submit an online application (HTTP, 8 clients)"
    for item in prepared[:20]:  # warm every worker (templates, calendar, catalogue)
        submit(item)
    bodies = [json.dumps({"text": f"row {i}"}).encode() for i in range(len(prepared))]
    h.measure_concurrent(bare_case, bare, bodies, clients=CLIENTS, max_seconds=MAX_SECONDS, baseline_of=submit_case)
    result = h.measure_concurrent(submit_case, submit, prepared[20:], clients=CLIENTS, max_seconds=MAX_SECONDS)
    base = h.results[-2]
    share = result.per_second / base.per_second if base.per_second else 0
    print(f"  submission: {share:.0%} of the bare view's throughput")
    if failures:
        print(f"  failed requests: {failures}")


def reads(h, port: int, users, sessions) -> None:
    """The applicant's list and the public lookup by code, over HTTP, one client."""
    from django.conf import settings

    from tinhso.eservices.models import Application

    rng = random.Random(SEED)
    codes = list(
        Application.objects.exclude(code__isnull=True).order_by("-id").values_list("code", flat=True)[:N_QUERIES]
    )
    statuses: dict[int, int] = {}

    def mine(_):
        cookie = f"{settings.SESSION_COOKIE_NAME}={rng.choice(sessions)}"
        status, _body = request("GET", port, "/dich-vu-cong/cua-toi/", headers={"Cookie": cookie})
        statuses[status] = statuses.get(status, 0) + 1

    def lookup(code):
        status, _body = request("GET", port, f"/dich-vu-cong/tra-cuu/{code}/")
        statuses[status] = statuses.get(status, 0) + 1

    h.measure("applicant's own list (HTTP, 1 client)", mine, range(N_QUERIES))
    h.measure("public lookup by code (HTTP, 1 client)", lookup, codes)
    print(f"  read statuses: {statuses}")


def run(h) -> None:
    from tinhso.eservices.models import Application

    procedures, communes = reference_data()
    users = applicants()
    seed(N_APPLICATIONS, procedures, communes, users)
    prepared = drafts(N_REQUESTS + 20, procedures, users)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  {Application.objects.count():,} applications; {WORKERS} gunicorn sync workers; {CLIENTS} clients")
    bare_table()
    secret = secrets.token_urlsafe(48)
    sessions = sessions_for(users, secret)
    connection.close()  # SQLite: let the server's processes write without this one holding anything
    with serve(workers=WORKERS, secret=secret) as (port, _process):
        submissions(h, port, prepared, sessions)
        reads(h, port, users, sessions)
        processing_reads(h, port, secret)


# --- The processing side: clerk queue and the Decision 766 dashboard -----------------------------------------------


def seed_steps() -> int:
    """Give every seeded open application its open step (as `processing.accept` would); return rows inserted."""
    from django.db.models import Exists, OuterRef

    from tinhso.eservices.models import Application
    from tinhso.eservices.models_processing import StepRecord

    open_apps = Application.objects.filter(status__in=(2, 4, 5, 6), current_agency__isnull=False).exclude(
        Exists(StepRecord.objects.filter(application=OuterRef("pk"), finished_at=None))
    )
    inserted, started, batch = 0, time.perf_counter(), []
    fields = ("pk", "current_agency_id", "received_at", "step_due_at", "due_at")
    for pk, agency_id, received_at, step_due_at, due_at in open_apps.values_list(*fields).iterator(chunk_size=BATCH):
        batch.append(
            StepRecord(
                application_id=pk,
                index=1,
                code="tham_dinh",
                name="Thẩm định hồ sơ",
                agency_id=agency_id,
                role="clerk",
                hours=24,
                started_at=received_at,
                due_at=step_due_at or due_at or received_at,
            )
        )
        if len(batch) == BATCH:
            StepRecord.objects.bulk_create(batch)
            inserted += len(batch)
            batch = []
    StepRecord.objects.bulk_create(batch)
    inserted += len(batch)
    if inserted:
        print(f"  seeded {inserted:,} open steps in {time.perf_counter() - started:.1f} s")
    return inserted


def staff_personas():
    """Return (a clerk of the agency with the most open steps, a province leader)."""
    from django.db.models import Count

    from tinhso.core.models import Agency, Membership, Role, User
    from tinhso.eservices.models_processing import StepRecord

    busiest = (
        StepRecord.objects.filter(finished_at=None).values("agency_id").annotate(n=Count("pk")).order_by("-n").first()
    )
    agency = Agency.objects.get(pk=busiest["agency_id"]) if busiest else Agency.objects.first()
    people = []
    for phone, name, role, where in (
        ("0399000001", "Chuyên viên đo tải", Role.CLERK, agency),
        ("0399000002", "Lãnh đạo tỉnh đo tải", Role.PROVINCE_LEADER, Agency.objects.filter(parent=None).first()),
    ):
        user = User.objects.filter(phone=phone).first() or User.objects.create_user(phone, None, full_name=name)
        Membership.objects.get_or_create(user=user, agency=where, role=role)
        people.append(user)
    open_steps = busiest["n"] if busiest else 0
    print(f"  clerk of {agency.code} ({open_steps:,} open steps in their queue)")
    return people


def processing_reads(h, port: int, secret: str) -> None:
    """Clerk queue p95 (goal < 50 ms) and the Decision 766 dashboard for a year at province level (goal < 1 s).

    The dashboard reads the monthly rollup table (rebuilt every 15 minutes by `eservices.refresh_766`); the same
    year computed straight from the applications is measured next to it, and the rebuild of the rollup too.
    """
    from django.conf import settings

    from tinhso.eservices import indicators766

    seed_steps()
    clerk, leader = staff_personas()
    started = time.perf_counter()
    today = timezone.localdate()
    months = 0
    for back in range(0, 37):
        month = (today.replace(day=1) - dt.timedelta(days=back * 28)).replace(day=1)
        months += 1
        indicators766.refresh_month(month)
    print(f"  rebuilt the 766 rollup for {months} months in {time.perf_counter() - started:.1f} s")
    year = today.year - 1
    h.measure_batch(
        f"766 indicators for {year}, province, straight from the applications (in-process)",
        lambda: indicators766.count(indicators766.received_between(dt.date(year, 1, 1), dt.date(year, 12, 31))),
        1,
        repeat=3,
    )
    h.measure_batch(
        "766 rollup: rebuild one month (in-process)", lambda: indicators766.refresh_month(today), 1, repeat=3
    )
    clerk_session, leader_session = sessions_for([clerk, leader], secret)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()
    rng = random.Random(SEED)
    # The two queues a clerk works from (their step, the reception desk), with the usual filters.
    filters = ["", "?due=overdue", "?due=near", "?tab=reception", "?page=2", "?q=nguoi"]
    statuses: dict[int, int] = {}

    def get(path, session):
        status, _body = request("GET", port, path, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"})
        statuses[status] = statuses.get(status, 0) + 1

    h.measure(
        "clerk queue, busiest agency (HTTP, 1 client)",
        lambda i: get("/dich-vu-cong/xu-ly/" + rng.choice(filters), clerk_session),
        range(N_QUERIES),
    )
    h.measure(
        f"766 dashboard for {year}, province level, from the rollup (HTTP, 1 client)",
        lambda i: get(f"/dich-vu-cong/xu-ly/chi-so-766/?year={year}", leader_session),
        range(max(20, N_QUERIES // 10)),
    )
    print(f"  processing read statuses: {statuses}")
