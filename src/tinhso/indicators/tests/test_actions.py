import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.core.models import AdminUnit, AuditEntry, Role, UnitSuccession
from tinhso.core.testing import make_agency, make_member, make_unit
from tinhso.indicators import actions, periods
from tinhso.indicators.models import Aggregation, Indicator, Status, Value

Y2024 = periods.year(2024)


@pytest.fixture
def exports(agency):
    """An indicator the `agency` persona's department (Sở Xây dựng here) is responsible for."""
    return Indicator.objects.create(code="export_value", name_vi="Giá trị xuất khẩu", unit="tỷ USD", department=agency)


def _record(indicator, unit, number, *, actor=None, period=Y2024, **extra):
    return actions.record_value(
        indicator=indicator,
        period=period,
        unit=unit,
        value=Decimal(number),
        status=extra.pop("status", Status.ESTIMATE),
        source=extra.pop("source", "Báo cáo thử nghiệm"),
        actor=actor,
        **extra,
    )


def test_a_changed_value_keeps_its_earlier_versions_and_is_audited(exports, province, clerk):
    _record(exports, province, "27.6", actor=clerk)
    row = _record(exports, province, "27.9", actor=clerk, status=Status.PRELIMINARY, reason="Số sơ bộ của Cục Thống kê")

    assert (row.value, row.version, row.status) == (Decimal("27.9"), 2, Status.PRELIMINARY)
    history = list(row.revisions.values_list("version", "value", "status", "reason"))
    assert history == [
        (1, Decimal("27.6"), Status.ESTIMATE, ""),
        (2, Decimal("27.9"), Status.PRELIMINARY, "Số sơ bộ của Cục Thống kê"),
    ]
    entry = AuditEntry.objects.filter(action="indicators.value_revised").get()
    assert entry.actor == clerk and entry.changes["value"] == ["27.6000", "27.9000"]


def test_recording_the_same_figure_again_writes_no_revision(exports, province, clerk):
    _record(exports, province, "27.6", actor=clerk)
    row = _record(exports, province, "27.60", actor=clerk)
    assert row.version == 1 and row.revisions.count() == 1


def test_revisions_cannot_be_edited(exports, province):
    revision = _record(exports, province, "27.6").revisions.get()
    revision.value = Decimal(1)
    with pytest.raises(ValueError):
        revision.save()


def test_floats_are_refused(exports, province):
    with pytest.raises(TypeError):
        actions.record_value(
            indicator=exports, period=Y2024, unit=province, value=27.6, status="estimate", source="x", actor=None
        )


@pytest.mark.parametrize("persona", ["clerk", "leader", "admin_user"])
def test_the_department_and_administrators_may_record(request, persona, exports, province):
    assert _record(exports, province, "1", actor=request.getfixturevalue(persona)).pk


@pytest.mark.parametrize("persona", ["clerk_elsewhere", "citizen", "operator"])
def test_others_may_not_record(request, persona, exports, province):
    with pytest.raises(PermissionDenied):
        _record(exports, province, "1", actor=request.getfixturevalue(persona))
    assert not Value.objects.exists()


def test_a_province_leader_reads_but_does_not_enter_a_department_s_figures(exports, province):
    chairman = make_member(Role.PROVINCE_LEADER, make_agency("UBND-TINH", "UBND tỉnh"), "Chủ Tịch Tỉnh")
    with pytest.raises(PermissionDenied):
        _record(exports, province, "1", actor=chairman)


def test_a_formula_indicator_cannot_be_typed_and_follows_its_inputs(agency, province, clerk):
    top = Indicator.objects.create(code="ntm_communes", name_vi="Số xã NTM", unit="xã", department=agency)
    bottom = Indicator.objects.create(code="communes_total", name_vi="Tổng số xã", unit="xã", department=agency)
    share = Indicator.objects.create(
        code="ntm_share", name_vi="Tỷ lệ", unit="%", numerator=top, denominator=bottom, factor=100, department=agency
    )
    as_of = periods.day(dt.date(2024, 11, 30))
    with pytest.raises(ValidationError):
        _record(share, province, "93.7", actor=clerk, period=as_of)

    _record(top, province, "118", actor=clerk, period=as_of)
    assert actions.value_for(indicator=share, unit=province, period=as_of) is None  # no denominator yet
    _record(bottom, province, "126", actor=clerk, period=as_of)
    _record(top, province, "120", actor=clerk, period=as_of)

    stored = Value.objects.get(indicator=share)
    assert stored.is_derived and stored.version == 2
    assert stored.value == (Decimal(120) / Decimal(126) * 100).quantize(Decimal("0.0001"))


