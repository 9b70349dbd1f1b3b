"""The tenant URLs plus ``/bench/ping/``: a trivial view through the same middleware stack."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as tenant_urlpatterns


def ping(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/ping/", ping), *tenant_urlpatterns]
