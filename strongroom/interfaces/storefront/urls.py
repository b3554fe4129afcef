from django.urls import path, register_converter

from .views import (
    account,
    auth,
    cart,
    catalog,
    checkout,
    checkout_payment,
    email,
    privacy,
    privacy_centre,
    security,
)


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
    path("account/signup/", auth.signup, name="signup"),
    path("account/login/", auth.login_view, name="login"),
    path("account/logout/", account.LogoutView.as_view(), name="logout"),
    path("account/password/", auth.password_change, name="password_change"),
    path("account/email/", email.email_change, name="email_change"),
    path("account/email/confirm/<str:token>/", email.email_change_confirm,
         name="email_change_confirm"),
    path("account/password/reset/", auth.password_reset, name="password_reset"),
    path("account/password/reset/<str:uidb64>/<str:token>/", auth.password_reset_confirm,
         name="password_reset_confirm"),
    path("account/confirm-email/<str:uidb64>/<str:token>/", auth.email_verify,
         name="email_verify"),
    path("account/verify/", security.mfa_step_up, name="mfa_step_up"),
    path("account/verify/passkey/options/", security.mfa_passkey_options,
         name="mfa_passkey_options"),
    path("account/verify/passkey/", security.mfa_passkey_verify, name="mfa_passkey_verify"),
    path("account/security/", security.security, name="security"),
    path("account/security/confirm/", security.password_confirm, name="password_confirm"),
    path("account/security/totp/", security.totp_setup, name="totp_setup"),
    path("account/security/totp/remove/", security.totp_remove, name="totp_remove"),
    path("account/security/passkeys/options/", security.passkey_register_options,
         name="passkey_register_options"),
    path("account/security/passkeys/", security.passkey_register, name="passkey_register"),
    path("account/security/passkeys/<uuid:credential_id>/remove/", security.passkey_remove,
         name="passkey_remove"),
    path("account/security/recovery-codes/", security.recovery_codes, name="recovery_codes"),
    path("account/security/sessions/<uuid:session_id>/revoke/", security.session_revoke,
         name="session_revoke"),
    path("account/security/sessions/revoke-others/", security.sessions_revoke_others,
         name="sessions_revoke_others"),
    path("account/privacy/", privacy.privacy, name="privacy"),
    path("account/privacy/export/", privacy_centre.export_request, name="privacy_export"),
    path("account/privacy/exports/<str:token>/", privacy_centre.export_download,
         name="privacy_export_download"),
    path("account/privacy/delete/", privacy_centre.account_delete, name="account_delete"),
    path("account/erased/", privacy_centre.account_erased, name="account_erased"),
    path("privacy/", privacy_centre.policy, name="privacy_policy"),
    path("privacy/unsubscribe/<str:token>/", privacy_centre.unsubscribe,
         name="privacy_unsubscribe"),
    path("account/orders/<orderref:reference>/", account.account_order, name="account_order"),
    path("account/addresses/", account.addresses, name="addresses"),
    path("account/addresses/<uuid:address_id>/delete/", account.address_remove,
         name="address_delete"),
    path("account/addresses/<uuid:address_id>/default/", account.address_make_default,
         name="address_default"),
]
