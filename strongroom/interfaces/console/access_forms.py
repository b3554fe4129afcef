"""Forms of the access pages: reveal, audit search, staff management, invitations."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms

from strongroom.protection.access.history import event_words
from strongroom.protection.access.roles import FieldGroup, Role
from strongroom.protection.access.services import REVEAL_REASONS, TICKET
from strongroom.protection.audit.events import AuditEvent

ROLE_CHOICES = [(r.value, r.label) for r in Role]


class RevealForm(forms.Form):
    groups = forms.MultipleChoiceField(label="Reveal", widget=forms.CheckboxSelectMultiple)
    reason = forms.ChoiceField(label="Why", choices=[("", "Choose a reason"),
                                                     *REVEAL_REASONS.items()])
    ticket = forms.CharField(label="Ticket number (optional)", max_length=40, required=False,
                             help_text="Your support ticket, so the reveal can be traced.")

    def __init__(self, *args, groups: Iterable[FieldGroup], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = [(g.value, g.label) for g in groups]

    def clean_ticket(self) -> str:
        ticket = self.cleaned_data["ticket"].strip()
        if ticket and not TICKET.match(ticket):
            raise forms.ValidationError("Use letters, digits, dots, dashes and #.")
        return ticket

    def chosen(self) -> list[FieldGroup]:
        chosen = set(self.cleaned_data["groups"])
        return [g for g in FieldGroup if g.value in chosen]  # canonical order


class AuditSearchForm(forms.Form):
    actor = forms.ChoiceField(label="Staff member", required=False)
    customer = forms.CharField(label="Customer (exact email or subject id)", max_length=254,
                               required=False)
    event = forms.ChoiceField(label="Event type", required=False, choices=[
        ("", "Any event"), *((str(e.value), event_words(e)) for e in AuditEvent)])
    since = forms.DateTimeField(label="From (UTC)", required=False, widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}))
    until = forms.DateTimeField(label="Until (UTC)", required=False,
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, staff: Iterable[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [("", "Anyone"), *staff]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise forms.ValidationError("The start of the range must be before its end.")
        return data


class StaffInviteForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254)
    full_name = forms.CharField(label="Full name", max_length=150)
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES)


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES)


class InviteAcceptForm(forms.Form):
    password = forms.CharField(label="New password", max_length=4096, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(
        label="New password again", max_length=4096, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            raise forms.ValidationError("The two passwords differ.")
        return data
