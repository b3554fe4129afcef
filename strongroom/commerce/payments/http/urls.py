from django.urls import path

from . import csp, webhooks

app_name = "payments"
urlpatterns = [
    path("webhooks/<str:gateway>/", webhooks.webhook, name="webhook"),
    path("csp-report/", csp.csp_report, name="csp_report"),
]
