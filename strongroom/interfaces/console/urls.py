from django.urls import path

from .views import audit, auth, customers, dashboard, orders, payments, products, staff

app_name = "console"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/<str:reference>/", orders.order_detail, name="order_detail"),
    path("orders/<str:reference>/reveal/", orders.order_reveal, name="order_reveal"),
    path("orders/<str:reference>/status/", orders.order_status, name="order_status"),
    path("orders/<str:reference>/refund/", payments.order_refund, name="order_refund"),
    path("orders/<str:reference>/refunds/<uuid:refund_id>/retry/", payments.refund_retry,
         name="refund_retry"),
    path("payments/security/", payments.payment_security, name="payment_security"),
    path("payments/alerts/<int:alert_id>/", payments.payment_alert_action,
         name="payment_alert"),
    path("customers/", customers.customer_list, name="customer_list"),
    path("customers/<uuid:customer_id>/", customers.customer_detail, name="customer_detail"),
    path("customers/<uuid:customer_id>/reveal/", customers.customer_reveal,
         name="customer_reveal"),
    path("products/", products.product_list, name="product_list"),
    path("products/new/", products.product_create, name="product_create"),
    path("products/<int:product_id>/", products.product_edit, name="product_edit"),
    path("products/<int:product_id>/variants/", products.variant_create,
         name="variant_create"),
    path("products/<int:product_id>/variants/<int:variant_id>/", products.variant_update,
         name="variant_update"),
    path("audit/", audit.audit_search_view, name="audit_search"),
    path("staff/", staff.staff_list, name="staff_list"),
    path("staff/invite/", staff.staff_invite, name="staff_invite"),
    path("staff/<uuid:staff_id>/role/", staff.staff_role, name="staff_role"),
    path("staff/<uuid:staff_id>/disable/", staff.staff_disable, name="staff_disable"),
    path("staff/<uuid:staff_id>/enable/", staff.staff_enable, name="staff_enable"),
    path("staff/<uuid:staff_id>/reinvite/", staff.staff_reinvite, name="staff_reinvite"),
    path("invite/<str:token>/", staff.invite_accept, name="invite_accept"),
]
