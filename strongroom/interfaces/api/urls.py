from django.urls import re_path

from .main import api
from .transport import json_errors, not_found

_patterns, _app, _namespace = api.urls
for _pattern in _patterns:
    _pattern.callback = json_errors(_pattern.callback)

app_name = "api"
urlpatterns = [*_patterns, re_path(r"^(?P<path>.*)$", not_found, name="not-found")]
