import pytest


@pytest.fixture(scope="session", autouse=True)
def _collected_static(django_db_blocker):
    """Production serves hashed static files from a manifest; tests build the same."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """A test's rolled-back rows must not live on in the cache for the next test."""
    yield
    from django.core.cache import cache

    cache.clear()
