"""Excel import of a data set at volume: 100 000 figures checked (numbers, ranges, jumps) and applied, all or nothing.

Builds one monthly data set of N_INDICATORS indicators for the demo units, writes an .xlsx of about BENCH_IMPORT_VALUES
rows (indicators × units × 10 months) with openpyxl, then times `importing.run_import_job` (the background task:
read, check every row, apply as drafts in one transaction), and separately the check alone. Peak memory is measured
in a separate run under tracemalloc (Python allocations), next to the process's peak RSS (ru_maxrss).
"""

import io
import math
import os
import random
import resource
import time
import tracemalloc
from decimal import Decimal

from django.core.management import call_command

from bench.harness import Harness

N_VALUES = int(os.environ.get("BENCH_IMPORT_VALUES", "100000"))
MONTHS = 10
SEED = 20250701


def _setup():
    from tinhso.core.models import AdminUnit, Agency, Membership, Role, User
    from tinhso.core.testing import make_agency, make_member
    from tinhso.indicators.models import DataSet, DataSetIndicator, Indicator

    if not AdminUnit.objects.exists():
        call_command("load_units", "--demo", verbosity=0)
    units = list({u.code: u for u in AdminUnit.objects.current().order_by("code")}.values())[:100]
    agency = Agency.objects.filter(code="BENCH-IMP").first() or make_agency("BENCH-IMP", "Cơ quan đo hiệu năng")
    clerk = User.objects.filter(memberships__agency=agency, memberships__role=Role.CLERK).first() or make_member(
        Role.CLERK, agency, "Chuyên viên đo hiệu năng", phone="0900000999"
    )
    assert Membership.objects.filter(user=clerk, agency=agency).exists()
    n_indicators = math.ceil(N_VALUES / MONTHS / len(units))
    dataset, _ = DataSet.objects.get_or_create(
        code="bench-import", defaults={"name": "Đo hiệu năng nhập tệp", "agency": agency, "period_type": "month"}
    )
    dataset.units.set(units)
    for i in range(n_indicators):
        indicator, _ = Indicator.objects.get_or_create(
            code=f"bench-imp-{i:03d}", defaults={"name_vi": f"Chỉ tiêu đo {i}", "unit": "đv", "department": agency}
        )
        DataSetIndicator.objects.get_or_create(
            dataset=dataset,
            indicator=indicator,
            defaults={"min_value": Decimal(0), "max_value": Decimal(10**9), "sort_order": i},
        )
    return dataset, clerk, units, n_indicators


def _workbook(dataset, units, n_indicators) -> tuple[bytes, int]:
    from openpyxl import Workbook

    from tinhso.indicators.importing import COLUMNS

    rng = random.Random(SEED)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Số liệu")
    sheet.append(COLUMNS)
    rows = 0
    for month in range(1, MONTHS + 1):
        for i in range(n_indicators):
            for unit in units:
                # Some typed as Vietnamese text, most as Excel numbers; every tenth marked as a confirmed jump.
                value = round(rng.uniform(100, 1000), 1)
                cell = f"{value:.1f}".replace(".", ",") if rows % 5 == 0 else value
                sheet.append(
                    [f"bench-imp-{i:03d}", unit.code, f"2024-{month:02d}", cell, "x" if rows % 10 == 0 else "", ""]
                )
                rows += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), rows


def _reset(dataset):
    from tinhso.indicators.models import ImportJob, Submission

    Submission.objects.filter(dataset=dataset).delete()
    ImportJob.objects.filter(dataset=dataset).delete()


def run(h: Harness) -> None:
    from tinhso.indicators import importing
    from tinhso.indicators.models import ImportJob, SubmissionEntry

    dataset, clerk, units, n_indicators = _setup()
    t0 = time.perf_counter()
    content, rows = _workbook(dataset, units, n_indicators)
    print(f"  workbook: {rows} rows, {len(content) / 1e6:.1f} MB, written in {time.perf_counter() - t0:.1f} s")

    def import_once():
        _reset(dataset)
        job = ImportJob.objects.create(dataset=dataset, file_name="bench.xlsx", content=content, created_by=clerk)
        state = importing.run_import_job(job.pk)
        assert state == "done", ImportJob.objects.get(pk=job.pk).errors[:3]

    def check_only():
        _by_period, errors, count = importing.check_file(dataset=dataset, name="bench.xlsx", content=content)
        assert not errors and count == rows, errors[:3]

    h.measure_batch("check only (read + validate)", check_only, rows, repeat=2, note=f"{rows} rows")
    h.measure_batch("import (read + validate + apply)", import_once, rows, repeat=2, note=f"{rows} rows")
    assert SubmissionEntry.objects.filter(submission__dataset=dataset).count() == rows

    _reset(dataset)
    tracemalloc.start()
    started = time.perf_counter()
    import_once()
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  peak Python memory during one import (tracemalloc): {peak / 1e6:.0f} MB (run took {elapsed:.1f} s traced)"
    )
    print(f"  process peak RSS so far: {rss_mb:.0f} MB")
    h.results[-1].note += f"; peak traced memory {peak / 1e6:.0f} MB, process peak RSS {rss_mb:.0f} MB"
    _reset(dataset)
