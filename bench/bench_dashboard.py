"""The operations dashboard at volume: the page and one chart's data over about two million indicator values.

Seeds BENCH_DASH_INDICATORS indicators (default 200) × the province and its 92 communes × BENCH_DASH_YEARS years
(default 10) of monthly values: 200 × 93 × 120 = 2,232,000 rows, with COPY on PostgreSQL (bulk_create on
SQLite; set fewer indicators there). The article's demo indicators are loaded too, so the tiles are the real
ones (the first twenty by sort order: the article's figures, then bench indicators).

Measured in-process through Django's full request cycle (test client, middleware, a province leader's session):

- the dashboard page, cold (cache cleared before each request: every tile, alert and chart recomputed, and every
  module's registered figure), cold with the modules' figures computed ahead by the recurring job
  `dashboard.refresh_figures` (as in production with Redis), just after a value is recorded (that indicator's
  reads invalidated, the others' and the modules' figures still cached), and warm;
- one chart's JSON (one indicator's 120 province months with the target line), cold and warm;
- the map's JSON (92 communes, one month), cold;

next to bare baselines in the same run: one raw SQL query for the same series, and one raw SQL query for the
latest province value of each headline indicator (the least data the page needs), each serialised to JSON.
Use its own database: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/tinhso_bench_dash`.
"""

import datetime as dt
import io
import json
import os
import random
import time
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

N_INDICATORS = int(os.environ.get("BENCH_DASH_INDICATORS", "200"))
N_YEARS = int(os.environ.get("BENCH_DASH_YEARS", "10"))
N_REQUESTS = int(os.environ.get("BENCH_DASH_REQUESTS", "100"))
FIRST_YEAR = 2016
SEED = 20250701
PREFIX = "bench_"


def _months():
    import calendar

    for year in range(FIRST_YEAR, FIRST_YEAR + N_YEARS):
        for month in range(1, 13):
            yield dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def reference_data():
    """Load the demo units, agencies and the article's indicators if missing; return (province, communes)."""
    from tinhso.core.agencies import load_agencies
    from tinhso.core.models import AdminUnit, Agency
    from tinhso.core.units import load_demo_units
    from tinhso.indicators.demo import load_indicators_demo

    communes = AdminUnit.objects.current().communes().filter(parent__code="19")
    if communes.count() != 92:
        print("  loading the Thái Nguyên demo units …")
        load_demo_units()
    if not Agency.objects.filter(code="STC").exists():
        load_agencies()
    load_indicators_demo()
    province = AdminUnit.objects.current().provinces().get(code="19")
    return province, list(communes.order_by("code"))


def seed(province, communes) -> int:
    """Create the bench indicators and their monthly values unless present; return how many values were added."""
    from tinhso.indicators.models import Indicator, Target, Value

    have = Indicator.objects.filter(code__startswith=PREFIX).count()
    if have >= N_INDICATORS and Value.objects.filter(indicator__code__startswith=PREFIX).exists():
        return 0
    rng = random.Random(SEED)
    units = [province, *communes]
    months = list(_months())
    started = time.perf_counter()
    with transaction.atomic():
        Value.objects.filter(indicator__code__startswith=PREFIX).delete()
        Target.objects.filter(indicator__code__startswith=PREFIX).delete()
        Indicator.objects.filter(code__startswith=PREFIX).delete()
        indicators = Indicator.objects.bulk_create(
            Indicator(
                code=f"{PREFIX}{i:03d}",
                name_vi=f"Chỉ tiêu thử tải số {i}",
                unit="tỷ đồng",
                decimals=1,
                sort_order=100 + i,
            )
            for i in range(N_INDICATORS)
        )
        Target.objects.bulk_create(
            Target(
                indicator=ind,
                unit=province,
                series=Target.Series.YEARLY,
                period_type="year",
                period_start=dt.date(y, 1, 1),
                period_end=dt.date(y, 12, 31),
                value=Decimal(9000 + 100 * (y - FIRST_YEAR)),
                basis="Kế hoạch thử tải",
            )
            for ind in indicators
            for y in range(FIRST_YEAR, FIRST_YEAR + N_YEARS)
        )
        now = dt.datetime.now(dt.UTC)
        columns = [
            "indicator_id",
            "unit_id",
            "period_type",
            "period_start",
            "period_end",
            "breakdown",
            "value",
            "qualifier",
            "status",
            "source",
            "is_derived",
            "derivation",
            "version",
            "updated_at",
        ]

        def rows():
            for ind in indicators:
                for unit in units:
                    level = 9000.0 if unit.pk == province.pk else rng.uniform(20, 200)
                    for start, end in months:
                        level *= rng.uniform(0.98, 1.03)
                        yield (
                            ind.pk,
                            unit.pk,
                            "month",
                            start,
                            end,
                            "",
                            Decimal(f"{level:.4f}"),
                            "",
                            "official",
                            "Số liệu thử tải",
                            False,
                            "",
                            1,
                            now,
                        )

        n = 0
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                sql = f"COPY indicators_value ({', '.join(columns)}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in rows():
                        copy.write_row(row)
                        n += 1
        else:
            batch = []
            for row in rows():
                batch.append(Value(**dict(zip(columns, row, strict=True))))
                if len(batch) == 5000:
                    n += len(Value.objects.bulk_create(batch))
                    batch = []
            n += len(Value.objects.bulk_create(batch))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  seeded {n:,} values in {time.perf_counter() - started:.0f} s")
    return n


