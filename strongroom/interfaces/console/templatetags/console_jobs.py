"""The console's "no worker" banner."""

from __future__ import annotations

from django import template
from django.db import DatabaseError

from strongroom.jobs.selectors import worker_silent

register = template.Library()


@register.simple_tag
def worker_down() -> bool:
    try:
        return worker_silent()
    except DatabaseError:
        return False
