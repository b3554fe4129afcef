from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.http import Http404

from strongroom.errors import NotFound

T = TypeVar("T")


def get_or_404(selector: Callable[..., T], **kwargs) -> T:
    """Run a ``*_get`` selector; its NotFound becomes the ordinary 404 page."""
    try:
        return selector(**kwargs)
    except NotFound:
        raise Http404("Not found.") from None
