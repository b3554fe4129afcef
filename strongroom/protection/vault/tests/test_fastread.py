"""The compiled read path (internal/_fastread.c) against the pure-Python one.

The compiled ``__get__`` takes only the warm-cache case and hands everything else to
``slow_get`` (the Python ``__get__``). These tests show that (a) it really takes the warm
case (no ``slow_get`` call), (b) it returns exactly what the Python path returns, on valid,
tampered, moved, expired and other-subject ciphertexts, (c) every failure still ends as
the one audited DecryptionError, and (d) it leaks no references.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from strongroom.interfaces.cli.tests.cliutil import assert_one_line_error, cli_env, run_cli
from strongroom.protection.vault import fields, services, signals
from strongroom.protection.vault.errors import DecryptionError
from strongroom.protection.vault.fields import Sealed
from strongroom.protection.vault.internal import runtime
from strongroom.protection.vault.internal.descriptor import ROW, PyEncryptedAttribute
from strongroom.protection.vault.models import Probe

_fastread = pytest.importorskip("strongroom.protection.vault.internal._fastread")
# .ci/run fails when the module was not built, so CI never skips this file; it also runs
# the vault's tests once with STRONGROOM_VAULT_SPEEDUPS=off, where only the tests of the
# switch itself apply.
in_process = pytest.mark.skipif(not fields.FAST_READ, reason="STRONGROOM_VAULT_SPEEDUPS=off")
pytestmark = pytest.mark.django_db

compiled_get: Callable[..., Any] = _fastread.FastAttribute.__get__
python_get: Callable[..., Any] = PyEncryptedAttribute.__get__


def _outcome(read: Callable[..., Any], probe: Probe, name: str) -> tuple[str, Any, Any]:
    """What one read gives: ("value", v, cached) or ("error", type, None)."""
    descriptor = Probe.__dict__[name]
    try:
        value = read(descriptor, probe, Probe)
    except Exception as exc:  # noqa: BLE001 - the exception type is the outcome compared
        return ("error", type(exc), None)
    cached = probe.__dict__[name]
    return ("value", value, cached[1:] if type(cached) is tuple else cached)


def _loaded(pk: Any) -> Probe:
    return Probe.objects.get(pk=pk)


@pytest.fixture
def slow_calls(monkeypatch) -> Iterator[list[str]]:
    """Counts the compiled path's hand-overs to the Python path."""
    calls: list[str] = []
    original = PyEncryptedAttribute.slow_get

    def counting(self: Any, instance: Any, cls: Any = None) -> Any:
        calls.append(self._attname)
        return original(self, instance, cls)

    monkeypatch.setattr(PyEncryptedAttribute, "slow_get", counting)
    yield calls


@pytest.fixture
def probe(vault, django_capture_on_commit_callbacks) -> Probe:
    with django_capture_on_commit_callbacks(execute=True):  # a committed key is cached
        subject = services.subject_create()
    made = Probe.objects.create(subject=subject, name="Alice Liddell", email="a@example.com",
                                note="leaves at 5", attrs={"tier": "gold"})
    _loaded(made.pk).name  # noqa: B018 - warms the key cache, as on any page after the first
    return made


@in_process
def test_the_model_uses_the_compiled_path() -> None:
    assert fields.FAST_READ
    assert isinstance(Probe.__dict__["email"], _fastread.FastAttribute)
    assert type(Probe.__dict__["email"]).__get__ is _fastread.FastAttribute.__get__


@in_process
def test_warm_read_never_reaches_python(probe, slow_calls) -> None:
    fresh = _loaded(probe.pk)
    assert (fresh.name, fresh.note, fresh.attrs) == ("Alice Liddell", "leaves at 5",
                                                     {"tier": "gold"})
    assert fresh.name == "Alice Liddell"  # second read: the opened value
    assert slow_calls == []


