from __future__ import annotations

import pytest
from django.test import Client

from strongroom.testing.factories import user_make

PASSWORD = "correct horse battery staple"


class HttpsClient(Client):
    def generic(self, *args, secure: bool = True, **kwargs):
        return super().generic(*args, secure=True, **kwargs)


@pytest.fixture
def client() -> Client:
    return HttpsClient()


@pytest.fixture
def make_client():
    return lambda **kw: HttpsClient(**kw)


@pytest.fixture
def customer(db):
    return user_make(email="cora@example.test", password=PASSWORD, full_name="Cora Customer")


@pytest.fixture
def sends(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(params=["database", "redis"])
def throttle_backend(request, settings):
    """Run a throttle test against both shared stores (Redis: this run's own server)."""
    if request.param == "redis":
        import redis

        url = f"{request.getfixturevalue('redis_server')}/1"
        redis.Redis.from_url(url).flushdb()
        settings.STRONGROOM_REDIS_URL = url
        yield "redis"
        redis.Redis.from_url(url).flushdb()
    else:
        settings.STRONGROOM_REDIS_URL = None
        yield "database"


def login(client, email, password=PASSWORD, **extra):
    return client.post("/account/login/", {"username": email, "password": password, **extra})


def failures(event) -> int:
    from strongroom.protection.audit.models import AuditEntry

    return AuditEntry.objects.filter(event=int(event)).count()
