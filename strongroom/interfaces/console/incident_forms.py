"""Forms of the incident pages: they only parse input (the services decide)."""

from __future__ import annotations

import datetime as dt

from django import forms

from strongroom.protection.incidents.models import Kind, Severity


class IncidentForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="Name accounts by number, not by person.")
    kind = forms.ChoiceField(choices=Kind.choices, label="Type")
    severity = forms.ChoiceField(choices=Severity.choices)
    became_aware_at = forms.DateTimeField(required=False, label="Became aware (UTC)",
                                          help_text="Empty: now. Starts the 72-hour clock.")
    exercise = forms.BooleanField(required=False, label="Tabletop exercise",
                                  help_text="Containment is recorded, not executed; nobody "
                                            "is mailed; the times taken are reported.")


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ScopeForm(forms.Form):
    kind = forms.ChoiceField(choices=[("actor", "Staff or customer email"),
                                      ("ip", "IP address"), ("token", "API token id")])
    value = forms.CharField(max_length=254)
    since = forms.DateTimeField(label="From (UTC)")
    until = forms.DateTimeField(label="Until (UTC)")

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until:
            data["since"], data["until"] = (v.astimezone(dt.UTC) for v in (since, until))
            if data["until"] <= data["since"]:
                raise forms.ValidationError("The end of the window must be after its start.")
        return data


class ReviewForm(forms.Form):
    cause = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    lessons = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                              required=False)
    follow_ups = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                                 required=False, label="Follow-up actions")
    risks = forms.CharField(max_length=500, required=False, label="Risks it changes",
                            help_text="Codes from the risk register, e.g. T3, R-12.")


class NoticeForm(forms.Form):
    subject = forms.CharField(max_length=200, label="Subject line")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}), max_length=20000)
