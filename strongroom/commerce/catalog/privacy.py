"""The catalog holds no personal data (data inventory)."""

from strongroom.inventory import OPERATIONAL, declare

declare("catalog.Category", OPERATIONAL, system=["id", "name", "slug", "description", "position"])
declare("catalog.Product", OPERATIONAL,
        system=["id", "name", "slug", "description", "category", "image", "is_active",
                "created_at", "updated_at"])
declare("catalog.Variant", OPERATIONAL,
        system=["id", "product", "sku", "name", "price", "currency", "stock", "is_active",
                "position"])
