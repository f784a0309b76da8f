"""The REST API convention every module follows.

- Errors: `{"errors": [{"code": ..., "field": ..., "message": ...}]}` whatever went wrong.
- Machine clients authenticate with `Authorization: Api-Key <key>`; keys are stored hashed.
- Each client has its own rate limit; anonymous callers share one per IP address.
- Lists are paginated with `?page=` and `?page_size=` (at most 200).
"""

import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from tinhso.core import audit
from tinhso.core.models import ApiClient

KEY_PREFIX_LENGTH = 8


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_api_key(client: ApiClient, *, actor=None) -> str:
    """Give `client` a new key, store only its hash, and return the key (shown once)."""
    prefix = secrets.token_hex(KEY_PREFIX_LENGTH // 2)
    key = f"{prefix}.{secrets.token_urlsafe(32)}"
    is_new = client.pk is None
    client.key_prefix = prefix
    client.key_hash = hash_key(key)
    with transaction.atomic():
        client.save(update_fields=None if is_new else ["key_prefix", "key_hash"])
        # The audit keeps the prefix only: the key itself must exist nowhere but in the caller's hands.
        audit.record(actor=actor, action="api_client.key_issued", obj=client, extra={"key_prefix": prefix})
    return key


@dataclass
class ClientPrincipal:
    """Stands in for request.user when a machine client calls the API."""

    client: ApiClient
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_superuser: bool = False
    is_staff: bool = False
    pk: None = None

    def __str__(self) -> str:
        return f"api:{self.client.name}"


class ApiKeyAuthentication(BaseAuthentication):
    keyword = b"api-key"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Khóa API không đúng định dạng."))
        key = parts[1].decode(errors="replace")
        prefix = key.split(".", 1)[0]
        client = ApiClient.objects.filter(key_prefix=prefix, is_active=True).first()
        if client is None or not secrets.compare_digest(client.key_hash, hash_key(key)):
            raise exceptions.AuthenticationFailed(_("Khóa API không hợp lệ hoặc đã bị thu hồi."))
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        return ClientPrincipal(client), client

    def authenticate_header(self, request):
        return "Api-Key"


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Describe `Authorization: Api-Key <key>` in the OpenAPI schema."""

    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Api-Key <khóa>",
        }


class ClientRateThrottle(SimpleRateThrottle):
    """One bucket per API client (at its own rate), per signed-in user, or per IP address."""

    scope = "client"

    def get_rate(self):
        return None  # decided per request in allow_request

    def allow_request(self, request, view):
        client = request.auth if isinstance(request.auth, ApiClient) else None
        if client is not None:
            self.rate = client.rate
        elif request.user and request.user.is_authenticated:
            self.rate = self.THROTTLE_RATES.get("client")
        else:
            self.rate = self.THROTTLE_RATES.get("anon")
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiClient):
            ident = f"client:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return f"throttle:{ident}"


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


_CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid",
    status.HTTP_401_UNAUTHORIZED: "not_authenticated",
    status.HTTP_403_FORBIDDEN: "permission_denied",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
}


def _flatten(detail, field=None):
    """Yield (code, field, message) from DRF's nested error detail."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "detail") else (f"{field}.{key}" if field else str(key))
            yield from _flatten(value, name)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            sub = f"{field}[{index}]" if field and isinstance(value, dict) else field
            yield from _flatten(value, sub)
    else:
        yield getattr(detail, "code", None) or "invalid", field, str(detail)


def error_response(code: str, message: str, *, field: str | None = None, status_code: int = 400) -> Response:
    return Response({"errors": [{"code": code, "field": field, "message": message}]}, status=status_code)


def exception_handler(exc, context):
    """Render every API error in the platform's structured format."""
    # Imported here: rest_framework.views imports this module while it initialises.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Không tìm thấy."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    default_code = _CODES.get(response.status_code, "error")
    errors = [
        {
            "code": code if code not in ("invalid", None) or default_code == "invalid" else default_code,
            "field": field,
            "message": message,
        }
        for code, field, message in _flatten(exc.detail)
    ]
    response.data = {"errors": errors}
    return response
