from __future__ import annotations

from django import forms


class MarketingConsentForm(forms.Form):
    marketing = forms.BooleanField(
        label="Send me offers and news by email", required=False,
        help_text="You can change this at any time. Only staff working on marketing see "
                  "the accounts of customers who said yes.")
