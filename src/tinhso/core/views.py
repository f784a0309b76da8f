from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from tinhso.core.health import run_checks
from tinhso.core.models import AdminUnit
from tinhso.core.registry import MODULES


def home(request):
    return render(request, "core/home.html", {"modules": MODULES.values()})


@require_GET
def province_map(request):
    """Show the province's current communes on the offline map, with the same list as text."""
    units = AdminUnit.objects.current().communes().order_by("name").only("code", "name", "kind")
    return render(request, "core/map.html", {"units": units})


@never_cache
@require_GET
def healthz(request):
    checks = run_checks()
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


@requires_csrf_token
def error_403(request, exception=None):
    return render(request, "403.html", status=403)


@requires_csrf_token
def error_404(request, exception=None):
    return render(request, "404.html", status=404)


@requires_csrf_token
def error_500(request):
    # No request context: the context processors read the session and the user, and the
    # database may be what just failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
