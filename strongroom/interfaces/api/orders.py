"""A customer's own orders. Lookups are scoped to the token's user, so another
customer's reference answers exactly like one that does not exist (404)."""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from strongroom.commerce.orders import selectors
from strongroom.commerce.orders.errors import OrderNotFound

from . import presenters
from .errors import Error
from .schemas import OrderOut, OrderPage
from .security import bearer

router = Router(tags=["orders"], auth=bearer)
PAGE_SIZE = 20
REFERENCE = re.compile(r"[A-Za-z0-9-]{1,20}")


class OrderPaging(Schema):
    page: int = Field(1, ge=1, le=10_000)


@router.get("", response={200: OrderPage, 401: Error, 404: Error, 422: Error},
            summary="The customer's orders, newest first")
def orders(request: HttpRequest, paging: Query[OrderPaging]):
    page = Paginator(selectors.order_list_for_user(user=request.auth.user),
                     PAGE_SIZE).get_page(paging.page)
    if page.number != paging.page:
        raise OrderNotFound(f"There are only {page.paginator.num_pages} pages.",
                            code="page_not_found")
    return {**presenters.page_meta(page),
            "items": [presenters.order_summary(o) for o in page.object_list]}


@router.get("/{reference}", response={200: OrderOut, 401: Error, 404: Error},
            summary="One of the customer's orders")
def order(request: HttpRequest, reference: str):
    if not REFERENCE.fullmatch(reference):  # also keeps NUL bytes away from the database
        raise OrderNotFound("No such order.")
    return presenters.order_detail(
        selectors.order_get_for_user(user=request.auth.user, reference=reference)
    )
