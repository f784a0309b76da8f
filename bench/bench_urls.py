"""The product's URLs plus one bare view, served only by the benchmark's server process (never by the product).

The bare page (a signed-in GET through the product's middleware, one line of HTML) is the baseline of the pages
read; the bare view is the baseline of a submission: parse a small JSON body and insert one row in one transaction,
with nothing else (no validation, routing, deadlines, timeline, audit or notification).
"""

import json

from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

BARE_TABLE = "bench_bare_row"


@csrf_exempt
def bare_insert(request):
    text = json.loads(request.body).get("text", "")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {BARE_TABLE} (text) VALUES (%s)", [text])  # noqa: S608 - constant name
    return JsonResponse({"ok": True}, status=201)


def bare_page(request):
    """The baseline of a page: the product's middleware (session, signed-in user) and a one-line answer."""
    return HttpResponse(f"<p>{getattr(request.user, 'pk', None)}</p>")


urlpatterns = [
    path("bench/bare/", bare_insert),
    path("bench/bare-page/", bare_page),
    path("", include("tinhso.urls")),
]
