from django.urls import path, re_path
from django.views.generic import RedirectView

from .main import api
from .transport import json_errors, not_found

_patterns, _app, _namespace = api.urls
for _pattern in _patterns:
    _pattern.callback = json_errors(_pattern.callback)

app_name = "api"
urlpatterns = [
    *_patterns,
    # The docs live at /api/docs; the address with a slash (as people type it) leads there.
    path("docs/", RedirectView.as_view(url="/api/docs", permanent=True), name="docs-slash"),
    re_path(r"^(?P<path>.*)$", not_found, name="not-found"),
]
