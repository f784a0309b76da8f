"""The applicant's pages: start a draft, answer the form, upload documents, check and submit, follow their own
applications and open their own files (every opening audited)."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tinhso.core import audit
from tinhso.eservices import actions
from tinhso.eservices.catalogue import SchemaForm, display_value
from tinhso.eservices.forms import DocumentUploadForm, RatingForm, StartForm
from tinhso.eservices.models import Application, ApplicationDocument, AuthorityLevel, Procedure, Status
from tinhso.eservices.views_public import qr_svg
from tinhso.identity.levels import require_level

SERVICE = "eservices.apply"  # needs assurance level 1 (registered in apps.py; identity issue, Decree 69/2024)


def applicant_required(view):
    """Sign-in required; with settings.ESERVICES_REQUIRE_VERIFIED (the default), the service's assurance level too:
    a user below it is led to the page that explains how to raise it, and comes back afterwards."""
    verified = require_level(SERVICE)(view)

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if settings.ESERVICES_REQUIRE_VERIFIED:
            return verified(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapper


def _own(request, pk: int, *, draft: bool | None = None) -> Application:
    """Return the signed-in applicant's application; anyone else's looks missing."""
    application = get_object_or_404(
        Application.objects.select_related("procedure", "version", "agency", "receiving_agency"),
        pk=pk,
        applicant=request.user,
    )
    if draft is True and application.status != Status.DRAFT:
        raise Http404
    return application


@applicant_required
@require_http_methods(["GET", "POST"])
def start(request, code: str):
    procedure = get_object_or_404(Procedure.objects.published(), code=code)
    commune = procedure.authority_level == AuthorityLevel.COMMUNE or procedure.agency_id is None
    form = StartForm(request.POST or None) if commune else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            draft = actions.start_application(
                actor=request.user, procedure=procedure, agency=form.cleaned_data["agency"] if form else None
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("eservices:procedure", code=procedure.code)
        return redirect("eservices:application", pk=draft.pk)
    return render(request, "eservices/start.html", {"procedure": procedure, "form": form})


@applicant_required
def mine(request):
    applications = Application.objects.of_applicant(request.user).select_related("procedure", "agency")
    page = Paginator(applications, 20).get_page(request.GET.get("page"))
    return render(request, "eservices/mine.html", {"page": page})


@applicant_required
@require_http_methods(["GET", "POST"])
def application(request, pk: int):
    """A draft: the form of its version, saved as a draft or checked and continued; else the application's page."""
    item = _own(request, pk)
    if item.status != Status.DRAFT:
        return _detail(request, item)
    schema = item.version.form_schema
    if request.method == "POST":
        form = SchemaForm(request.POST, schema=schema)
        raw = {name: request.POST.get(name, "") for name in form.specs}
        if request.POST.get("action") == "save":
            actions.save_draft(actor=request.user, application=item, form_data=raw)
            messages.success(request, _("Đã lưu bản nháp. Bạn có thể quay lại hoàn thiện sau."))
            return redirect("eservices:mine")
        if form.is_valid():
            actions.save_draft(actor=request.user, application=item, form_data=form.json_data())
            return redirect("eservices:documents", pk=item.pk)
        actions.save_draft(actor=request.user, application=item, form_data=raw)
    else:
        form = SchemaForm(initial=item.form_data, schema=schema)
    context = {"application": item, "form": form, "sections": _sections(form), "step": 1}
    return render(request, "eservices/apply_form.html", context)


def _sections(form: SchemaForm) -> list[tuple[str, list]]:
    """Return the bound fields grouped by their schema section, in order (consecutive fields share a heading)."""
    groups: list[tuple[str, list]] = []
    for name, spec in form.specs.items():
        section = spec.get("section", "")
        if not groups or groups[-1][0] != section:
            groups.append((section, []))
        groups[-1][1].append(form[name])
    return groups


def _detail(request, item: Application):
    documents = item.documents.filter(replaced_at__isnull=True)
    events = item.events.filter(is_public=True).select_related("agency")
    can_rate = item.status in (Status.DONE, Status.RETURNED) and item.rated_at is None
    context = {
        "application": item,
        "answers": _answers(item),
        "documents": documents,
        "events": events,
        "rating_form": RatingForm() if can_rate else None,
    }
    return render(request, "eservices/application.html", context)


