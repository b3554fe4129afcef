import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest import record_many

pytestmark = pytest.mark.django_db


def test_checkpoint_tail_pubkey(audit_dir, capsys):
    record_many(3)
    call_command("audit", "checkpoint")
    call_command("audit", "tail", "-n", "2")
    call_command("audit", "pubkey")
    out = capsys.readouterr().out
    assert "checkpoint 1 signed: 3 events in 16 chains" in out
    assert out.count("customer viewed") == 2 and "reason 'event 2'" in out
    assert (audit_dir / "keys" / "audit-signing.pub").read_text().strip() in out


def test_checkpoint_without_key_is_one_clear_line(tmp_path, settings):
    settings.STRONGROOM_DATA_DIR = tmp_path
    with pytest.raises(CommandError, match="no audit signing key .* run `strongroom init`"):
        call_command("audit", "checkpoint")
