"""Training reminders (the task queue's daily job): each active staff member whose current
completion of a module their role needs expires within ``REMIND_BEFORE`` gets one email
saying which module and when, so nobody finds customer data masked without warning
(PCI DSS 12.6.1: training at least every 12 months). Once per completion: a retake makes
a new completion, which is reminded in its turn. The email carries no link with a token,
only the console's training page."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from strongroom.protection.access.selectors import role_of, staff_list
from strongroom.protection.mailer.services import mail_queue
from strongroom.protection.people.models import TrainingCompletion
from strongroom.protection.people.training.selectors import completions_current, modules_required
from strongroom.publicurl import public_url

REMIND_BEFORE = dt.timedelta(days=30)


def training_reminders_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Idempotent: a completion is reminded once (``reminded_at``)."""
    now = now or timezone.now()
    sent = 0
    for user in staff_list().filter(is_active=True):
        needed = {m.slug: m for m in modules_required(role=role_of(user))}
        due = [c for slug, c in completions_current(user=user, now=now).items()
               if slug in needed and c.reminded_at is None
               and c.expires_at <= now + REMIND_BEFORE]
        if not due:
            continue
        lines = "\n".join(f"- {needed[c.module].title}: until {c.expires_at:%Y-%m-%d}"
                          for c in sorted(due, key=lambda c: c.expires_at))
        with transaction.atomic():
            TrainingCompletion.objects.filter(pk__in=[c.pk for c in due]).update(
                reminded_at=now)
            mail_queue(subject_id=user.subject_id, to=user.email, kind="training_reminder",
                       headline="Your security training expires soon",
                       body="Your training for the store's console expires soon:\n\n"
                            f"{lines}\n\nRetake it before then, or customer data will be "
                            "masked for you until you do: "
                            f"{public_url(reverse('console:training'))}\n")
        sent += 1
    return {"reminded": sent}
