"""The REST API: one NinjaAPI, typed endpoints, OpenAPI 3 at /api/openapi.json."""

from __future__ import annotations

from ninja import NinjaAPI

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
