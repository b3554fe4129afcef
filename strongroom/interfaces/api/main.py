"""The REST API: one NinjaAPI, typed endpoints, OpenAPI 3 at /api/openapi.json."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI, Schema

from . import auth, cart, catalog, checkout, orders, privacy
from .docs import LocalSwagger
from .errors import errors_install
from .transport import JsonOnlyParser

API_VERSION = "1.0.0"

api = NinjaAPI(
    title=f"Strongroom API v{API_VERSION}",
    version=API_VERSION,
    description=(
        "Catalog, cart, checkout and a customer's own orders.\n\n"
        "Authenticate with `Authorization: Bearer <token>` from `POST /api/auth/token`; "
        "guests use the `X-Cart-Token` header from `POST /api/cart`. Cookies are never "
        "read. Request bodies are `application/json`. Every error has the shape "
        '`{"error": {"code", "message", "field", "details"}}`.'
    ),
    openapi_url="/openapi.json",
    docs=LocalSwagger(),
    docs_url="/docs",
    parser=JsonOnlyParser(),
    urls_namespace="api",
)
errors_install(api)
api.add_router("/catalog", catalog.router)
api.add_router("/auth", auth.router)
api.add_router("/cart", cart.router)
api.add_router("/checkout", checkout.router)
api.add_router("/orders", orders.router)
api.add_router("/privacy", privacy.router)


class IndexOut(Schema):
    name: str
    version: str
    openapi: str
    docs: str
    endpoints: dict[str, str]


@api.get("/", response={200: IndexOut}, summary="What this API offers and where it is "
         "described", tags=["index"])
def index(request: HttpRequest):
    """The README and the start-up banner point here: links to the OpenAPI document, the
    interactive docs and the entry point of each part (relative to this origin)."""
    return {"name": api.title, "version": API_VERSION, "openapi": "/api/openapi.json",
            "docs": "/api/docs",
            "endpoints": {"catalog": "/api/catalog/products", "auth": "/api/auth/token",
                          "cart": "/api/cart", "checkout": "/api/checkout",
                          "orders": "/api/orders"}}
