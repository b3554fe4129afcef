"""Access review reads."""

from __future__ import annotations

from django.db.models import QuerySet

from strongroom.protection.people.models import AccessReview, AccessReviewItem


def access_review_open() -> AccessReview | None:
    return AccessReview.objects.filter(completed_at=None).first()


def access_review_items(*, review: AccessReview) -> QuerySet:
    return review.items.select_related("user").order_by("decided_at", "pk")


def access_review_item_get(*, item_id: int) -> AccessReviewItem | None:
    return AccessReviewItem.objects.select_related("review", "user").filter(pk=item_id).first()


def access_reviews_completed(*, limit: int = 10) -> list[AccessReview]:
    return list(AccessReview.objects.exclude(completed_at=None)[:limit])
