from django.urls import include, path

from strongroom.interfaces.console.views.phishing import landing as phish_landing
from strongroom.interfaces.web.media import media_file

urlpatterns = [
    path("console/", include("strongroom.interfaces.console.urls")),
    path("api/", include("strongroom.interfaces.api.urls")),
    path("payments/", include("strongroom.commerce.payments.http.urls")),
    path("media/<str:folder>/<str:name>", media_file, name="media"),
    # A simulated phishing email's link (people app): outside the console on purpose.
    path("notice/<str:token>/", phish_landing, name="phish_landing"),
    path("", include("strongroom.interfaces.storefront.urls")),
]

handler400 = "strongroom.interfaces.web.views.bad_request"
handler403 = "strongroom.interfaces.web.views.permission_denied"
handler404 = "strongroom.interfaces.web.views.page_not_found"
handler500 = "strongroom.interfaces.web.views.server_error"
