from django.urls import include, path

urlpatterns = [
    path("console/", include("strongroom.interfaces.console.urls")),
    path("api/", include("strongroom.interfaces.api.urls")),
    path("", include("strongroom.interfaces.storefront.urls")),
]

handler400 = "strongroom.interfaces.web.views.bad_request"
handler403 = "strongroom.interfaces.web.views.permission_denied"
handler404 = "strongroom.interfaces.web.views.page_not_found"
handler500 = "strongroom.interfaces.web.views.server_error"
