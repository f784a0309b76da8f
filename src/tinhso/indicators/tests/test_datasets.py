import datetime as dt

from tinhso.indicators import datasets, periods
from tinhso.indicators.models import Submission


def test_window_counts_from_the_period_end(dataset):
    w = datasets.window(dataset, periods.month(2025, 3))
    assert (w.opens, w.due, w.closes) == (dt.date(2025, 3, 26), dt.date(2025, 4, 10), dt.date(2025, 4, 30))


def test_previous_period_of_each_type():
    assert datasets.previous(periods.month(2025, 1)) == periods.month(2024, 12)
    assert datasets.previous(periods.quarter(2025, 1)) == periods.quarter(2024, 4)
    assert datasets.previous(periods.year(2025)) == periods.year(2024)


def test_overdue_lists_the_last_periods_past_deadline(dataset):
    late = datasets.overdue_submissions(today=dt.date(2025, 4, 11))
    assert [(o.dataset.code, o.period.code, o.days_late, o.state) for o in late] == [
        ("sxd-thang", "2025-03", 1, ""),
        ("sxd-thang", "2025-02", 32, ""),
    ]
    assert datasets.overdue_submissions(today=dt.date(2025, 4, 10))[0].period.code == "2025-02"


def test_a_submitted_or_approved_report_is_not_overdue(dataset):
    for state, start in [(Submission.State.SUBMITTED, 3), (Submission.State.APPROVED, 2)]:
        s = Submission(dataset=dataset, state=state, due_on=dt.date(2025, 4, 10))
        s.period = periods.month(2025, start)
        s.save()
    assert datasets.overdue_submissions(today=dt.date(2025, 4, 11)) == []


def test_a_draft_past_deadline_is_overdue(dataset):
    s = Submission(dataset=dataset, state=Submission.State.DRAFT, due_on=dt.date(2025, 4, 10))
    s.period = periods.month(2025, 3)
    s.save()
    late = datasets.overdue_submissions(today=dt.date(2025, 4, 11))
    assert late[0].state == "draft" and late[0].submission == s


def test_inactive_data_sets_are_never_overdue(dataset):
    dataset.is_active = False
    dataset.save()
    assert datasets.overdue_submissions(today=dt.date(2025, 4, 11)) == []
