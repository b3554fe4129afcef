from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ShippingMethod:
    code: str
    name: str
    price: Decimal
    days: str
    free_from: Decimal | None = None

    def cost(self, subtotal: Decimal) -> Decimal:
        if self.free_from is not None and subtotal >= self.free_from:
            return Decimal("0.00")
        return self.price


SHIPPING_METHODS: dict[str, ShippingMethod] = {
    m.code: m
    for m in (
        ShippingMethod("standard", "Standard delivery", Decimal("4.95"), "3–5 working days",
                       free_from=Decimal("75.00")),
        ShippingMethod("express", "Express delivery", Decimal("12.00"), "1–2 working days"),
        ShippingMethod("pickup", "Collect from the shop", Decimal("0.00"), "next working day"),
    )
}
