"""The demo figures: Thái Nguyên's 2024 results as a news article reports them, and the governance indices.

Each figure carries the sentence it comes from. The article's stated comparisons with 2020 ("gấp 1,4 lần",
"tăng 12,7%") are not stored as text: the 2020 value is derived from them and marked derived, so the
dashboard recomputes the comparison from two stored values. The share of new-rural-area communes (93,7 %)
is not stored either: the formula computes it from 118 and 126.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from tinhso.core import audit
from tinhso.core.models import AdminUnit, Agency
from tinhso.indicators import actions, periods
from tinhso.indicators.models import Aggregation, Indicator, PriceBasis, Qualifier, Status, Target

PROVINCE_CODE = "19"

#: The article's copy in the project's reference folder has no title, outlet or date; it is described as such.
ARTICLE = (
    "Bài báo tổng kết kinh tế – xã hội năm 2024 của tỉnh Thái Nguyên, dẫn số liệu của UBND tỉnh "
    "(báo điện tử, cuối năm 2024; bản lưu không ghi tên báo, tiêu đề, ngày đăng)"
)
PAPI_SOURCE = "CECODES, VFF-CRT, UNDP: Chỉ số PAPI 2023 (papi.org.vn)"
SIPAS_SOURCE = "Bộ Nội vụ: Chỉ số hài lòng về sự phục vụ hành chính (SIPAS) %(year)s"
PAR_SOURCE = "Bộ Nội vụ: Chỉ số cải cách hành chính (PAR INDEX) 2024"
PCI_SOURCE = "VCCI: Chỉ số năng lực cạnh tranh cấp tỉnh (PCI) %(year)s (pcivietnam.vn)"

# The sentences of the article each figure comes from, verbatim.
Q_GRDP = (
    "quy mô tổng sản phẩm trên địa bàn tỉnh Thái Nguyên (GRDP) ước tính năm 2024 đạt 162,5 nghìn tỷ đồng, "
    "gấp 1,4 lần so với năm 2020"
)
Q_EXPORT = "Giá trị xuất khẩu năm 2024 ước đạt 27,6 tỷ USD, tăng 12,7% so với năm 2020"
Q_INDUSTRY = (
    "Giá trị sản xuất công nghiệp năm 2024 (theo giá so sánh năm 2010) ước đạt 1.030 nghìn tỷ đồng, "
    "tăng 31,5% so với năm 2020"
)
Q_BUDGET = "Thu ngân sách nhà nước năm 2024 ước đạt trên 20.000 tỷ đồng, tăng 29% so với năm 2020"
Q_ENTERPRISES = "Năm 2024, hơn 10.000 doanh nghiệp đang hoạt động trên địa bàn tỉnh Thái Nguyên"
Q_NTM = "Đến tháng 11/2024, … toàn tỉnh Thái Nguyên có 118/126 xã đạt chuẩn NTM (bằng 93,7% tổng số xã)"
Q_NTM_TARGET = "giai đoạn 2020 - 2023, Thái Nguyên đề ra mục tiêu có 95% số xã đạt chuẩn NTM"
Q_RANKS = (
    "các chỉ số về cải cách hành chính tỉnh Thái Nguyên năm 2023 đều được xếp hạng cao: … (PAPI) đứng thứ 2 "
    "cả nước; … (SIPAS) đứng thứ 2 cả nước; … (PAR INDEX) đứng thứ 6 cả nước"
)
Q_TEA = "hướng tới mục tiêu ngành chè Thái Nguyên sớm đạt doanh thu 1 tỷ USD"


@dataclass(frozen=True)
class Spec:
    code: str
    name_vi: str
    name_en: str
    unit: str
    decimals: int
    department: str
    time_aggregation: str = Aggregation.SUM
    unit_aggregation: str = Aggregation.SUM
    price_basis: str = PriceBasis.NOT_APPLICABLE
    higher_is_better: bool = True
    definition: str = ""
    legal_source: str = ""
    formula: tuple[str, str, str] | None = None


_STATS_LAW = "Quyết định 05/2023/QĐ-TTg (hệ thống chỉ tiêu thống kê cấp tỉnh); Nghị định 94/2022/NĐ-CP"
_LAST, _NONE = Aggregation.LAST, Aggregation.NONE

INDICATORS = [
    Spec(
        "grdp",
        "Tổng sản phẩm trên địa bàn (GRDP)",
        "Gross regional domestic product (GRDP)",
        "nghìn tỷ đồng",
        1,
        "STC",
        price_basis=PriceBasis.CURRENT,
        legal_source=_STATS_LAW,
        definition="Quy mô GRDP theo giá hiện hành: giá trị mới tạo ra của các ngành kinh tế trên địa bàn trong kỳ.",
    ),
    Spec(
        "export_value", "Giá trị xuất khẩu hàng hóa", "Merchandise exports", "tỷ USD", 1, "SCT", legal_source=_STATS_LAW
    ),
    Spec(
        "industrial_output_2010",
        "Giá trị sản xuất công nghiệp (giá so sánh 2010)",
        "Industrial output value (2010 constant prices)",
        "nghìn tỷ đồng",
        1,
        "SCT",
        price_basis=PriceBasis.COMPARATIVE_2010,
        legal_source=_STATS_LAW,
    ),
    Spec(
        "budget_revenue",
        "Thu ngân sách nhà nước trên địa bàn",
        "State budget revenue",
        "tỷ đồng",
        0,
        "STC",
        price_basis=PriceBasis.CURRENT,
        legal_source="Luật Ngân sách nhà nước 2015",
    ),
    Spec(
        "enterprises_active",
        "Số doanh nghiệp đang hoạt động",
        "Operating enterprises",
        "doanh nghiệp",
        0,
        "STC",
        time_aggregation=_LAST,
        legal_source=_STATS_LAW,
    ),
    Spec(
        "ntm_communes",
        "Số xã đạt chuẩn nông thôn mới",
        "Communes meeting the new-rural-area standard",
        "xã",
        0,
        "SNNMT",
        time_aggregation=_LAST,
        legal_source="Quyết định 318/QĐ-TTg ngày 08/3/2022",
    ),
    Spec(
        "communes_total",
        "Tổng số xã (phạm vi xét nông thôn mới)",
        "Communes (new-rural-area programme)",
        "xã",
        0,
        "SNNMT",
        time_aggregation=_LAST,
        legal_source="Quyết định 318/QĐ-TTg ngày 08/3/2022",
    ),
    Spec(
        "ntm_share",
        "Tỷ lệ xã đạt chuẩn nông thôn mới",
        "Share of communes meeting the new-rural-area standard",
        "%",
        1,
        "SNNMT",
        time_aggregation=_LAST,
        unit_aggregation=_NONE,
        formula=("ntm_communes", "communes_total", "100"),
        legal_source="Quyết định 318/QĐ-TTg ngày 08/3/2022",
        definition="Số xã đạt chuẩn nông thôn mới / tổng số xã × 100.",
    ),
    Spec(
        "papi",
        "Chỉ số PAPI",
        "PAPI (Provincial Governance and Public Administration Performance Index)",
        "điểm",
        4,
        "SNV",
        time_aggregation=_LAST,
        unit_aggregation=_NONE,
        definition="Khảo sát người dân của CECODES, VFF-CRT và UNDP; 8 lĩnh vực nội dung.",
    ),
    Spec(
        "papi_rank",
        "Xếp hạng PAPI",
        "PAPI rank",
        "hạng",
        0,
        "SNV",
        time_aggregation=_LAST,
        unit_aggregation=_NONE,
        higher_is_better=False,
    ),
    Spec(
        "sipas",
        "Chỉ số hài lòng SIPAS",
        "SIPAS (satisfaction with public administrative services)",
        "%",
        2,
        "SNV",
        time_aggregation=_LAST,
        unit_aggregation=_NONE,
        definition="Chỉ số hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước.",
    ),
    Spec(
        "sipas_rank",
        "Xếp hạng SIPAS",
        "SIPAS rank",
        "hạng",
        0,
        "SNV",
        time_aggregation=_LAST,
        unit_aggregation=_NONE,
        higher_is_better=False,
    ),
    Spec(
        "par_index",
        "Chỉ số cải cách hành chính (PAR INDEX)",
        "Public Administration Reform Index (PAR INDEX)",
        "%",
        2,
        "SNV",
        time_aggregation=_LAST,
        unit_aggregation=_NONE,
    ),
    Spec(
        "par_index_rank",
        "Xếp hạng PAR INDEX",
        "PAR INDEX rank",
        "hạng",
        0,
        "SNV",
        time_aggregation=_LAST,
        unit_aggregation=_NONE,
        higher_is_better=False,
    ),
    Spec(
        "pci",
        "Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)",
        "Provincial Competitiveness Index (PCI)",
        "điểm",
        2,
        "STC",
        time_aggregation=_LAST,
        unit_aggregation=_NONE,
        definition="Khảo sát doanh nghiệp của VCCI; thang 100 điểm, 10 chỉ số thành phần.",
    ),
    Spec(
        "pci_rank",
        "Xếp hạng PCI",
        "PCI rank",
        "hạng",
        0,
        "STC",
        time_aggregation=_LAST,
        unit_aggregation=_NONE,
        higher_is_better=False,
    ),
    Spec(
        "tea_revenue",
        "Doanh thu ngành chè",
        "Tea industry revenue",
        "tỷ USD",
        1,
        "SNNMT",
        price_basis=PriceBasis.CURRENT,
    ),
]


@dataclass(frozen=True)
class Figure:
    indicator: str
    period: str
    value: str
    source: str
    quote: str = ""
    status: str = Status.ESTIMATE
    qualifier: str = ""
    rank_of: int | None = None
    #: For a 2020 value derived from a stated ratio: the 2024 value is divided by this.
    divide_by: str = ""


_Y2024, _Y2020, _Y2023 = "2024", "2020", "2023"
_MORE = Qualifier.MORE_THAN
_OFFICIAL = Status.OFFICIAL

FIGURES = [
    Figure("grdp", _Y2024, "162.5", ARTICLE, Q_GRDP),
    Figure("grdp", _Y2020, "162.5", ARTICLE, Q_GRDP, divide_by="1.4"),
    Figure("export_value", _Y2024, "27.6", ARTICLE, Q_EXPORT),
    Figure("export_value", _Y2020, "27.6", ARTICLE, Q_EXPORT, divide_by="1.127"),
    Figure("industrial_output_2010", _Y2024, "1030", ARTICLE, Q_INDUSTRY),
    Figure("industrial_output_2010", _Y2020, "1030", ARTICLE, Q_INDUSTRY, divide_by="1.315"),
    Figure("budget_revenue", _Y2024, "20000", ARTICLE, Q_BUDGET, qualifier=_MORE),
    Figure("budget_revenue", _Y2020, "20000", ARTICLE, Q_BUDGET, qualifier=_MORE, divide_by="1.29"),
    Figure("enterprises_active", _Y2024, "10000", ARTICLE, Q_ENTERPRISES, qualifier=_MORE),
    # "Đến tháng 11/2024": an as-of count, dated the last day of that month.
    Figure("ntm_communes", "2024-11-30", "118", ARTICLE, Q_NTM),
    Figure("communes_total", "2024-11-30", "126", ARTICLE, Q_NTM),
    Figure("papi_rank", _Y2023, "2", ARTICLE, Q_RANKS, rank_of=63),
    Figure("sipas_rank", _Y2023, "2", ARTICLE, Q_RANKS, rank_of=63),
    Figure("par_index_rank", _Y2023, "6", ARTICLE, Q_RANKS, rank_of=63),
    # The published index values, from the project's domain brief (docs/indicators.md lists them).
    Figure("papi", _Y2023, "45.7875", PAPI_SOURCE, status=_OFFICIAL),
    Figure("sipas", _Y2023, "90.29", SIPAS_SOURCE % {"year": 2023}, status=_OFFICIAL),
    Figure("sipas", _Y2024, "90.23", SIPAS_SOURCE % {"year": 2024}, status=_OFFICIAL),
    Figure("sipas_rank", _Y2024, "2", SIPAS_SOURCE % {"year": 2024}, status=_OFFICIAL, rank_of=63),
    Figure("par_index", _Y2024, "91.47", PAR_SOURCE, status=_OFFICIAL),
    Figure("par_index_rank", _Y2024, "5", PAR_SOURCE, status=_OFFICIAL, rank_of=63),
    Figure("pci", _Y2023, "67.48", PCI_SOURCE % {"year": 2023}, status=_OFFICIAL),
    Figure("pci_rank", _Y2023, "23", PCI_SOURCE % {"year": 2023}, status=_OFFICIAL, rank_of=63),
    Figure("pci", _Y2024, "68.13", PCI_SOURCE % {"year": 2024}, status=_OFFICIAL),
    Figure("pci_rank", _Y2024, "26", PCI_SOURCE % {"year": 2024}, status=_OFFICIAL, rank_of=63),
]


@dataclass(frozen=True)
class TargetSpec:
    indicator: str
    period: str  # "" for a target with no set date
    value: str
    series: str
    basis: str
    quote: str


TARGETS = [
    TargetSpec("ntm_share", "2020-2023", "95", Target.Series.OTHER, ARTICLE, Q_NTM_TARGET),
    TargetSpec("tea_revenue", "", "1", Target.Series.OTHER, ARTICLE, Q_TEA),
]


class DemoError(Exception):
    pass


def load_indicators_demo() -> dict[str, int]:
    """Create or update the demo indicators, values and targets; return how many of each changed."""
    province = AdminUnit.objects.current().provinces().filter(code=PROVINCE_CODE).first()
    if province is None:
        raise DemoError("Chưa có tỉnh Thái Nguyên (mã 19): chạy `tinhso load_units --demo` trước.")
    departments = {a.code: a for a in Agency.objects.filter(code__in={s.department for s in INDICATORS})}
    missing = {s.department for s in INDICATORS} - departments.keys()
    if missing:
        raise DemoError(f"Thiếu cơ quan {', '.join(sorted(missing))}: chạy `tinhso load_agencies` trước.")
    changed = {"indicators": 0, "values": 0, "targets": 0}
    with transaction.atomic():
        indicators = {}
        for spec in INDICATORS:
            indicators[spec.code], created_or_changed = _upsert_indicator(spec, departments[spec.department])
            changed["indicators"] += created_or_changed
        for spec in INDICATORS:
            if spec.formula and _set_formula(indicators[spec.code], spec.formula, indicators):
                changed["indicators"] += 1
        for fig in FIGURES:
            changed["values"] += _load_figure(fig, indicators[fig.indicator], province)
        for target in TARGETS:
            changed["targets"] += _upsert_target(target, indicators[target.indicator], province)
        if any(changed.values()):
            audit.record(actor=None, action="indicators.demo_loaded", obj=province, extra=changed)
    return changed


def _upsert_indicator(spec: Spec, department: Agency) -> tuple[Indicator, bool]:
    wanted = {
        "name_vi": spec.name_vi,
        "name_en": spec.name_en,
        "unit": spec.unit,
        "decimals": spec.decimals,
        "time_aggregation": spec.time_aggregation,
        "unit_aggregation": spec.unit_aggregation,
        "price_basis": spec.price_basis,
        "higher_is_better": spec.higher_is_better,
        "department": department,
        "definition": spec.definition,
        "legal_source": spec.legal_source,
        "sort_order": INDICATORS.index(spec),
    }
    indicator = Indicator.objects.filter(code=spec.code).first()
    if indicator is None:
        return Indicator.objects.create(code=spec.code, **wanted), True
    if all(getattr(indicator, k) == v for k, v in wanted.items()):
        return indicator, False
    # The demo owns these fields; `is_public` stays as an administrator set it.
    for key, value in wanted.items():
        setattr(indicator, key, value)
    indicator.save()
    return indicator, True


def _set_formula(indicator: Indicator, formula: tuple[str, str, str], indicators: dict) -> bool:
    top, bottom, factor = indicators[formula[0]], indicators[formula[1]], Decimal(formula[2])
    if (indicator.numerator_id, indicator.denominator_id, indicator.factor) == (top.pk, bottom.pk, factor):
        return False
    indicator.numerator, indicator.denominator, indicator.factor = top, bottom, factor
    indicator.save(update_fields=["numerator", "denominator", "factor"])
    return True


def _load_figure(fig: Figure, indicator: Indicator, province: AdminUnit) -> int:
    period = periods.parse(fig.period)
    value, derivation = Decimal(fig.value), ""
    if fig.divide_by:
        # The article states the 2024 value and its ratio to 2020; 2020 = 2024 / ratio.
        value = Decimal(fig.value) / Decimal(fig.divide_by)
        derivation = f"{fig.value} / {fig.divide_by} (số năm 2024 chia cho tỷ lệ so với năm 2020 nêu trong nguồn)"
    before = indicator.values.filter(unit=province, period_type=period.type, period_start=period.start).first()
    row = actions.record_value(
        indicator=indicator,
        period=period,
        unit=province,
        value=value,
        status=fig.status,
        source=fig.source,
        qualifier=fig.qualifier,
        rank_of=fig.rank_of,
        is_derived=bool(fig.divide_by),
        derivation=derivation,
        actor=None,
    )
    return int(before is None or before.version != row.version)


def _upsert_target(spec: TargetSpec, indicator: Indicator, province: AdminUnit) -> int:
    period = periods.parse(spec.period) if spec.period else None
    key = {
        "indicator": indicator,
        "unit": province,
        "breakdown": "",
        "series": spec.series,
        "period_type": period.type if period else "",
        "period_start": period.start if period else None,
    }
    wanted = {
        "period_end": period.end if period else None,
        "value": Decimal(spec.value),
        "kind": Target.Kind.LEVEL,
        "basis": spec.basis,
        "note": f"“{spec.quote}”",
    }
    target = Target.objects.filter(**key).first()
    if target is None:
        Target.objects.create(**key, **wanted)
        return 1
    if all(getattr(target, k) == v for k, v in wanted.items()):
        return 0
    for k, v in wanted.items():
        setattr(target, k, v)
    target.save()
    return 1
