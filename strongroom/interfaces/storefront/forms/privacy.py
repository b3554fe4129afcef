from __future__ import annotations

from django import forms

from strongroom.protection.privacy.services import CONSENT_WORDING


class MarketingConsentForm(forms.Form):
    # The label is the exact wording the consent proof records (privacy.services).
    marketing = forms.BooleanField(
        label=CONSENT_WORDING["marketing_email"], required=False,
        help_text="You can change this at any time. Only staff working on marketing see "
                  "the accounts of customers who said yes.")


class AccountDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand: my account and my personal data will be erased, and this "
              "cannot be undone.", required=True,
        error_messages={"required": "Tick the box to confirm."})
