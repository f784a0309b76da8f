"""Pages: public indicators, and for staff the data sets, their entry form, approval, import and export."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tinhso.core import permissions
from tinhso.indicators import actions, datasets, entry, periods
from tinhso.indicators.models import DataSet, ImportJob, Indicator, Submission, Value


def public_list(request):
    latest = Value.objects.filter(indicator=OuterRef("pk"), breakdown="").order_by("-period_start", "unit__level")
    indicators = Indicator.objects.public().annotate(
        latest_value=Subquery(latest.values("value")[:1]), latest_start=Subquery(latest.values("period_start")[:1])
    )
    return render(request, "indicators/public_list.html", {"indicators": indicators})


def public_detail(request, code):
    indicator = get_object_or_404(Indicator.objects.public(), code=code)
    values = indicator.values.filter(breakdown="").select_related("unit").order_by("-period_start", "unit__code")[:200]
    return render(request, "indicators/public_detail.html", {"indicator": indicator, "values": values})


def _staff(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.is_staff_member(request.user):
        raise PermissionDenied
    return None


def _dataset_for(request, code) -> tuple[DataSet, bool, bool]:
    dataset = get_object_or_404(DataSet.objects.select_related("agency"), code=code)
    may_enter, may_approve = actions.can_enter(request.user, dataset), actions.can_approve(request.user, dataset)
    if not (may_enter or may_approve):
        raise PermissionDenied
    return dataset, may_enter, may_approve


def dataset_list(request):
    if (refused := _staff(request)) is not None:
        return refused
    today = timezone.localdate()
    rows = []
    for dataset in DataSet.objects.filter(is_active=True).select_related("agency"):
        if not (actions.can_enter(request.user, dataset) or actions.can_approve(request.user, dataset)):
            continue
        recent = datasets.current_periods(dataset, today=today)
        found = {s.period_start: s for s in dataset.submissions.filter(period_start__in=[p.start for p in recent])}
        for period in recent:
            w = datasets.window(dataset, period)
            submission = found.get(period.start)
            state = submission.state if submission else ""
            late = w.due < today and state not in (Submission.State.SUBMITTED, Submission.State.APPROVED)
            rows.append({"dataset": dataset, "period": period, "window": w, "submission": submission, "late": late})
    return render(request, "indicators/dataset_list.html", {"rows": rows, "today": today})


def _period(dataset, code):
    try:
        period = periods.parse(code)
    except ValueError:
        raise Http404 from None
    if period.type != dataset.period_type:
        raise Http404
    return period


def entry_form(request, code, period):
    if (refused := _staff(request)) is not None:
        return refused
    dataset, may_enter, may_approve = _dataset_for(request, code)
    period = _period(dataset, period)
    submission = Submission.objects.filter(dataset=dataset, period_start=period.start, period_type=period.type).first()
    cells, error = None, ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("save", "submit"):
                with transaction.atomic():  # a refused first draft leaves no empty report behind
                    submission = submission or actions.open_submission(dataset=dataset, period=period)
                    actions.save_entries(
                        submission=submission, data=request.POST, actor=request.user, final=action == "submit"
                    )
            elif action == "approve" and submission:
                actions.approve_submission(submission=submission, actor=request.user)
            elif action == "return" and submission:
                actions.return_submission(
                    submission=submission, actor=request.user, reason=request.POST.get("reason", "")
                )
            elif action == "reopen" and submission:
                actions.reopen_submission(
                    submission=submission, actor=request.user, reason=request.POST.get("reason", "")
                )
            else:
                raise ValidationError(_("Thao tác không hợp lệ."))
            return redirect(request.path)
        except ValidationError as exc:
            cells = getattr(exc, "cells", None)
            error = " ".join(exc.messages)
            submission = Submission.objects.filter(pk=getattr(submission, "pk", None)).first()
    if cells is None:
        cells = entry.blank_cells(dataset, period, submission)
    rows = _rows(cells)
    context = {
        "dataset": dataset,
        "period": period,
        "window": datasets.window(dataset, period),
        "submission": submission,
        "rows": rows,
        "units": datasets.units_of(dataset),
        "may_enter": may_enter and (submission is None or submission.is_editable),
        "may_approve": may_approve,
        "error": error,
        "events": submission.events.select_related("actor") if submission else [],
        "jobs": dataset.imports.filter(created_by=request.user)[:3] if may_enter else [],
    }
    return render(request, "indicators/entry_form.html", context)


def _rows(cells):
    rows, by_member = [], {}
    for cell in cells:
        if cell.member.pk not in by_member:
            by_member[cell.member.pk] = {"member": cell.member, "cells": []}
            rows.append(by_member[cell.member.pk])
        by_member[cell.member.pk]["cells"].append(cell)
    return rows


def export(request, code, period, fmt):
    if (refused := _staff(request)) is not None:
        return refused
    from tinhso.indicators import importing

    dataset, _enter, _approve = _dataset_for(request, code)
    period = _period(dataset, period)
    submission = Submission.objects.filter(dataset=dataset, period_start=period.start, period_type=period.type).first()
    cells = entry.blank_cells(dataset, period, submission)
    content, content_type = importing.export_cells(cells, period=period, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{dataset.code}-{period.code}.{fmt}"'
    return response


@require_POST
def upload(request, code):
    if (refused := _staff(request)) is not None:
        return refused
    from tinhso.indicators import importing

    dataset, may_enter, _approve = _dataset_for(request, code)
    if not may_enter:
        raise PermissionDenied
    upload = request.FILES.get("file")
    try:
        job = importing.start_import(dataset=dataset, upload=upload, actor=request.user)
    except ValidationError as exc:
        return render(
            request, "indicators/import_status.html", {"dataset": dataset, "error": " ".join(exc.messages)}, status=400
        )
    return redirect("indicators:import_status", code=dataset.code, job_id=job.pk)


def import_status(request, code, job_id):
    if (refused := _staff(request)) is not None:
        return refused
    dataset, _enter, _approve = _dataset_for(request, code)
    job = get_object_or_404(ImportJob, pk=job_id, dataset=dataset, created_by=request.user)
    template = (
        "indicators/_import_progress.html" if request.headers.get("HX-Request") else "indicators/import_status.html"
    )
    return render(request, template, {"dataset": dataset, "job": job})
