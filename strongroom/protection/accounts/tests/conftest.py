from __future__ import annotations

import os

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


def _redis_db() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return 8 + (int(worker[2:]) if worker[2:].isdigit() else 0) % 8


@pytest.fixture(params=["database", "redis"])
def throttle_backend(request, settings):
    """Run a throttle test against both shared stores (Redis at 127.0.0.1:6379)."""
    if request.param == "redis":
        import redis

        url = f"redis://127.0.0.1:6379/{_redis_db()}"
        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
        except redis.RedisError:
            if os.environ.get("CI"):
                raise
            pytest.skip("no Redis at 127.0.0.1:6379")
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
