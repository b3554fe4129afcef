"""The training gate in a real browser against a real store: an untrained support agent
sees customer data masked with a banner naming the modules, a reveal is refused, the agent
takes each quiz (answers chosen by their text; the page never marks the right one) and
then the reveal works."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from strongroom.protection.access.roles import Role
from strongroom.protection.people.training.selectors import modules_required
from strongroom.testing.accounts import console_sign_in
from strongroom.testing.live import live_shell

pytestmark = pytest.mark.browser
AGENT = "agent.training@staff.example.test"
PASSWORD = "correct horse battery staple"
MAKE_AGENT = (
    "from strongroom.testing.accounts import staff_make\n"
    "from strongroom.protection.access.models import StaffRole\n"
    f"u = staff_make(mfa=False, trained=False, email='{AGENT}', full_name='Agent Training')\n"
    "StaffRole.objects.create(user=u, role='support')\n")


def _reveal_email(page) -> None:
    page.locator("#reveal-form").get_by_label("Email").check()
    page.locator("#reveal-form select[name='reason']").select_option("customer_request")
    page.locator("#reveal-button").click()
    page.wait_for_load_state()


def test_untrained_agent_is_refused_then_reveals_after_the_quizzes(page, live_store):
    live_shell(live_store, MAKE_AGENT)
    console_sign_in(page, live_store, email=AGENT, password=PASSWORD)
    page.goto(live_store.base_url + "/console/customers/")
    expect(page.locator("#training-banner")).to_contain_text("Phishing and social engineering")
    expect(page.locator("main")).not_to_contain_text("Ada Lovelace")
    # The oldest row is a demo customer (other browser tests add, and erase, newer ones).
    page.locator("table a[href^='/console/customers/']").last.click()
    customer_url = page.url
    _reveal_email(page)
    expect(page.locator("body")).to_contain_text("masked for you until your training")
    expect(page.locator("#revealed-note")).to_have_count(0)

    for module in modules_required(role=Role.SUPPORT):
        page.goto(f"{live_store.base_url}/console/training/{module.slug}/")
        for question in module.questions:
            right = question.options[next(iter(question.correct))]
            fieldset = page.locator("fieldset", has_text=question.text)
            fieldset.locator("label", has_text=re.compile("^ ?" + re.escape(right))).click()
        page.get_by_role("button", name="Submit answers").click()
        expect(page.locator("body")).to_contain_text("Passed with 100%")

    page.goto(customer_url)
    expect(page.locator("#training-banner")).to_have_count(0)
    _reveal_email(page)
    expect(page.locator("#revealed-note")).to_be_visible()
