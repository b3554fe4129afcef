"""Phishing reads for the console: campaigns with their counts, the template library,
the staff a campaign can go to."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from strongroom.protection.access.selectors import staff_list
from strongroom.protection.people.models import CampaignStatus, PhishingCampaign
from strongroom.protection.people.phishing.library import TEMPLATES, Template


@dataclass(frozen=True)
class CampaignRow:
    campaign: PhishingCampaign
    label: str  # the template's label
    targets: int
    sent: int
    clicked: int
    reported: int

    @property
    def cancellable(self) -> bool:
        return self.campaign.status == CampaignStatus.SCHEDULED


def phishing_campaigns(*, limit: int = 50) -> list[CampaignRow]:
    """The latest campaigns (by send time), with sent, clicked and reported counts."""
    rows = PhishingCampaign.objects.annotate(
        n_targets=Count("targets"),
        n_sent=Count("targets", filter=Q(targets__sent_at__isnull=False)),
        n_clicked=Count("targets", filter=Q(targets__clicked_at__isnull=False)),
        n_reported=Count("targets", filter=Q(targets__reported_at__isnull=False)),
    )[:limit]
    return [CampaignRow(c, TEMPLATES[c.template].label if c.template in TEMPLATES
                        else c.template, c.n_targets, c.n_sent, c.n_clicked, c.n_reported)
            for c in rows]


def campaign_counts(*, campaign: PhishingCampaign) -> dict[str, int]:
    targets = campaign.targets.all()
    return {"sent": targets.exclude(sent_at=None).count(),
            "clicked": targets.exclude(clicked_at=None).count(),
            "reported": targets.exclude(reported_at=None).count()}


def phishing_templates() -> list[Template]:
    return list(TEMPLATES.values())


def phishing_recipients() -> list:
    """Active staff accounts a campaign can be sent to."""
    return list(staff_list().filter(is_active=True))
