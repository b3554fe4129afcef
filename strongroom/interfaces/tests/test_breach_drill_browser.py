"""Issue 19's whole simulated breach in a real browser against `strongroom serve` and its
worker: a support account reveals 30 customers -> the mass-access alert -> an incident
created from it -> containment disables the account and signs it out (its own browser
lands on the sign-in page) -> the breach scope lists exactly those 30 customers ->
the owner edits, approves and sends the notice, and the worker mails exactly them (the
mail folder; sending twice mails nobody again) -> the 72-hour clock shows the deadline
on the owner's clock.

Two browser contexts: the support member's and the owner's. The live store is shared
with the other browser tests: the drill uses accounts of its own (DOMAIN), closes its
incident, acknowledges its alert, puts the owner's time zone back and removes its
customers, whatever happens.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import re
import time
import zoneinfo

import pytest
from playwright.sync_api import expect

from strongroom.protection.access.ratelimit import LIMIT_DEFAULT
from strongroom.testing.accounts import console_sign_in
from strongroom.testing.live import live_shell

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("live-store")]

DOMAIN = "breach-drill.example"
AGENT = f"sam.support@{DOMAIN}"
PASSWORD = "correct horse battery staple"  # the test factories' password
# The live store runs with the default reveal limit, which is also the mass-access
# threshold: all 30 reveals succeed and the 30th raises the alert.
CUSTOMERS = LIMIT_DEFAULT
ZONE = "Asia/Kolkata"  # the owner's clock for the drill: +05:30, no daylight saving

SET_UP = f"""
import json
from strongroom.protection.access.models import StaffRole
from strongroom.protection.accounts.tokens import api_token_create
from strongroom.protection.incidents.owner_time import owner_time_zone
from strongroom.testing.accounts import staff_make
from strongroom.testing.factories import user_make
agent = staff_make(mfa=False, email={AGENT!r}, full_name="Sam Support")
StaffRole.objects.create(user=agent, role="support")
api_token_create(user=agent, name="support desk integration")
customers = [user_make(email=f"customer{{i:02d}}@{DOMAIN}", full_name=f"Drill Customer {{i:02d}}")
             for i in range(1, {CUSTOMERS} + 1)]
print(json.dumps({{"agent": str(agent.pk), "time_zone": owner_time_zone().key,
                  "customers": [[str(c.pk), str(c.subject_id), c.email] for c in customers]}}))
"""

CLEAN_UP = """
from django.contrib.auth import get_user_model
from django.utils import timezone
from strongroom.protection.alerts.models import Alert
from strongroom.protection.incidents.models import Incident, ResponseSettings
now = timezone.now()
alerts = Alert.objects.filter(dedupe_key="access.mass_reveal:{agent}")
Incident.objects.filter(alert_id__in=alerts.values("pk")).exclude(
    status__in=["closed", "reviewed"]).update(status="closed", closed_at=now)
