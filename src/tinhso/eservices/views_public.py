"""Public pages: the procedure catalogue (with or without diacritics, by field and agency) and the lookup by code,
which shows the timeline and the due date without any personal data."""

import segno
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from tinhso.core.models import Agency
from tinhso.eservices.forms import LookupForm, SearchForm
from tinhso.eservices.models import Application, Level, Procedure, Sector, Status

PAGE_SIZE = 20


@require_GET
def catalogue(request):
    form = SearchForm(request.GET)
    procedures = Procedure.objects.published().select_related("sector", "agency")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            procedures = procedures.search(data["q"])
        if data["sector"]:
            procedures = procedures.filter(sector__code=data["sector"])
        if data["agency"]:
            procedures = procedures.filter(agency_id=data["agency"])
        if data["level"] in Level.values:
            procedures = procedures.filter(level=data["level"])
    page = Paginator(procedures, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "sectors": Sector.objects.filter(procedures__is_public=True).distinct(),
        "agencies": Agency.objects.filter(procedures__is_public=True).distinct().order_by("sort_order", "name"),
        "levels": Level.choices,
        "lookup_form": LookupForm(),
    }
    template = "eservices/_procedure_list.html" if request.headers.get("HX-Request") else "eservices/catalogue.html"
    return render(request, template, context)


@require_GET
def procedure(request, code: str):
    item = get_object_or_404(Procedure.objects.published().select_related("sector", "agency"), code=code)
    return render(request, "eservices/procedure.html", {"procedure": item, "version": item.current_version()})


@require_GET
def lookup(request):
    form = LookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("eservices:lookup_code", code=form.cleaned_data["code"])
    return render(request, "eservices/lookup.html", {"form": form})


def _public_application(code: str) -> Application:
    return get_object_or_404(
        Application.objects.exclude(status=Status.DRAFT).select_related("procedure", "agency", "receiving_agency"),
        code=code.strip().upper(),
    )


@require_GET
def lookup_code(request, code: str):
    application = _public_application(code)
    events = application.events.filter(is_public=True).select_related("agency")
    return render(request, "eservices/lookup_result.html", {"application": application, "events": events})


def qr_svg(url: str) -> str:
    """Return an inline SVG QR code of `url` (segno, no external service)."""
    return segno.make(url, error="m").svg_inline(scale=4, border=2)


@require_GET
def lookup_qr(request, code: str):
    application = _public_application(code)
    url = request.build_absolute_uri(reverse("eservices:lookup_code", args=[application.code]))
    response = HttpResponse(qr_svg(url), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
