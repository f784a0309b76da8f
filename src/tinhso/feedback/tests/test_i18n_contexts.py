"""Short Vietnamese labels that are both a verb on a button and a noun elsewhere carry a translation context."""

from django.utils import translation

from tinhso.feedback.models import Event, Extension, Report
from tinhso.feedback.views_staff import CASE_ACTIONS


def test_a_button_says_what_to_do_and_a_status_or_step_says_what_happened():
    with translation.override("en"):
        assert str(CASE_ACTIONS["tiep-nhan"].title) == "Accept"
        assert str(Event.Kind.ACCEPTED.label) == "Accepted"
        assert str(CASE_ACTIONS["tu-choi"].title) == "Reject"
        assert str(Report.Status.REJECTED.label) == "Rejected"
        assert str(Event.Kind.REJECTED.label) == "Rejected"
        assert str(CASE_ACTIONS["tra-loi"].title) == "Answer"
        assert str(Event.Kind.ANSWERED.label) == "Answered"
        assert str(Event.Kind.CLOSED.label) == "Closed"
        assert str(Event.Kind.EXTENDED.label) == "Deadline extended"
        assert str(Extension.Status.REFUSED.label) == "Refused"
        assert str(CASE_ACTIONS["phan-cong"].title) == "Assign to an agency"
        assert str(Event.Kind.ASSIGNED.label) == "Assigned to an agency"


def test_vietnamese_keeps_the_same_short_words():
    with translation.override("vi"):
        assert str(CASE_ACTIONS["tiep-nhan"].title) == str(Event.Kind.ACCEPTED.label) == "Tiếp nhận"
        assert str(CASE_ACTIONS["tu-choi"].title) == str(Report.Status.REJECTED.label) == "Từ chối"
