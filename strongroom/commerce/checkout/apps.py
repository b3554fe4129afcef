from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    """The checkout use case: no models of its own; it sits above orders and payments and
    coordinates them (HOUSE_STYLE: the app that coordinates sits above the apps it uses)."""

    name = "strongroom.commerce.checkout"
    label = "checkout"
    verbose_name = "Checkout"
