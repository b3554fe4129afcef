"""The one place an ApplicationError becomes something a shopper sees: a message, a
form error or an error page with the error's 4xx status."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from strongroom.errors import ApplicationError

_TITLES = {400: "Bad request", 404: "Not found", 409: "Please check again"}


def error_flash(request: HttpRequest, error: ApplicationError) -> None:
    messages.error(request, error.message)


def error_to_form(form: forms.Form, error: ApplicationError) -> None:
    """Attach the error to its field when the form has it, else to the whole form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def error_page(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    status = error.status if 400 <= error.status < 500 else 400
    title = _TITLES.get(status, "Bad request")
    return render(request, "storefront/error.html", {"title": title, "message": error.message},
                  status=status)
