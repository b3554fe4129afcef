"""The reveal action shared by the customer and order pages: validate the form, check
the role table and the recent MFA check, record the reveal (rate-limited), and render
the page again with the chosen fields in the clear (never stored, never cached)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from strongroom.protection.access import services as access_services
from strongroom.protection.access.errors import (
    AccessError,
    RevealRateLimited,
    RevealsFrozen,
    TrainingRequired,
)
from strongroom.protection.access.roles import FieldGroup
from strongroom.protection.access.selectors import can_reveal

from ..access_forms import RevealForm
from ..permissions import STEP_UP_ASK, STEP_UP_MISSING, step_up_needed, step_up_url

Render = Callable[..., HttpResponse]


def reveal_form(groups: Iterable[FieldGroup]) -> RevealForm | None:
    groups = list(groups)
    return RevealForm(groups=groups) if groups else None


def reveal(request: HttpRequest, *, revealable: list[FieldGroup], subject_id: Any, obj: Model,
           page_url: str, render: Render) -> HttpResponse:
    """``render(revealed=..., form=..., status=...)`` draws the page (and records the
    view); ``revealable`` is what this page could reveal to this viewer."""
    if not revealable:
        raise PermissionDenied("Your role cannot reveal anything here.")
    form = RevealForm(request.POST, groups=revealable)
    if not form.is_valid():
        return render(form=form, status=400)
    groups = form.chosen()
    if not can_reveal(viewer=request.user, groups=groups):
        raise PermissionDenied("Your role cannot reveal these fields.")
    if step_up_needed(request):
        url = step_up_url(request, next_url=page_url)
        if url is None:
            messages.error(request, STEP_UP_MISSING)
            return render(form=form, status=403)
        messages.info(request, STEP_UP_ASK)
        return redirect(url)
    try:
        reason = access_services.reason_text(code=form.cleaned_data["reason"],
                                             ticket=form.cleaned_data["ticket"])
        access_services.field_reveal(viewer=request.user, subject_id=subject_id, obj=obj,
                                     groups=groups, reason=reason, request=request)
    except TrainingRequired as exc:
        messages.error(request, exc.message)
        return render(form=form, status=403)
    except RevealRateLimited as exc:
        messages.error(request, exc.message)
        return render(form=form, status=429)
    except RevealsFrozen as exc:
        messages.error(request, exc.message)
        return render(form=form, status=403)
    except AccessError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return render(form=form, status=400)
    return render(revealed=groups)
