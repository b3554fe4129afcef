from __future__ import annotations

from django import forms

from strongroom.commerce.cart.errors import MAX_LINE_QUANTITY

from .base import PlainLabelsMixin

# Ids beyond a signed 32-bit integer are never ours; bounding them keeps absurd input
# from reaching the database driver (where it would overflow instead of not matching).
MAX_ID = 2**31 - 1


class AddToCartForm(PlainLabelsMixin, forms.Form):
    variant = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        label="Quantity", min_value=1, max_value=MAX_LINE_QUANTITY, initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 3}),
    )


class CartLineForm(PlainLabelsMixin, forms.Form):
    """Update one cart line; a quantity of 0 removes it."""

    variant = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        label="Quantity", min_value=0, max_value=MAX_LINE_QUANTITY,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 3}),
    )


class CartRemoveForm(PlainLabelsMixin, forms.Form):
    variant = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
