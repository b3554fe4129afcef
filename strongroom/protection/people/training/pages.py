"""What the console's training pages show, read in one call each (the views only
render): my modules with their current completion, and one module's page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from strongroom.protection.access.selectors import role_of
from strongroom.protection.people.models import TrainingCompletion
from strongroom.protection.people.training.catalog import Module
from strongroom.protection.people.training.render import markdown_html
from strongroom.protection.people.training.selectors import (
    completions_current,
    module_get,
    modules_required,
)


def training_rows(*, user: Any) -> list[tuple[Module, TrainingCompletion | None]]:
    """Each module ``user``'s role needs, with its current completion (or None)."""
    done = completions_current(user=user)
    return [(m, done.get(m.slug)) for m in modules_required(role=role_of(user))]


@dataclass(frozen=True)
class ModulePage:
    module: Module
    body: SafeString  # escaped Markdown subset (an edited module cannot inject markup)


def module_page(*, slug: str) -> ModulePage:
    """Raises ModuleNotFound for an unknown slug."""
    module = module_get(slug=slug)
    return ModulePage(module, markdown_html(module.body))
