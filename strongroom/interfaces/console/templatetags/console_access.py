"""``{% load console_access %}``: ``{% if request.user|can:"orders.view" %}`` asks the
role table (through ``console.permissions``), so templates hold no role names."""

from __future__ import annotations

from typing import Any

from django import template

from strongroom.protection.access.selectors import role_of

from ..permissions import can as _can

register = template.Library()


@register.filter
def can(user: Any, perm: str) -> bool:
    return _can(user, perm)


@register.filter
def role_label(user: Any) -> str:
    role = role_of(user)
    return role.label if role else "No role"
