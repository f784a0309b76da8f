"""The applicant's part in processing: supplying the documents asked for, paying the fee online.

Only the signed-in applicant reaches their own application (anyone else's looks missing); the gateway's answer is
accepted only when signed (processing.confirm_online_payment), whoever brings it back.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.eservices import payments, processing
from tinhso.eservices.forms import clean_document
from tinhso.eservices.models import Application, ApplicationEvent, Status
from tinhso.eservices.views_citizen import applicant_required


def _own(request, pk: int) -> Application:
    return get_object_or_404(
        Application.objects.select_related("procedure", "version", "agency", "receiving_agency"),
        pk=pk,
        applicant=request.user,
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def supply(request, pk: int):
    application = _own(request, pk)
    request_event = (
        application.events.filter(kind=ApplicationEvent.Kind.SUPPLEMENT_REQUESTED).order_by("-at", "-id").first()
    )
    if application.status != Status.SUPPLEMENT or request_event is None:
        messages.info(request, _("Hồ sơ không cần bổ sung."))
        return redirect("eservices:application", pk=application.pk)
    errors: list[str] = []
    if request.method == "POST":
        documents = []
        for doc in application.version.documents:
            upload = request.FILES.get(f"file-{doc['code']}")
            if upload:
                try:
                    documents.append((doc["code"], clean_document(upload)))
                except ValidationError as exc:
                    errors.extend(exc.messages)
        if not errors:
            try:
                processing.supply(
                    actor=request.user,
                    application=application,
                    documents=documents,
                    note=request.POST.get("note", "")[:2000],
                )
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                messages.success(request, _("Đã gửi giấy tờ bổ sung; hồ sơ tiếp tục được xử lý."))
                return redirect("eservices:application", pk=application.pk)
    context = {"application": application, "request_event": request_event, "errors": errors}
    return render(request, "eservices/applicant/supply.html", context, status=400 if errors else 200)


@applicant_required
@require_POST
def pay(request, pk: int):
    application = _own(request, pk)
    try:
        _payment, checkout = processing.start_online_payment(
            actor=request.user,
            application=application,
            return_url=request.build_absolute_uri(reverse("eservices:payment_return")),
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return redirect("eservices:application", pk=application.pk)
    return redirect(checkout.redirect_url)


@require_GET
def payment_return(request):
    """Where the gateway sends the payer back; the signed answer is checked before anything is recorded."""
    try:
        payment = processing.confirm_online_payment(params=request.GET.dict(), actor=request.user)
    except payments.PaymentError:
        return render(request, "eservices/applicant/payment_result.html", {"payment": None}, status=400)
    mine = request.user.is_authenticated and payment.application.applicant_id == request.user.pk
    return render(request, "eservices/applicant/payment_result.html", {"payment": payment, "mine": mine})