def _answers(item: Application) -> list[tuple[str, str]]:
    return [
        (spec.get("label", spec["name"]), display_value(spec, item.form_data.get(spec["name"])))
        for spec in item.version.fields
    ]


def _requirements(item: Application) -> list[dict]:
    current = {}
    for document in item.documents.filter(replaced_at__isnull=True):
        current.setdefault(document.requirement, []).append(document)
    return [{**spec, "files": current.get(spec["code"], [])} for spec in item.version.documents]


@applicant_required
@require_http_methods(["GET", "POST"])
def documents(request, pk: int):
    item = _own(request, pk, draft=True)
    form = DocumentUploadForm()
    failed = ""
    if request.method == "POST":
        form = DocumentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                actions.attach_document(
                    actor=request.user,
                    application=item,
                    requirement=form.cleaned_data["requirement"],
                    document=form.cleaned_data["file"],
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("Đã tải lên tệp."))
                return redirect("eservices:documents", pk=item.pk)
        failed = request.POST.get("requirement", "")
    context = {"application": item, "requirements": _requirements(item), "form": form, "failed": failed, "step": 2}
    return render(request, "eservices/apply_documents.html", context)


@applicant_required
@require_http_methods(["GET", "POST"])
def review(request, pk: int):
    """Check your answers, then submit; a retry of the same page's POST returns the same application."""
    item = _own(request, pk)
    if item.status != Status.DRAFT:
        return redirect("eservices:submitted", pk=item.pk)
    errors = []
    if request.method == "POST":
        key = request.POST.get("idempotency_key", "")[:64] or actions.new_idempotency_key()
        try:
            done = actions.submit_application(actor=request.user, application=item, idempotency_key=f"{item.pk}:{key}")
        except ValidationError as error:
            errors = (
                [message for messages_ in error.message_dict.values() for message in messages_]
                if hasattr(error, "error_dict")
                else error.messages
            )
        else:
            return redirect("eservices:submitted", pk=done.pk)
    answers_form = actions.validate_answers(item)
    field_errors = [
        f"{answers_form.fields[name].label}: {' '.join(errs)}" for name, errs in answers_form.errors.items()
    ]
    missing = actions.missing_documents(item)
    context = {
        "application": item,
        "answers": _answers(item),
        "requirements": _requirements(item),
        "errors": errors or field_errors,
        "missing": missing,
        "ready": not field_errors and not missing,
        "idempotency_key": actions.new_idempotency_key(),
        "step": 3,
    }
    return render(request, "eservices/apply_review.html", context, status=400 if errors else 200)


@applicant_required
@require_POST
def delete(request, pk: int):
    item = _own(request, pk, draft=True)
    actions.delete_draft(actor=request.user, application=item)
    messages.success(request, _("Đã xóa bản nháp."))
    return redirect("eservices:mine")


@applicant_required
def submitted(request, pk: int):
    item = _own(request, pk)
    if item.status == Status.DRAFT:
        return redirect("eservices:review", pk=item.pk)
    url = request.build_absolute_uri(reverse("eservices:lookup_code", args=[item.code]))
    return render(request, "eservices/submitted.html", {"application": item, "qr": qr_svg(url), "lookup_url": url})


@applicant_required
@require_POST
def rate(request, pk: int):
    item = _own(request, pk)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            actions.rate_application(
                actor=request.user,
                application=item,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Cảm ơn bạn đã đánh giá."))
    else:
        messages.error(request, _("Vui lòng chọn mức độ hài lòng."))
    return redirect("eservices:application", pk=item.pk)


@applicant_required
def document_file(request, pk: int):
    """Serve one of the applicant's own files, never cached, and audit the access."""
    document = get_object_or_404(ApplicationDocument.objects.select_related("application"), pk=pk)
    if document.application.applicant_id != request.user.pk:
        raise Http404  # someone else's file looks missing
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    audit.record_personal_data_access(
        actor=request.user, obj=document.application, fields=[f"document:{document.pk}"], purpose="applicant"
    )
    extension = document.file.name.rsplit(".", 1)[-1]
    response = FileResponse(
        handle,
        content_type=document.content_type,
        as_attachment=document.content_type == "application/pdf" and request.GET.get("tai") == "1",
        filename=f"{document.application.code or 'nhap'}-{document.pk}.{extension}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
