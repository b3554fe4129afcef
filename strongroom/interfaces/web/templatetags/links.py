"""``{% link %}``: Django's ``{% url %}`` with the answer remembered.

A URL is a pure function of the URL configuration, the script prefix, the language, the
current application namespace, the view name and its arguments, and none of these change
while a process serves requests, so the storefront's layout (a dozen links on every
page: header, category menu, footer) need not walk the resolver for them on every request.
Reversing costs ~40 µs a link; the cart and checkout pages, which are per visitor and so
cannot come from the catalog cache, spent about a fifth of their time there. Every input
of ``reverse`` is part of the key, so a memoized answer is the answer ``{% url %}`` gives.

``{% link 'storefront:category' category.slug %}`` takes what ``{% url %}`` takes
(positional or keyword arguments, ``as name``); an unknown name raises NoReverseMatch,
like ``{% url %}``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=4096)
def _reverse(urlconf: Any, prefix: str, language: str | None, current_app: str | None,
             name: str, args: tuple, kwargs: tuple) -> str:
    # reverse() reads the script prefix, language and URL configuration of the thread;
    # they are the key's first three parts, so an answer is only reused in their presence.
    return reverse(name, urlconf=urlconf, args=args, kwargs=dict(kwargs),
                   current_app=current_app)


def link_reverse(name: str, *args: Any, current_app: str | None = None, **kwargs: Any) -> str:
    """``reverse(name, args=args, kwargs=kwargs)`` remembered. Arguments are keyed as
    the strings they become in the URL (what every path converter's ``to_url`` makes)."""
    args_key = tuple(str(a) for a in args)
    kwargs_key = tuple(sorted((k, str(v)) for k, v in kwargs.items()))
    return _reverse(get_urlconf(), get_script_prefix(), get_language(), current_app,
                    name, args_key, kwargs_key)


@register.simple_tag(takes_context=True)
def link(context: template.Context, name: str, *args: Any, **kwargs: Any) -> str:
    request = context.get("request")
    current_app = None
    if request is not None:  # what {% url %} passes as current_app
        current_app = getattr(request, "current_app", None)
        if current_app is None and getattr(request, "resolver_match", None) is not None:
            current_app = request.resolver_match.namespace
    return link_reverse(name, *args, current_app=current_app, **kwargs)
