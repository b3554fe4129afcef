from __future__ import annotations

from django import template

from strongroom.commerce.cart.selectors import cart_summary
from strongroom.commerce.catalog.selectors import category_nav
from strongroom.commerce.customers.addressing import COUNTRIES
from strongroom.interfaces.web.templatetags.links import link
from strongroom.interfaces.web.templatetags.moneyformat import money_format

from ..shopper import cart_current

register = template.Library()

LOW_STOCK = 5


# The one money format, shared with the console (web's moneyformat library).
register.filter("money", money_format)
# {% url %} remembered (web's links library): the layout's links on every page.
register.simple_tag(link, takes_context=True, name="link")


@register.filter
def country_name(code: str) -> str:
    return COUNTRIES.get(code, code)


@register.inclusion_tag("storefront/includes/stock.html")
def stock_badge(stock: int) -> dict:
    if stock <= 0:
        return {"kind": "bad", "text": "Out of stock"}
    if stock <= LOW_STOCK:
        return {"kind": "warn", "text": f"Only {stock} left"}
    return {"kind": "ok", "text": "In stock"}


@register.inclusion_tag("storefront/includes/header.html", takes_context=True)
def site_header(context: template.Context) -> dict:
    request = context.get("request")
    count = 0
    if request is not None:
        count = context.get("cart_count")
        if count is None:
            count = cart_summary(cart=cart_current(request)).count
    return {
        "request": request,
        "user": context.get("user"),
        "store_name": context.get("store_name"),
        "categories": category_nav(),
        "cart_count": count,
        "query": context.get("query", ""),
        "csrf_token": context.get("csrf_token"),
    }