@in_process
def test_cold_cache_and_plain_values_go_to_python(probe, slow_calls) -> None:
    runtime.keystore().forget_all()
    fresh = _loaded(probe.pk)
    assert fresh.name == "Alice Liddell"
    fresh.note = "typed by code"
    assert fresh.note == "typed by code"
    assert Probe.objects.only("pk").get(pk=probe.pk).email == "a@example.com"  # deferred
    # Deferred: the descriptor's own call, then the refresh's read of a row loaded without
    # its subject (no row stamp, so no warm case).
    assert slow_calls == ["name", "note", "email", "email"]


@in_process
@pytest.mark.parametrize("name", ["name", "note", "attrs"])
def test_same_value_and_same_cached_state_as_python(probe, name: str) -> None:
    assert _outcome(compiled_get, _loaded(probe.pk), name) == _outcome(
        python_get, _loaded(probe.pk), name)


@in_process
def test_another_subject_or_an_expired_key_is_not_decrypted_in_c(probe, slow_calls) -> None:
    other = services.subject_create()
    Probe.objects.filter(pk=probe.pk).update(subject=other)  # the row re-parented
    with pytest.raises(DecryptionError):
        _loaded(probe.pk).name  # noqa: B018
    Probe.objects.filter(pk=probe.pk).update(subject=probe.subject)
    hot = runtime.keystore().hot
    for head, entry in list(hot.items()):
        hot[head] = (entry[0], entry[1], time.monotonic() - 1)  # past its age limit
    assert _loaded(probe.pk).name == "Alice Liddell"  # reloaded by the Python path
    assert slow_calls == ["name", "name"]


@in_process
@hsettings(max_examples=60, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0), bit=st.integers(0, 7), data=st.data())
def test_any_tampered_byte_fails_the_same_way_once(probe, position: int, bit: int,
                                                   data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(["name", "email", "note", "attrs"]))
    stored = bytes(_loaded(probe.pk).__dict__[name])
    position %= len(stored)
    tampered = stored[:position] + bytes([stored[position] ^ (1 << bit)]) + stored[position + 1:]
    announced: list[str] = []

    def receiver(**kwargs: Any) -> None:
        announced.append(kwargs["field"])

    signals.decryption_failed.connect(receiver, dispatch_uid="test_fastread")
    try:
        outcomes = []
        for read in (compiled_get, python_get):
            fresh = _loaded(probe.pk)
            fresh.__dict__[name] = Sealed(tampered)
            outcomes.append(_outcome(read, fresh, name))
    finally:
        signals.decryption_failed.disconnect(dispatch_uid="test_fastread")
    assert outcomes[0] == outcomes[1] == ("error", DecryptionError, None)
    assert announced == [name, name]  # one audited failure per read, on either path


