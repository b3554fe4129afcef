"""Interactive docs from our own origin: ninja's Swagger page loads its script from a CDN
(ninja is not an installed app here), which our CSP forbids and the spec rules out. This
serves a vendored, pinned Swagger UI with the page's CSP nonce."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase


class LocalSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api, **kwargs) -> HttpResponse:
        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout",
                    "deepLinking": True, "validatorUrl": None}
        return render(request, "api/docs.html",
                      {"title": api.title, "swagger_settings": settings})
