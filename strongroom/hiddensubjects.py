"""Data subjects the store's own lists, counts, mailings and exports leave out: accounts
that are not real people (the incident app's canary records).

Threat: a canary is a trap only if nobody legitimate ever touches it. If routine work
showed it (a staff member browsing the customer list, an export of all customers, a
newsletter, a count on a report), it would trip the alarm for nothing, or the store
itself would mail the trap address (whose mail the owner reads as the sign of a leak).
Seeking one out on purpose is not routine: a search by its exact email, opening it, an
export or a reveal of that one customer, an API read all go on and trip the alarm.

Like ``strongroom.inventory``, this is a registry at the bottom of the layers, so the
apps that list, count or mail customers (customers, mailer, privacy) read it without
importing the app that knows which subjects are hidden: that app (incidents) registers a
provider in its ``ready()``. A provider returns vault subject ids and caches them itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

_providers: list[Callable[[], Iterable[uuid.UUID]]] = []


def hidden_subjects_register(provider: Callable[[], Iterable[uuid.UUID]]) -> None:
    """``provider`` names subjects to leave out; called at every read (cache it)."""
    if provider not in _providers:
        _providers.append(provider)


def hidden_subject_ids() -> frozenset[uuid.UUID]:
    return frozenset(subject for provider in _providers for subject in provider())


def hidden_subject_is(subject_id: object) -> bool:
    try:
        wanted = subject_id if isinstance(subject_id, uuid.UUID) else uuid.UUID(str(subject_id))
    except ValueError:
        return False
    return wanted in hidden_subject_ids()
