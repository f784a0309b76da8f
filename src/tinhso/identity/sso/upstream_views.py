"""Sign in with VNeID: send the browser to VNeID, then link the account and raise its level on the way back."""

from __future__ import annotations

import logging
import secrets

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tinhso.core import audit
from tinhso.identity import levels
from tinhso.identity.actions import link_vneid
from tinhso.identity.sso.upstream import UpstreamError, get_provider, pkce_challenge

log = logging.getLogger(__name__)
SESSION_KEY = "sso_vneid"


def _safe_next(request, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return reverse("identity:profile")


@never_cache
@require_GET
def login_view(request):
    provider = get_provider()
    if provider is None:
        raise Http404
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    request.session[SESSION_KEY] = {
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "next": _safe_next(request, request.GET.get("next", "")),
    }
    try:
        url = provider.authorization_url(
            request,
            redirect_uri=request.build_absolute_uri(reverse("sso:vneid_callback")),
            state=state,
            nonce=nonce,
            code_challenge=pkce_challenge(verifier),
        )
    except UpstreamError:
        log.exception("VNeID discovery failed")
        messages.error(request, _("Không kết nối được VNeID. Vui lòng thử lại sau."))
        return HttpResponseRedirect(request.session[SESSION_KEY]["next"])
    return HttpResponseRedirect(url)


@never_cache
@require_GET
def callback(request):
    provider = get_provider()
    flow = request.session.pop(SESSION_KEY, None)
    if provider is None or not flow or not secrets.compare_digest(request.GET.get("state", ""), flow["state"]):
        return render(request, "sso/vneid_result.html", {"problem": "state"}, status=400)
    if request.GET.get("error") or not request.GET.get("code"):
        messages.warning(request, _("Bạn đã hủy đăng nhập bằng VNeID."))
        return HttpResponseRedirect(flow["next"])
    try:
        identity = provider.complete(
            request,
            code=request.GET["code"],
            redirect_uri=request.build_absolute_uri(reverse("sso:vneid_callback")),
            code_verifier=flow["verifier"],
            nonce=flow["nonce"],
        )
    except UpstreamError as error:
        log.warning("VNeID sign-in refused: %s", error)
        audit.record(action="auth.vneid_failed", object_type="core.user", extra={"reason": str(error)[:200]})
        return render(request, "sso/vneid_result.html", {"problem": "upstream"}, status=502)
    user = request.user if request.user.is_authenticated else _linked_user(identity.subject)
    if user is None:
        # Never create or pick an account from VNeID alone: the citizen proves their phone first, then links.
        return render(request, "sso/vneid_result.html", {"problem": "unlinked", "next": flow["next"]})
    try:
        link_vneid(
            user=user,
            subject=identity.subject,
            id_number=identity.id_number,
            full_name=identity.full_name,
            birth_date=identity.birth_date,
            level=identity.level,
        )
    except ValidationError as error:
        return render(request, "sso/vneid_result.html", {"problem": "link", "errors": error.messages}, status=409)
    if not request.user.is_authenticated:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        audit.record(actor=user, action="auth.login", obj=user, object_repr=str(user), extra={"amr": ["fed"]})
    levels.record_authentication(request, "fed", level=identity.level)
    text = _("Đã xác thực bằng VNeID: tài khoản ở mức định danh %(level)s.") % {"level": identity.level}
    messages.success(request, text)
    return HttpResponseRedirect(flow["next"])


def _linked_user(subject: str):
    return get_user_model().objects.filter(identity__vneid_subject=subject, is_active=True).first()
