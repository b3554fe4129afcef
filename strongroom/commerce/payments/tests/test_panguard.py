import logging

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from strongroom.commerce.payments.internal.panguard import REDACTED, redact
from strongroom.sandbox.cards import TEST_CARDS, luhn_ok


@pytest.mark.parametrize("text", [
    "4242424242424242", "card 4242 4242 4242 4242 ok", "4242-4242-4242-4242",
    "x4000000000009995y", "order 12 4242 4242 4242 4242", "378282246310005",
    "6011111111111117 and 5555555555554444",
])
def test_card_numbers_are_redacted(text):
    out = redact(text)
    digits = "".join(ch for ch in out if ch.isdigit())
    for number in TEST_CARDS:
        assert number not in digits
    assert REDACTED in out


@pytest.mark.parametrize("text", [
    "order SR-ABC123 total 42.00", "SR-4242", "phone +44 20 7946 0958",
    "1234567890123", "",
])
def test_ordinary_text_is_kept(text):
    assert redact(text) == text


@given(st.sampled_from(sorted(TEST_CARDS)), st.text(max_size=20), st.text(max_size=20))
def test_a_test_card_never_survives_any_surrounding_text(number, before, after):
    out = redact(before + number + after)
    assert number not in "".join(ch for ch in out if ch.isdigit()) or not luhn_ok(number)


def test_every_log_record_is_redacted(caplog):
    logger = logging.getLogger("strongroom.anything")
    with caplog.at_level(logging.INFO):
        logger.info("paid with %s", "4242 4242 4242 4242")
        try:
            raise ValueError("bad card 4000-0000-0000-0002")
        except ValueError:
            logger.exception("failed")
    assert "4242 4242 4242 4242" not in caplog.text
    assert "4000-0000-0000-0002" not in caplog.text
    assert caplog.text.count(REDACTED) >= 2


def test_configured_handler_has_the_filter():
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["pan_guard"]


def test_long_digit_runs_are_bounded():
    out = redact("1" * 100_000)
    assert out == REDACTED
