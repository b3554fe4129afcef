import time

import pytest

from strongroom.commerce.payments.errors import WebhookInvalid
from strongroom.commerce.payments.internal.signature import verify
from strongroom.sandbox.signing import header_value

SECRET = "whsec_unit"
BODY = b'{"id":"evt_1"}'


def test_a_fresh_valid_signature_passes():
    verify(body=BODY, header=header_value(SECRET, int(time.time()), BODY), secret=SECRET)


@pytest.mark.parametrize("make", [
    lambda now: "", lambda now: "garbage", lambda now: "t=abc,v1=00", lambda now: f"t={now}",
    lambda now: header_value("wrong", now, BODY),
    lambda now: header_value(SECRET, now - 1000, BODY),  # replayed later
    lambda now: header_value(SECRET, now + 1000, BODY),
], ids=["empty", "garbage", "bad-t", "no-v1", "wrong-secret", "old", "future"])
def test_bad_signatures_fail(make):
    header = make(int(time.time()))
    with pytest.raises(WebhookInvalid):
        verify(body=BODY, header=header, secret=SECRET)


def test_a_changed_body_fails():
    header = header_value(SECRET, int(time.time()), BODY)
    with pytest.raises(WebhookInvalid):
        verify(body=BODY + b" ", header=header, secret=SECRET)


@pytest.mark.django_db
def test_webhook_endpoint_rejects_bad_signatures_with_a_warning_and_no_payload(
        client, sandbox, caplog):
    body = (b'{"id":"evt_x","type":"checkout.session.completed",'
            b'"data":{"object":{"secret":"PAYLOADX"}}}')
    with caplog.at_level("WARNING"):
        r = client.post("/payments/webhooks/sandbox/", data=body,
                        content_type="application/json", HTTP_SANDBOX_SIGNATURE="t=1,v1=00")
    assert r.status_code == 400
    assert "webhook rejected" in caplog.text and "PAYLOADX" not in caplog.text
    assert client.get("/payments/webhooks/sandbox/").status_code == 405
    assert client.post("/payments/webhooks/paypal/", data=b"{}",
                       content_type="application/json").status_code == 404


def test_any_of_several_secrets_while_a_rolled_one_is_in_its_grace():
    now = int(time.time())
    verify(body=BODY, header=header_value("old", now, BODY), secret=["new", "old"])
    verify(body=BODY, header=header_value("new", now, BODY), secret=["new", "old"])
    for secret in (["new", "old"], [], ["", ""], ""):
        with pytest.raises(WebhookInvalid):
            verify(body=BODY, header=header_value("forged", now, BODY), secret=secret)
    with pytest.raises(WebhookInvalid):  # an empty secret is never a key
        verify(body=BODY, header=header_value("", now, BODY), secret=["", "new"])
