"""Forms for sign-in, sign-up, passwords and second factors: they bound and shape input;
the rules themselves live in strongroom.protection.accounts."""

from __future__ import annotations

from typing import Any

from django import forms

from strongroom.protection.accounts.passwords import MAX_LENGTH, guidance
from strongroom.protection.privacy.services import CONSENT_WORDING

from .base import PlainLabelsMixin


def new_password_field(label: str = "Password", user: Any = None) -> forms.CharField:
    """A new-password input wired to the live strength meter (password-strength.js)."""
    hints = guidance(user)
    return forms.CharField(
        label=label, strip=False, max_length=MAX_LENGTH,
        help_text=f"At least {hints['min']} characters. Long and unusual beats short and "
                  "complicated: a few unrelated words work well.",
        widget=forms.PasswordInput(attrs={
            "autocomplete": "new-password", "data-strength": "password-strength",
            "data-min": hints["min"], "data-words": hints["words"],
            "data-score": hints["score"], "aria-describedby": "password-strength"}))


class LoginForm(PlainLabelsMixin, forms.Form):
    username = forms.EmailField(
        label="Email", max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(
        label="Password", strip=False, max_length=MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def clean_username(self) -> str:
        value = self.cleaned_data["username"]
        if "\x00" in value:
            raise forms.ValidationError("Enter a valid email address.")
        return value


class SignupForm(PlainLabelsMixin, forms.Form):
    email = forms.EmailField(label="Email", max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    full_name = forms.CharField(label="Full name", max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password = new_password_field()
    password_confirm = forms.CharField(
        label="Confirm password", strip=False, max_length=MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    # Opt-in, unticked, never bundled with the terms; the label is the recorded wording.
    marketing = forms.BooleanField(label=CONSENT_WORDING["marketing_email"], required=False)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", "The two passwords do not match.")
        return data


class NewPasswordForm(PlainLabelsMixin, forms.Form):
    def __init__(self, *args: Any, user: Any = None, ask_current: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if ask_current:
            self.fields["current_password"] = forms.CharField(
                label="Current password", strip=False, max_length=MAX_LENGTH,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
        self.fields["new_password"] = new_password_field("New password", user)
        self.fields["new_password_confirm"] = forms.CharField(
            label="Confirm new password", strip=False, max_length=MAX_LENGTH,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_current_password(self) -> str:
        value = self.cleaned_data["current_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError("That is not your current password.")
        return value

    def clean(self) -> dict:
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get(
                "new_password_confirm"):
            self.add_error("new_password_confirm", "The two passwords do not match.")
        return data


class EmailForm(PlainLabelsMixin, forms.Form):
    email = forms.EmailField(label="Email", max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class EmailChangeForm(PlainLabelsMixin, forms.Form):
    new_email = forms.EmailField(label="New email address", max_length=254,
                                 widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label="Your password", max_length=4096, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class CodeForm(PlainLabelsMixin, forms.Form):
    code = forms.CharField(
        label="6-digit code from your authenticator app", max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9 ]*", "autofocus": True}))


class PasswordConfirmForm(PlainLabelsMixin, forms.Form):
    password = forms.CharField(
        label="Your password", max_length=4096, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}))


class RecoveryForm(PlainLabelsMixin, forms.Form):
    recovery_code = forms.CharField(label="Recovery code", max_length=32,
                                    widget=forms.TextInput(attrs={"autocomplete": "off"}))
