"""The risk register's form: bounded values, checks chosen from the self-audit's ids."""

from __future__ import annotations

import datetime as dt

from django import forms

from strongroom.protection.posture.selectors import check_choices

SCALE = [(i, str(i)) for i in range(1, 6)]


class RiskForm(forms.Form):
    code = forms.RegexField(regex=r"^[A-Za-z][A-Za-z0-9-]{0,19}$", max_length=20,
                            help_text="A short reference, e.g. R-12.")
    title = forms.CharField(max_length=200)
    threat = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    asset = forms.CharField(max_length=200)
    likelihood = forms.TypedChoiceField(choices=SCALE, coerce=int, help_text="1 rare - 5 "
                                        "almost certain, before controls")
    impact = forms.TypedChoiceField(choices=SCALE, coerce=int,
                                    help_text="1 negligible - 5 severe")
    owner = forms.CharField(max_length=100)
    treatment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    review_due = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    checks = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                       help_text="Self-audit checks that control this risk.")

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checks"].choices = check_choices()
        if editing:
            del self.fields["code"]

    def clean_review_due(self) -> dt.date:
        value = self.cleaned_data["review_due"]
        if value.year > 2200:
            raise forms.ValidationError("Choose a date in the next few years.")
        return value


class RiskReviewForm(forms.Form):
    next_review = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
