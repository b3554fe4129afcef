"""Seed the vendor register with the two integrations the store ships: the payment
gateway (Stripe) and the email provider. The owner completes the DPA, certifications
and assessment (the register flags what is missing); next review in 30 days."""

import datetime as dt

from django.db import migrations

OPS = "system.operations"
SEED = [
    {"key": "stripe", "name": "Stripe", "service": "Payment gateway (hosted checkout, refunds)",
     "purpose": "Taking card payments and refunds", "legal_basis": "contract",
     "region": "EU (Ireland) / US", "transfer_mechanism": "EU-US Data Privacy Framework, SCCs",
     "risk_tier": "high",
     "fields": {"mode": OPS, "client_reference_id": OPS, "success_url": OPS,
                "cancel_url": OPS, "line_items": OPS, "metadata": OPS,
                "payment_intent_data": OPS, "payment_intent": OPS, "amount": OPS,
                "customer_email": "user.contact.email"},
     "certifications": [{"name": "PCI DSS AoC (Level 1)", "expires": ""}]},
    {"key": "email", "name": "Email provider", "service": "Sending store emails (SMTP)",
     "purpose": "Order confirmations, account and security emails", "legal_basis": "contract",
     "region": "set by the owner", "transfer_mechanism": "", "risk_tier": "medium",
     "fields": {"to": "user.contact.email", "subject": OPS, "body": "user.content",
                "from_email": OPS},
     "certifications": []},
]


def seed(apps, schema_editor):
    Vendor = apps.get_model("people", "Vendor")
    review = dt.date.today() + dt.timedelta(days=30)
    for row in SEED:
        Vendor.objects.get_or_create(key=row["key"], defaults={**row, "next_review_on": review})


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
