"""Demo data sets: Sở Công Thương's monthly industry report, Sở Tài chính's quarterly budget revenue, and the
communes' yearly new-rural-area (NTM) self-assessment, with some periods submitted and approved.

The figures are illustrative, not published statistics: their indicators are not public, so no public page or
open-data API shows them; staff see them only to try the entry, approval and import flows.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tinhso.core.models import Agency
from tinhso.indicators import actions, datasets
from tinhso.indicators.models import Aggregation, DataSet, DataSetIndicator, Indicator, Submission

ILLUSTRATIVE = "Số liệu minh họa của bản trình diễn, không phải số liệu thống kê chính thức"

#: code, name, unit, decimals, department, time aggregation, min, max, illustrative values oldest first
INDICATORS = [
    (
        "iip_month",
        "Chỉ số sản xuất công nghiệp so với cùng kỳ",
        "%",
        1,
        "SCT",
        Aggregation.NONE,
        0,
        300,
        ["108.2", "109.5", "107.9", "110.4"],
    ),
    (
        "retail_sales_month",
        "Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ",
        "tỷ đồng",
        0,
        "SCT",
        Aggregation.SUM,
        0,
        None,
        ["6210", "6385", "6402", "6690"],
    ),
    (
        "budget_revenue_quarter",
        "Thu ngân sách nhà nước trên địa bàn (theo quý)",
        "tỷ đồng",
        0,
        "STC",
        Aggregation.SUM,
        0,
        None,
        ["4820", "5310", "5105", "6020"],
    ),
    (
        "ntm_criteria_met",
        "Số tiêu chí nông thôn mới xã đạt",
        "tiêu chí",
        0,
        "",
        Aggregation.LAST,
        0,
        19,
        ["17", "18", "19", "19"],
    ),
]

DATASETS = [
    (
        "sct-cong-nghiep-thang",
        "Báo cáo sản xuất công nghiệp và thương mại hằng tháng",
        "SCT",
        "month",
        -5,
        12,
        30,
        ["iip_month", "retail_sales_month"],
    ),
    (
        "stc-thu-ngan-sach-quy",
        "Báo cáo thu ngân sách nhà nước hằng quý",
        "STC",
        "quarter",
        -10,
        15,
        45,
        ["budget_revenue_quarter"],
    ),
]


@transaction.atomic
def load_datasets_demo(*, today: dt.date | None = None) -> int:
    """Create the demo data sets and reports (safe to run again); return how many data sets were created."""
    today = today or timezone.localdate()
    agencies = {a.code: a for a in Agency.objects.filter(code__in=["SCT", "STC"])}
    commune = (
        Agency.objects.filter(kind=Agency.Kind.COMMUNE_COMMITTEE, unit__isnull=False, is_active=True)
        .select_related("unit")
        .order_by("code")
        .first()
    )
    specs = {}
    for code, name, unit, decimals, department, aggregation, low, high, values in INDICATORS:
        indicator, _created = Indicator.objects.get_or_create(
            code=code,
            defaults={
                "name_vi": name,
                "unit": unit,
                "decimals": decimals,
                "department": agencies.get(department) or (commune if not department else None),
                "time_aggregation": aggregation,
                "unit_aggregation": Aggregation.SUM if aggregation == Aggregation.SUM else Aggregation.NONE,
                "is_public": False,
                "definition": ILLUSTRATIVE,
                "sort_order": 900,
            },
        )
        specs[code] = (indicator, low, high, values)
    plans = list(DATASETS)
    if commune is not None:
        plans.append(
            (
                "ntm-xa-nam",
                "Tự đánh giá tiêu chí nông thôn mới của xã",
                commune.code,
                "year",
                -30,
                20,
                60,
                ["ntm_criteria_met"],
            )
        )
        agencies[commune.code] = commune
    created = 0
    for code, name, agency_code, period_type, opens, due, closes, members in plans:
        if agency_code not in agencies or DataSet.objects.filter(code=code).exists():
            continue
        dataset = DataSet.objects.create(
            code=code,
            name=name,
            agency=agencies[agency_code],
            period_type=period_type,
            opens_days=opens,
            deadline_days=due,
            closes_days=closes,
            source=ILLUSTRATIVE,
        )
        province = _province()
        if period_type != "year" and province is not None:
            dataset.units.add(province)
        for order, member in enumerate(members):
            indicator, low, high, _values = specs[member]
            DataSetIndicator.objects.create(
                dataset=dataset,
                indicator=indicator,
                sort_order=order,
                min_value=Decimal(low),
                max_value=None if high is None else Decimal(high),
            )
        _fill(dataset, specs, today)
        created += 1
    return created


def _province():
    from tinhso.core.models import AdminUnit

    return AdminUnit.objects.filter(code="19").first()


def _fill(dataset, specs, today) -> None:
    """Approve the three periods before the latest open one, and submit the latest: the leader has one to approve."""
    recent = list(reversed(datasets.current_periods(dataset, today=today, count=4)))
    units = datasets.units_of(dataset)
    for index, period in enumerate(recent):
        submission = actions.open_submission(dataset=dataset, period=period)
        if submission.state != Submission.State.DRAFT or submission.entries.exists():
            continue
        data = {}
        for member in dataset.members.select_related("indicator"):
            values = specs[member.indicator.code][3]
            for unit in units:
                data[f"v-{member.indicator.code}-{unit.code}"] = values[index].replace(".", ",")
                data[f"ok-{member.indicator.code}-{unit.code}"] = "1"
        actions.save_entries(submission=submission, data=data, actor=None, final=True)
        if index < len(recent) - 1:
            actions.approve_submission(submission=submission, actor=None)
