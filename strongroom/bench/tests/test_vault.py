"""The vault benchmark runs in a throwaway store: it never touches the real one."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from strongroom.bench import vault as bench
from strongroom.protection.vault.models import DataKey, IndexKey, Subject
from strongroom.testing.factories import user_make


@pytest.mark.django_db
def test_report_prints_every_target_and_leaves_the_store_alone() -> None:
    user = user_make(email="kept@example.test")
    before = (Subject.objects.count(), DataKey.objects.count(), IndexKey.objects.count())
    data_dir, db_name = settings.STRONGROOM_DATA_DIR, connection.settings_dict["NAME"]

    lines = bench.report(rewrap_count=300)

    assert len(lines) == 6
    for needle in ("field decrypt", "field encrypt", "console page, 50 customers",
                   "login lookup", "rewrap 100,000"):
        assert any(needle in line for line in lines), needle
    for line in lines:
        assert line.endswith(("ok", "BELOW TARGET", "info")), line
    # The real database, data dir and keys are as they were.
    assert connection.settings_dict["NAME"] == db_name
    assert settings.STRONGROOM_DATA_DIR == data_dir
    assert (Subject.objects.count(), DataKey.objects.count(),
            IndexKey.objects.count()) == before
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get_by_natural_key("kept@example.test").pk == user.pk


def test_the_plaintext_twin_has_every_column_of_the_user_model():
    """The ratios compare like with like: same columns, email in clear instead of the
    ciphertext and its blind index."""
    from django.contrib.auth import get_user_model

    from strongroom.bench.vault import _plain_twin

    user_columns = {f.column for f in get_user_model()._meta.concrete_fields}
    twin_columns = {f.column for f in _plain_twin()._meta.concrete_fields}
    assert user_columns - {"email_index"} == twin_columns
    # Column for column of the same kind (a ForeignKey stays a ForeignKey), except the
    # personal fields, which are plaintext in the twin.
    def kinds(model: type) -> dict[str, str]:
        return {f.column: type(f).__name__ for f in model._meta.concrete_fields
                if f.name not in {"email", "full_name", "email_index"}}

    assert kinds(get_user_model()) == kinds(_plain_twin())
