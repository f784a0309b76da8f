"""Per-request context (client IP, request id) for the audit log."""

import contextvars
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation


@dataclass(frozen=True)
class RequestContext:
    ip: str | None
    request_id: str


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("tinhso_request", default=None)


def current_request_context() -> RequestContext | None:
    """Return the context of the request being served, or None outside a request."""
    return _current.get()


def client_ip(request) -> str | None:
    # Behind the reverse proxy the client is the first address in X-Forwarded-For,
    # trusted only when the deployment says a proxy is in front.
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.META.get("HTTP_X_REQUEST_ID", "")[:64] or uuid.uuid4().hex
        token = _current.set(RequestContext(ip=client_ip(request), request_id=request_id))
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request_id
        return response


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Serve Vietnamese unless the visitor chose another language with the switch (the language cookie).

    The browser's Accept-Language is ignored on purpose: many people here run phones and browsers set to
    English and still expect their government's site in Vietnamese.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
        try:
            language = translation.get_supported_language_variant(chosen)
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
