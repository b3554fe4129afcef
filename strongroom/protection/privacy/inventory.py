"""The data inventory read back: every app's declarations (``strongroom/inventory.py``,
where each app's ``privacy.py`` calls ``declare``) checked against the installed models.

``privacy.E001`` (checks.py) fails on any field nobody classified, so a new field or a
new app cannot ship unnoticed: the privacy policy (generated from this) would otherwise
silently under-describe what the store keeps. Django's own apps and any third-party app
are classified in ``fallback.py`` here.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.utils.module_loading import autodiscover_modules

from strongroom.inventory import BASES, COPIES, PURPOSES, RETENTION, Row, declarations

from . import fallback  # noqa: F401 - registers Django's and third-party apps
from .taxonomy import category_valid


def inventory_load() -> None:
    """Import every installed app's ``privacy`` module (the fallback table is imported
    with this module)."""
    autodiscover_modules("privacy")


def model_fields(model: type[models.Model]) -> list[str]:
    """The fields that need a classification: every concrete (stored) field and every
    many-to-many field of a model that is not created by Django behind the scenes."""
    meta = model._meta
    return [f.name for f in meta.concrete_fields] + [f.name for f in meta.many_to_many]


def classified_models() -> list[type[models.Model]]:
    """Every installed model that owns a table (proxies share their parent's); the
    many-to-many tables Django creates are covered by the field that declares them.
    A model that is never part of a running store (a benchmark's twin table) opts out
    only by saying why in ``privacy_exempt``, where a reviewer sees it."""
    return [m for m in apps.get_models()
            if not m._meta.proxy and not getattr(m, "privacy_exempt", "")]


def inventory_rows() -> list[Row]:
    """Every field of every installed model, classified, in model order. Unclassified
    fields are missing here and listed by ``inventory_missing``."""
    inventory_load()
    declared = declarations()
    rows = []
    for model in classified_models():
        for name in model_fields(model):
            row = declared.get((model._meta.label, name))
            if row is not None:
                rows.append(row)
    return rows


def inventory_missing() -> list[tuple[str, str]]:
    """(model label, field) of every field nobody classified."""
    inventory_load()
    declared = declarations()
    return [(m._meta.label, name) for m in classified_models() for name in model_fields(m)
            if (m._meta.label, name) not in declared]


def inventory_invalid() -> list[str]:
    """Declarations naming an unknown category, purpose, basis, retention or copy, or
    calling a ``system.*`` category personal data (one line each)."""
    inventory_load()
    problems = []
    for (label, name), row in sorted(declarations().items()):
        where = f"{label}.{name}"
        if not category_valid(row.category):
            problems.append(f"{where}: {row.category!r} is not a fideslang data category")
        if row.use.purpose not in PURPOSES:
            problems.append(f"{where}: unknown purpose {row.use.purpose!r}")
        if row.use.basis not in BASES:
            problems.append(f"{where}: unknown legal basis {row.use.basis!r}")
        if row.use.retention not in RETENTION:
            problems.append(f"{where}: unknown retention {row.use.retention!r}")
        problems += [f"{where}: unknown copy {c!r}" for c in row.use.copies if c not in COPIES]
        if row.personal and row.use.basis == "none":
            problems.append(f"{where}: personal data ({row.category}) needs a legal basis")
    return problems
