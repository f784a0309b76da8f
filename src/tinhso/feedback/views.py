from django.shortcuts import get_object_or_404, render

from tinhso.feedback.models import Report


def track(request, code: str):
    """The public tracking page of one case: status, deadline, public timeline and answer; no personal data."""
    report = get_object_or_404(Report.objects.select_related("category", "agency", "unit"), code=code.upper())
    events = report.events.filter(is_public=True)
    return render(request, "feedback/track.html", {"report": report, "events": events})
