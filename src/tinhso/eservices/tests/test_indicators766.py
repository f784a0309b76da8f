"""Decision 766 formulas as pure functions."""

import pytest

from tinhso.eservices import indicators766 as i766
from tinhso.eservices.indicators766 import Counts


def test_score_with_and_without_a_target():
    assert i766.score(0.5, 20) == 10
    assert i766.score(0.8, 4, 0.8) == 4
    assert i766.score(0.95, 4, 0.8) == 4
    assert i766.score(0.4, 4, 0.8) == pytest.approx(2)
    assert i766.score(None, 4) is None


def test_ratio_without_a_denominator_is_not_measured():
    assert i766.ratio(3, 0) is None
    assert i766.ratio(3, 4) == 0.75


def test_evaluate_one_slice():
    counts = Counts(
        received=10,
        finished=8,
        finished_on_time=6,
        open=2,
        open_on_time=2,
        full_eligible=10,
        full_online=5,
        fee_bearing=4,
        paid_online=1,
        e_results=8,
        digitised=8,
        reused=2,
        rated=4,
        dissatisfied=1,
    )
    values = {v.indicator.key: v for v in i766.evaluate(counts)}
    assert values["on_time"].ratio == 0.8 and values["on_time"].score == 16
    assert values["full_online"].score == 6
    assert values["paid_online"].ratio == 0.25
    assert values["e_results"].score == 6
    assert values["digitised"].score == 4  # 80 % meets the target
    assert values["reused"].score == pytest.approx(0.2 * 2 / 0.8)
    # 5.4: 100 % − (20 % overdue + 25 % dissatisfied) = 55 %, target 90 %.
    assert values["satisfaction"].ratio == pytest.approx(0.55)
    earned, available = i766.total(list(values.values()))
    assert available == 56
    assert 0 < earned < available


def test_counts_add_up_across_slices():
    a = Counts(received=1, finished=1, finished_on_time=1)
    b = Counts(received=2, open=1)
    assert (a + b).received == 3
    assert i766.percent(a + b, "on_time") == 50.0


def test_nothing_measured_scores_nothing():
    values = i766.evaluate(Counts())
    assert all(v.score is None for v in values)
    assert i766.total(values) == (0, 0)


@pytest.mark.django_db
def test_counts_from_the_recorded_data_and_the_rollup_agree(submitted, clerk, leader, citizen, agency, procedure):
    import datetime as dt

    from django.utils import timezone
    from freezegun import freeze_time

    from tinhso.eservices import actions, processing
    from tinhso.eservices.tests.test_processing import MONDAY_8, result_pdf, walk_through

    application = walk_through(submitted, clerk, leader)
    processing.upload_result(actor=clerk, application=application, document=result_pdf())
    processing.record_counter_payment(actor=clerk, application=application)
    with freeze_time(MONDAY_8 + dt.timedelta(hours=5)):
        processing.return_result(actor=clerk, application=application, method="counter")
    actions.rate_application(actor=citizen, application=application, rating=2)
    month = timezone.localtime(application.received_at).date()
    exact = i766.count(i766.received_between(month.replace(day=1), month.replace(day=28) + dt.timedelta(days=4)))
    assert (exact.received, exact.finished, exact.finished_on_time) == (1, 1, 1)
    assert (exact.full_eligible, exact.full_online, exact.fee_bearing, exact.paid_online) == (1, 1, 1, 0)
    assert (exact.e_results, exact.digitised, exact.rated, exact.dissatisfied) == (1, 1, 1, 1)
    assert i766.refresh_month(month) == 1
    rolled = i766.rollup_counts(start=month.replace(month=1, day=1), end=month.replace(month=12, day=31))
    assert rolled[None] == exact
    by_agency = i766.rollup_counts(start=month, end=month, group="agency")
    assert list(by_agency) == [agency.pk]
    assert i766.rollup_counts(start=month, end=month, group="agency", agency_ids=set()) == {}
    compute = i766.figure("on_time")
    assert compute(start=month, end=month) == 100.0
    assert i766.figure_received(start=month, end=month, agency=agency) == 1


def test_the_figures_are_registered_for_the_operations_dashboard():
    from tinhso.core.registry import FIGURES

    for key in ("received", "on_time", "full_online", "paid_online", "digitised", "satisfaction"):
        assert f"eservices.{key}" in FIGURES
