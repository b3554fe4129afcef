import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("strongroom.interfaces.web.tests.urls")]


def test_an_unexpected_error_shows_a_friendly_page_and_no_internals():
    client = Client(raise_request_exception=False)
    response = client.get("/_probe/boom/", secure=True)
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    for leak in ("SECRET-INTERNAL-DETAIL", "Traceback", "RuntimeError", "/srv/strongroom"):
        assert leak not in body
    assert "Content-Security-Policy" in response.headers


def test_unknown_page_is_a_404_page_not_a_debug_page(client):
    response = client.get("/no/such/page/", secure=True)
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
    assert "URLconf" not in response.content.decode()
