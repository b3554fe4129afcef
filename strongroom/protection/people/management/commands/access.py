"""``strongroom access review start``: open an access review of every active staff account
(PCI DSS 7.2.4); the owner decides each one on Console → Access review. Exit status 2
when a review is already open."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from strongroom.protection.people.errors import PeopleError
from strongroom.protection.people.reviews.services import access_review_start


class Command(BaseCommand):
    help = "Access reviews of staff accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="area", required=True, parser_class=type(parser))
        review = sub.add_parser("review", help="periodic access reviews")
        actions = review.add_subparsers(dest="action", required=True,
                                        parser_class=type(parser))
        actions.add_parser("start", help="open a review of every active staff account")

    def handle(self, *args: Any, area: str, action: str, **options: Any) -> None:
        try:
            review = access_review_start()
        except PeopleError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        self.stdout.write(f"access review {review.pk} opened for {review.items.count()} staff "
                          f"account(s); due {review.due_at:%Y-%m-%d}. Decide each on "
                          "Console → Access review.")
