import pytest


@pytest.fixture(scope="session", autouse=True)
def _collected_static(django_db_blocker):
    """Production serves hashed static files from a manifest; tests build the same."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("collectstatic", interactive=False, verbosity=0)