@pytest.fixture
def merged(province):
    """Today's Xã Mới, formed from Xã Cũ Một whole and most of Xã Cũ Hai (divided with Xã Bên Cạnh)."""
    new = make_unit("05600", "Xã Mới", lon=105.8, lat=21.5)
    beside = make_unit("05601", "Xã Bên Cạnh", lon=105.9, lat=21.5)
    old = dict(level=AdminUnit.Level.COMMUNE, kind="xa", valid_to=dt.date(2025, 6, 30))
    one = AdminUnit.objects.create(code="05500", name="Xã Cũ Một", short_name="Cũ Một", **old)
    two = AdminUnit.objects.create(code="05503", name="Xã Cũ Hai", short_name="Cũ Hai", **old)
    UnitSuccession.objects.create(predecessor=one, successor=new)
    UnitSuccession.objects.create(predecessor=two, successor=new, divided=True, is_default=True)
    UnitSuccession.objects.create(predecessor=two, successor=beside, divided=True, is_default=False)
    return new, beside, one, two


def test_former_communes_roll_up_into_today_s_commune(merged, agency):
    new, beside, one, two = merged
    firms = Indicator.objects.create(
        code="enterprises", name_vi="Số doanh nghiệp", unit="doanh nghiệp", department=agency
    )
    _record(firms, one, "40")
    _record(firms, two, "25", status=Status.OFFICIAL)

    figure = actions.value_for(indicator=firms, unit=new, period=Y2024)
    assert figure.value == 65 and figure.rolled_up
    assert figure.status == Status.ESTIMATE  # as weak as its weakest part
    assert figure.approximate  # Xã Cũ Hai was divided: counted whole in its default successor
    assert actions.value_for(indicator=firms, unit=beside, period=Y2024) is None


def test_rates_and_ranks_do_not_roll_up(merged, agency):
    new, _beside, one, _two = merged
    rate = Indicator.objects.create(
        code="poverty_rate", name_vi="Tỷ lệ hộ nghèo", unit="%", unit_aggregation=Aggregation.NONE, department=agency
    )
    _record(rate, one, "3.5")
    assert actions.value_for(indicator=rate, unit=new, period=Y2024) is None


def test_a_comparison_needs_both_periods(exports, province):
    _record(exports, province, "27.6")
    assert actions.compare(indicator=exports, unit=province, period=Y2024, base_period=periods.year(2020)) is None


def test_a_year_adds_up_its_twelve_months_but_not_nine(exports, province):
    for m in range(1, 10):
        _record(exports, province, "2", period=periods.month(2024, m))
    assert actions.value_for(indicator=exports, unit=province, period=Y2024) is None
    for m in range(10, 13):
        _record(exports, province, "3", period=periods.month(2024, m), status=Status.PRELIMINARY)
    figure = actions.value_for(indicator=exports, unit=province, period=Y2024)
    assert (figure.value, figure.status, len(figure.parts)) == (27, Status.ESTIMATE, 12)


def test_a_stock_for_a_year_is_its_latest_count(agency, province):
    firms = Indicator.objects.create(
        code="enterprises", name_vi="Số DN", unit="doanh nghiệp", time_aggregation=Aggregation.LAST, department=agency
    )
    _record(firms, province, "9800", period=periods.day(dt.date(2024, 6, 30)))
    _record(firms, province, "10050", period=periods.day(dt.date(2024, 11, 30)))
    assert actions.value_for(indicator=firms, unit=province, period=Y2024).value == 10050