@in_process
@hsettings(max_examples=40, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_random_values_read_the_same(probe, text: str) -> None:
    made = Probe.objects.create(subject=probe.subject, note=text)
    compiled = _outcome(compiled_get, _loaded(made.pk), "note")
    assert compiled == _outcome(python_get, _loaded(made.pk), "note")
    assert compiled[:2] == ("value", text)


@in_process
def test_moved_ciphertexts_fail_in_both(probe) -> None:
    other = Probe.objects.create(subject=probe.subject, name="Mallory")
    victim_name = bytes(_loaded(probe.pk).__dict__["name"])
    cases = [(other.pk, "name", victim_name),  # another row
             (probe.pk, "note", victim_name)]  # another column
    for pk, name, blob in cases:
        for read in (compiled_get, python_get):
            fresh = _loaded(pk)
            fresh.__dict__[name] = Sealed(blob)
            assert _outcome(read, fresh, name) == ("error", DecryptionError, None)


@in_process
def test_no_reference_is_leaked(probe) -> None:
    fresh = _loaded(probe.pk)
    sealed = fresh.__dict__["note"]
    row = fresh.__dict__[ROW]
    entry = runtime.keystore().hot[bytes(sealed[1:9])]
    watched = [sealed, row, entry, entry[1], Probe.__dict__["note"]._context]

    def read_many() -> None:
        for _ in range(2000):
            fresh.__dict__["note"] = sealed
            assert fresh.note == "leaves at 5"

    read_many()  # warm-up: caches settle
    fresh.__dict__["note"] = sealed
    before = [sys.getrefcount(o) for o in watched]
    read_many()
    fresh.__dict__["note"] = sealed
    assert [sys.getrefcount(o) for o in watched] == before


def test_clock_is_time_monotonic() -> None:
    assert abs(_fastread.monotonic() - time.monotonic()) < 0.05


def test_turned_off_reads_in_python_and_check_says_so(tmp_path) -> None:
    code = ("import django; django.setup(); from strongroom.protection.vault import fields; "
            "print(fields.FAST_READ)")
    for value, expected in (("off", "False"), ("on", "True")):
        env = cli_env(tmp_path, STRONGROOM_VAULT_SPEEDUPS=value,
                      DJANGO_SETTINGS_MODULE="strongroom.settings")
        result = run_cli(tmp_path, "shell", "-c", code, env=env)
        assert result.stdout.strip().splitlines()[-1:] == [expected], result.stderr
    result = run_cli(tmp_path, "check", "--deploy",
                     env=cli_env(tmp_path, STRONGROOM_VAULT_SPEEDUPS="off"))
    assert "vault.I001" in result.stdout + result.stderr


def test_bad_switch_value_is_one_line(tmp_path) -> None:
    result = run_cli(tmp_path, "check", env=cli_env(tmp_path, STRONGROOM_VAULT_SPEEDUPS="fast"))
    assert_one_line_error(result, "STRONGROOM_VAULT_SPEEDUPS")


@in_process
def test_format_2_null_markers_and_format_1_values_are_read_in_c(probe, slow_calls) -> None:
    from strongroom.protection.vault.internal import envelope
    from strongroom.protection.vault.internal.descriptor import row_aad

    empty = Probe.objects.create(subject=probe.subject, name="", phone=None, attrs=None)
    key_id, key = runtime.keystore().key_for_encrypt(probe.subject_id)
    field = Probe._meta.get_field("note")
    legacy = envelope.seal(key, key_id, b"old note", field.context, row_aad(empty.pk),
                           version=envelope.FORMAT_V1)
    Probe.objects.filter(pk=empty.pk).update(note=Sealed(legacy))
    fresh = _loaded(empty.pk)
    assert (fresh.name, fresh.phone, fresh.attrs, fresh.note) == ("", None, None, "old note")
    assert slow_calls == []
    for name in ("name", "phone", "attrs", "note"):
        assert _outcome(compiled_get, _loaded(empty.pk), name) == _outcome(
            python_get, _loaded(empty.pk), name)


@in_process
def test_a_padding_the_tag_accepts_but_pad_never_writes_goes_to_python(probe) -> None:
    """Defence in depth: a malformed padding (only the key holder can make one) is the
    one DecryptionError on both paths, never a value."""
    from strongroom.protection.vault.internal import envelope, keymaterial
    from strongroom.protection.vault.internal.descriptor import row_aad

    key_id, key = runtime.keystore().key_for_encrypt(probe.subject_id)
    field = Probe._meta.get_field("note")
    head = envelope.header(key_id, envelope.FORMAT_V2)
    for padded in (b"\x01abc" + bytes(29), b"\x01abc\x80" + bytes(60), b"\x05abc\x80" + bytes(28)):
        nonce, sealed = keymaterial.aead_seal(key, padded, head + field.context
                                              + row_aad(probe.pk))
        for read in (compiled_get, python_get):
            fresh = _loaded(probe.pk)
            fresh.__dict__["note"] = Sealed(head + nonce + sealed)
            assert _outcome(read, fresh, "note") == ("error", DecryptionError, None)
