from django.urls import path, register_converter

from .views import account, cart, catalog, checkout, checkout_payment


class OrderReferenceConverter:
    """Order references are short upper-case codes; anything else never reaches a query."""

    regex = "[0-9A-Z-]{1,20}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(OrderReferenceConverter, "orderref")

app_name = "storefront"
urlpatterns = [
    path("", catalog.home, name="home"),
    path("c/<slug:slug>/", catalog.category, name="category"),
    path("p/<slug:slug>/", catalog.product, name="product"),
    path("search/", catalog.search, name="search"),
    path("cart/", cart.cart, name="cart"),
    path("cart/add/", cart.cart_add, name="cart_add"),
    path("cart/update/", cart.cart_update, name="cart_update"),
    path("cart/remove/", cart.cart_remove, name="cart_remove"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("order/<orderref:reference>/", checkout.order_confirmation, name="order"),
    path("checkout/pay/<orderref:reference>/", checkout_payment.checkout_pay,
         name="checkout_pay"),
    path("checkout/return/<orderref:reference>/", checkout_payment.checkout_return,
         name="checkout_return"),
    path("account/", account.account, name="account"),
    path("account/signup/", account.signup, name="signup"),
    path("account/login/", account.LoginView.as_view(), name="login"),
    path("account/logout/", account.LogoutView.as_view(), name="logout"),
    path("account/password/", account.PasswordChangeView.as_view(), name="password_change"),
    path("account/orders/<orderref:reference>/", account.account_order, name="account_order"),
    path("account/addresses/", account.addresses, name="addresses"),
    path("account/addresses/<uuid:address_id>/delete/", account.address_remove,
         name="address_delete"),
    path("account/addresses/<uuid:address_id>/default/", account.address_make_default,
         name="address_default"),
]
