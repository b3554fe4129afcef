"""The phishing campaign form: it only parses input (the service decides what is
allowed: a time in the past, nobody active chosen). The send time is entered and shown
in the store's time zone (Django's current zone, ``TIME_ZONE``) and stored in UTC."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone


def zone_name() -> str:
    return timezone.get_current_timezone_name()


class CampaignForm(forms.Form):
    template = forms.ChoiceField()
    staff = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple)
    send_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))

    def __init__(self, *args: Any, templates: list, recipients: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t.key, t.label) for t in templates]
        self.fields["staff"].choices = [(str(u.pk), u.full_name or "(no name)")
                                        for u in recipients]
        self.fields["send_at"].label = f"Send at ({zone_name()})"
        self.fields["send_at"].help_text = ("Empty: now. Sent by the task queue within five "
                                            "minutes of this time; cancel it until then.")

    def service_args(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"template": data["template"], "user_ids": data["staff"],
                "send_at": data["send_at"]}