def run(h) -> None:
    from django.test import Client

    from tinhso.core.models import Agency, Membership, Role, User
    from tinhso.dashboard import figures
    from tinhso.indicators.models import Indicator, Value

    province, communes = reference_data()
    seed(province, communes)
    total = Value.objects.count() if connection.vendor != "postgresql" else _estimate_rows()
    print(f"  {total:,} values, {Indicator.objects.count()} indicators, {len(communes)} communes")

    leader = User.objects.filter(phone="0900000777").first() or User.objects.create_user(
        "0900000777", "mat-khau-thu-tai-1", full_name="Lãnh đạo thử tải"
    )
    office = Agency.objects.filter(kind=Agency.Kind.PROVINCE_COMMITTEE).first()
    Membership.objects.get_or_create(user=leader, agency=office, role=Role.PROVINCE_LEADER)
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(leader)

    bench_codes = list(Indicator.objects.filter(code__startswith=PREFIX).values_list("code", flat=True))
    rng = random.Random(SEED)
    picks = [rng.choice(bench_codes) for _ in range(N_REQUESTS)]
    month = f"{FIRST_YEAR + N_YEARS - 1}-12"

    def get(path, params=None, *, cold):
        if cold:
            cache.clear()
        response = client.get(path, params or {})
        assert response.status_code == 200, (path, response.status_code)
        return response

    get("/dieu-hanh/", cold=True)  # warm the process: templates, units, code paths
    h.measure("dashboard page, cold cache", lambda _: get("/dieu-hanh/", cold=True), range(max(20, N_REQUESTS // 3)))

    def precomputed(n):
        # Outside the timing (the harness times the operation only): an empty cache, then the recurring job.
        for i in range(n):
            cache.clear()
            figures.refresh_registered()
            yield i

    h.measure(
        "dashboard page, cold but module figures precomputed by the job",
        lambda _: get("/dieu-hanh/", cold=False),
        precomputed(max(20, N_REQUESTS // 3)),
    )
    h.measure("dashboard page, warm cache", lambda _: get("/dieu-hanh/", cold=False), range(N_REQUESTS))

    written = list(Indicator.objects.filter(code__startswith=PREFIX).order_by("sort_order")[:1])

    def after_a_write(_):
        # What recording a value of a headline indicator does (through the signal): that indicator read again.
        figures.invalidate(instance=Value(indicator=written[0]))
        return get("/dieu-hanh/", cold=False)

    h.measure("dashboard page, just after a value is recorded", after_a_write, range(N_REQUESTS))
    h.measure(
        "chart JSON (120 months + target), cold",
        lambda code: get("/dieu-hanh/bieu-do.json", {"chi-tieu": code}, cold=True),
        picks,
    )
    h.measure(
        "chart JSON, warm",
        lambda code: get("/dieu-hanh/bieu-do.json", {"chi-tieu": code}, cold=False),
        picks,
    )
    h.measure(
        "map JSON (92 communes, one month), cold",
        lambda code: get("/dieu-hanh/ban-do.json", {"chi-tieu": code, "ky": month}, cold=True),
        picks[: max(20, N_REQUESTS // 2)],
    )

    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404s below are the point, not news
    h.measure(
        "bare request: a leader's 404 (session, roles, middleware)",
        lambda _: client.get("/dieu-hanh/bieu-do.json", {"chi-tieu": "khong-co"}),
        range(N_REQUESTS),
        baseline_of="chart JSON, warm",
    )

    # Bare baselines: the least work the same answers need, straight SQL and json.dumps, no Django request.
    ids = dict(Indicator.objects.filter(code__in=bench_codes).values_list("code", "pk"))

    def bare_series(code):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT period_start, value FROM indicators_value WHERE indicator_id = %s AND unit_id = %s"
                " AND breakdown = '' ORDER BY period_start",
                [ids[code], province.pk],
            )
            return json.dumps([[str(d), float(v)] for d, v in cursor.fetchall()])

    headline = [i.pk for i in figures.headline_indicators(province)]

    def bare_page(_):
        out = io.StringIO()
        with connection.cursor() as cursor:
            for pk in headline:
                cursor.execute(
                    "SELECT period_start, value FROM indicators_value WHERE indicator_id = %s AND unit_id = %s"
                    " ORDER BY period_start DESC LIMIT 2",
                    [pk, province.pk],
                )
                out.write(json.dumps([[str(d), float(v)] for d, v in cursor.fetchall()]))
        return out.getvalue()

    h.measure("bare SQL: one series as JSON", bare_series, picks, baseline_of="chart JSON (120 months + target), cold")
    h.measure(
        "bare SQL: latest two values of each tile",
        bare_page,
        range(N_REQUESTS),
        baseline_of="dashboard page, cold cache",
        note=f"{len(headline)} headline indicators",
    )


def _estimate_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'indicators_value'")
        return int(cursor.fetchone()[0])
