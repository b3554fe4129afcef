from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.http import Http404, HttpRequest

from strongroom.errors import NotFound
from strongroom.protection.vault.selectors import keys_preload

T = TypeVar("T")


def get_or_404(selector: Callable[..., T], **kwargs) -> T:
    """Run a ``*_get`` selector; its NotFound becomes the ordinary 404 page."""
    try:
        return selector(**kwargs)
    except NotFound:
        raise Http404("Not found.") from None


def preload_keys(request: HttpRequest, rows: Iterable[object]) -> None:
    """Fetch the data keys of every row on the page (and of the signed-in staff member,
    whose name the header shows) in one query, before the template decrypts fields."""
    keys_preload(subject_ids={request.user.subject_id,
                              *(getattr(row, "subject_id", None) for row in rows)})