alerts.filter(acknowledged_at=None).update(acknowledged_at=now)
ResponseSettings.objects.filter(pk=1).update(time_zone={time_zone!r})
get_user_model().objects.filter(pk__in={customers!r}, is_staff=False).delete()
"""

NOTICE_TASKS_DONE = """
from strongroom.jobs.models import PendingTask
tasks = PendingTask.objects.filter(name="incident-notices-send", kwargs__incident_id={incident!r})
print(tasks.count(), tasks.filter(status="done").count())
"""


def _reveal_email(page, base_url: str, customer_id: str, address: str) -> None:
    page.goto(f"{base_url}/console/customers/{customer_id}/")
    expect(page.locator("#customer-email")).to_have_class(re.compile(r"\bmasked\b"))
    form = page.locator("#reveal-form")
    form.get_by_label("Email").check()
    form.locator("select[name='reason']").select_option("customer_request")
    page.locator("#reveal-button").click()
    expect(page.locator("#revealed-note")).to_be_visible()
    expect(page.locator("#customer-email")).to_have_text(address)


def _notice_mail(store, subject: str) -> list[str]:
    """The recipients of every message in the store's mail folder with ``subject``, one
    entry per message."""
    out: list[str] = []
    for path in sorted((store.data_dir / "mail").glob("*.log")):
        for block in path.read_text(errors="replace").split("-" * 79):
            if not block.strip():
                continue
            message = email.message_from_string(block.strip() + "\n", policy=email.policy.default)
            if message["Subject"] == subject:
                out += [a.addr_spec for a in message["To"].addresses]
    return out


def _notice_mail_wait(store, subject: str, count: int, *, wait: float = 60.0) -> list[str]:
    deadline = time.monotonic() + wait
    while True:
        sent = _notice_mail(store, subject)
        if len(sent) >= count or time.monotonic() > deadline:
            return sent
        time.sleep(0.5)


def _notice_tasks_done(store, incident_id: str, expected: int, *, wait: float = 60.0) -> None:
    deadline = time.monotonic() + wait
    while True:
        out = live_shell(store, NOTICE_TASKS_DONE.format(incident=incident_id))
        queued, done = map(int, out.strip().splitlines()[-1].split())
        if queued == done == expected:
            return
        assert time.monotonic() < deadline, f"{done} of {queued} notice tasks done"
        time.sleep(1)


def test_breach_drill_from_mass_reveals_to_notices_and_the_clock(browser, page, live_store):
    started = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=1)
    made = json.loads(live_shell(live_store, SET_UP).strip().splitlines()[-1])
    agent_id = made["agent"]
    customers = made["customers"]
    subjects = {subject for _, subject, _ in customers}
    addresses = {address for _, _, address in customers}
    support_context = browser.new_context()
    try:
        support = support_context.new_page()
        support.set_default_timeout(15_000)
        _drill(page, support, live_store, agent_id=agent_id, customers=customers,
               subjects=subjects, addresses=addresses, started=started)
    finally:
        support_context.close()
        live_shell(live_store, CLEAN_UP.format(agent=agent_id, time_zone=made["time_zone"],
                                               customers=[pk for pk, _, _ in customers]))


def _drill(page, support, store, *, agent_id: str, customers: list[list[str]],
           subjects: set[str], addresses: set[str], started: dt.datetime) -> None:
    base = store.base_url
    # 1. The support member reveals 30 customers' email addresses, one page at a time.
    console_sign_in(support, store, email=AGENT, password=PASSWORD)
    for customer_id, _, address in customers[:-1]:
        _reveal_email(support, base, customer_id, address)

    # 29 reveals are support work: no alert yet (so the alert below is the 30th's).
    console_sign_in(page, store)
    page.goto(base + "/console/security/alerts/")
    mass = page.locator("tr[data-kind='access.mass_reveal']", has_text=agent_id)
    expect(mass).to_have_count(0)
    page.goto(base + "/console/incidents/")
    page.locator("#time-zone").get_by_label("Time zone").fill(ZONE)
    page.locator("#time-zone").get_by_role("button", name="Save").click()
    expect(page.locator("#time-zone input[name='time_zone']")).to_have_value(ZONE)

    customer_id, _, address = customers[-1]
    _reveal_email(support, base, customer_id, address)

    # 2. The 30th reveal raised the mass-access alert, naming the staff account only.
    page.goto(base + "/console/security/alerts/")
    expect(mass).to_have_count(1)
    expect(mass).to_contain_text("High")
    expect(mass).to_contain_text(f"revealed customer data {CUSTOMERS} times in the window")
    for address in addresses:
        expect(mass).not_to_contain_text(address)
    first_seen = dt.datetime.fromisoformat(
        mass.locator("time").first.get_attribute("datetime"))

    # 3. One click makes the incident; it follows the staff account the alert names.
    mass.get_by_role("button", name="Create incident").click()
    expect(page.locator("h1")).to_contain_text("INC-")
    number = re.search(r"INC-\d+", page.locator("h1").inner_text()).group(0)
    incident_url = page.url
    incident_id = incident_url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.locator("#timeline")).to_contain_text("Incident opened from alert")
    expect(page.locator("#incident-summary")).to_contain_text(agent_id)
    # The account under investigation is not told by a banner.
    support.goto(base + "/console/")
    expect(support.locator("h1")).to_be_visible()
    expect(support.locator("#incident-clock")).to_have_count(0)

    # 4. Containment: disable the account, end its sessions, revoke its API token.
    form = page.locator("#disable-staff")
    expect(form.locator("input[name='staff_id']")).to_have_value(agent_id)
    form.get_by_role("button", name="Disable, sign out, revoke tokens").click()
    expect(page.locator("#timeline")).to_contain_text(re.compile(
        rf"Disabled staff account {agent_id}: [1-9]\d* sessions ended, 1 API tokens revoked\."))
    # The support member's next page load lands on the sign-in page ...
    support.goto(f"{base}/console/customers/{customers[0][0]}/")
    expect(support).to_have_url(re.compile(re.escape(base) + r"/console/login/"))
    expect(support.get_by_label("Email")).to_be_visible()
    # ... and the password no longer lets it in.
    support.get_by_label("Email").fill(AGENT)
    support.get_by_label("Password").fill(PASSWORD)
    support.get_by_role("button", name="Sign in").click()
    support.wait_for_load_state()
    expect(support).to_have_url(re.compile(re.escape(base) + r"/console/login/"))

    # 5. The breach scope: whose data did the account see? Exactly the 30.
    page.goto(incident_url)
    scope = page.locator("#scope-form")
    scope.locator("select[name='kind']").select_option("actor")
    scope.locator("input[name='value']").fill(AGENT)
    scope.locator("input[name='since']").fill(f"{started:%Y-%m-%d %H:%M:%S}")
    until = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    scope.locator("input[name='until']").fill(f"{until:%Y-%m-%d %H:%M:%S}")
    scope.get_by_role("button", name="Find affected customers").click()
    expect(page.locator("#scope-heading")).to_have_text(f"Breach scope ({CUSTOMERS} customers)")
    listed = page.locator("#scope tbody tr td:first-child code").all_inner_texts()
    assert len(listed) == CUSTOMERS and set(listed) == subjects
    expect(page.locator("#timeline")).to_contain_text(f"{CUSTOMERS} customers affected")

    # 6. The customer notice: edited (a subject of its own), approved by the owner, sent.
    page.locator("#notices-link").click()
    subject = f"Important: a security incident involving your data ({number})"
    notice = page.locator("#notice-customer")
    notice.locator("input[name='subject']").fill(subject)
    notice.get_by_role("button", name="Save draft").click()
    notice = page.locator("#notice-customer")
    expect(notice.locator("input[name='subject']")).to_have_value(subject)
    notice.get_by_role("button", name="Approve").click()
    expect(page.locator("#notice-customer")).to_contain_text("Approved")
    page.locator("#send-notices").click()
    expect(page.locator("body")).to_contain_text("Customer notices are being sent.")
    sent = _notice_mail_wait(store, subject, CUSTOMERS)
    # Exactly the 30, once each: no canary, no other customer, no staff.
    assert sorted(sent) == sorted(addresses)
    _notice_tasks_done(store, incident_id, 1)
    page.reload()
    expect(page.locator("#deliveries")).to_contain_text(f"sent: {CUSTOMERS}")
    # Sending twice sends nothing the second time.
    page.locator("#send-notices").click()
    expect(page.locator("body")).to_contain_text("Customer notices are being sent.")
    _notice_tasks_done(store, incident_id, 2)
    assert sorted(_notice_mail(store, subject)) == sorted(addresses)
    page.reload()
    expect(page.locator("#deliveries")).to_contain_text(f"sent: {CUSTOMERS}")

    # 7. The 72-hour clock on every console page, on the owner's clock.
    deadline = (first_seen + dt.timedelta(hours=72)).astimezone(zoneinfo.ZoneInfo(ZONE))
    shown = f"Tell the regulator by {deadline:%Y-%m-%d %H:%M} IST ({ZONE})"
    for path in ("/console/", "/console/orders/"):
        page.goto(base + path)
        clock = page.locator("#incident-clock")
        expect(clock).to_contain_text(number)
        expect(clock).to_contain_text(shown)
    page.goto(incident_url)
    expect(page.locator("#timeline")).to_contain_text(
        f"Customer notice sent to {CUSTOMERS} customers.")
    expect(page.locator("#timeline li", has_text="Customer notice sent to")).to_have_count(1)

    # Leave the store as found: the incident closed (no clock), the alert acknowledged,
    # the owner's clock back (the clean-up puts back the zone and removes the customers).
    for _ in range(5):
        page.locator("#incident-advance").click()
        page.wait_for_load_state()
    expect(page.locator("#incident-status")).to_have_text("Closed")
    expect(page.locator("#incident-clock")).to_have_count(0)
    page.goto(base + "/console/security/alerts/")
    mass.get_by_role("button", name="Acknowledge").click()
    expect(mass).to_contain_text("acknowledged")
