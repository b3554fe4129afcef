"""The real URLconf plus two probe views for the security-header tests."""

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.urls import include, path

from strongroom.urls import handler400, handler403, handler404, handler500  # noqa: F401

_PAGE = engines["django"].from_string(
    '{% extends "web/base.html" %}{% block scripts %}'
    '<script nonce="{{ csp_nonce }}" src="/static/probe.js"></script>{% endblock %}'
)


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_PAGE.render({}, request))


def session(request: HttpRequest) -> HttpResponse:
    request.session["probe"] = True
    get_token(request)
    return HttpResponse("ok")


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("SECRET-INTERNAL-DETAIL in /srv/strongroom/app.py")


urlpatterns = [
    path("_probe/boom/", boom),
    path("_probe/page/", page),
    path("_probe/session/", session),
    path("", include("strongroom.urls")),
]
