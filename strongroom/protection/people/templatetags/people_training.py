"""``{% training_banner user %}``: the console-wide banner while the training gate masks
customer data for the signed-in staff member, naming the modules to take."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from strongroom.protection.access.gates import data_access_refusal

register = template.Library()


@register.simple_tag
def training_banner(user: Any) -> str:
    refusal = data_access_refusal(user)
    if refusal is None or refusal.gate != "training":
        return ""
    return format_html('<p class="message message-warning" role="alert" id="training-banner">'
                       '{} <a href="{}">Go to training</a></p>',
                       refusal.message, reverse("console:training"))
