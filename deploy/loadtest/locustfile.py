"""Shoppers for `make loadtest`: browse, sometimes sign up, add to cart, check out, and pay
on the sandbox gateway's hosted page with a test card, like a person in a browser (forms
with their CSRF tokens, Referer headers, redirects followed).

Each simulated shopper comes from its own loopback address (127.R.x.y): the store
throttles sign-up and sign-in per client address, as it should, and fifty shoppers
behind one address would look like one client hammering it.

A shopper reads each page before the next click: ``LOADTEST_THINK`` seconds ("1-3" by
default, drawn uniformly) between page views and form posts; the redirects a browser
follows by itself (card form -> store -> order page) come without a pause.
``LOADTEST_THINK=0`` removes the pauses: fifty clients clicking as fast as the store
answers, a stress run that measures capacity (every response then waits in a queue).
"""

from __future__ import annotations

import itertools
import os
import random
import re
import secrets

from locust import HttpUser, between, task
from requests.adapters import HTTPAdapter

CA = os.environ.get("LOADTEST_CA", "var-prod/tls/ca.pem")
_addresses = itertools.count(2)
# New shoppers each run: the store's per-address limits last an hour (in Redis, which
# outlives a run), so a second run from the same addresses would meet the first's counts.
RUN = secrets.randbelow(250) + 1


def _think_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    try:
        bounds = (float(low), float(high or low))
    except ValueError:
        bounds = (-1.0, -1.0)
    if not 0 <= bounds[0] <= bounds[1] <= 60:
        raise SystemExit(f"LOADTEST_THINK={text!r}: give seconds as N or LOW-HIGH (0-60)")
    return bounds


THINK = _think_range(os.environ.get("LOADTEST_THINK", "1-3"))
LINK = re.compile(r'href="(/(?:c|p)/[^"/]+/)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VARIANT = re.compile(r'name="variant"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="variant"')
PAY_TOKEN = re.compile(r'name="token" value="([^"]+)"')


class SourceAddressAdapter(HTTPAdapter):
    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


class Shopper(HttpUser):
    wait_time = between(*THINK)  # between journeys and, through _think, between pages

    def on_start(self) -> None:
        self.signed_up = False
        n = next(_addresses)
        adapter = SourceAddressAdapter(f"127.{RUN}.{n // 250}.{n % 250 + 2}")
        self.client.mount("https://", adapter)
        self.client.trust_env = False  # REQUESTS_CA_BUNDLE would replace our CA
        self.client.verify = CA

    def _think(self) -> None:
        if THINK[1]:
            self.wait()

    def _get(self, path: str, name: str):
        self._think()
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{name}: HTTP {response.status_code}")
            return response

    def _post(self, path: str, data: dict, name: str, referer: str, ok=(200, 302)):
        self._think()
        with self.client.post(path, data=data, name=name, allow_redirects=False,
                              headers={"Referer": self.host + referer},
                              catch_response=True) as response:
            if response.status_code not in ok:
                response.failure(f"{name}: HTTP {response.status_code}")
            return response

    @task
    def shop(self) -> None:
        home = self._get("/", "home")
        categories = [u for u in LINK.findall(home.text) if u.startswith("/c/")]
        if categories:
            self._get(random.choice(categories), "category")  # noqa: S311
        self._get("/search/?q=" + random.choice(["tea", "mug", "a", "blue"]),  # noqa: S311
                  "search")
        products = [u for u in LINK.findall(home.text) if u.startswith("/p/")]
        if not products:
            return
        path = random.choice(products)  # noqa: S311
        page = self._get(path, "product")
        variant = next((a or b for a, b in VARIANT.findall(page.text)), None)
        token = CSRF.search(page.text)
        if not variant or not token:
            return  # out of stock: browsing only
        self._think()
        with self.client.post("/cart/add/", name="cart add", allow_redirects=False,
                              headers={"Referer": self.host + path}, catch_response=True,
                              data={"csrfmiddlewaretoken": token.group(1), "variant": variant,
                                    "quantity": 1}) as added:
            if added.status_code == 400 and (" left in stock." in added.text
                                             or " is out of stock." in added.text):
                added.success()  # sold out meanwhile: the store said so, as it should
                return
            if added.status_code != 302:
                added.failure(f"cart add: HTTP {added.status_code}")
                return
        cart = self._get("/cart/", "cart")
        if not self.signed_up and random.random() < 0.3:  # noqa: S311
            self._sign_up()  # a person signs up once (the store throttles more per address)
        self._checkout(CSRF.search(cart.text).group(1))

    def _sign_up(self) -> None:
        form = self._get("/account/signup/", "sign-up page")
        token = CSRF.search(form.text)
        password = secrets.token_urlsafe(18)
        self._post("/account/signup/", {
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "email": f"load-{secrets.token_hex(6)}@example.test", "full_name": "Load Shopper",
            "password": password, "password_confirm": password}, "sign up", "/account/signup/")
        self.signed_up = True

    def _checkout(self, token: str) -> None:
        email = f"buyer-{secrets.token_hex(5)}@example.test"
        address = {"csrfmiddlewaretoken": token, "email": email,
                   "full_name": "Load Buyer", "line1": "1 Test Street", "line2": "",
                   "city": "Berlin", "postal_code": "10115", "country": "DE", "phone": "",
                   "shipping_method": "standard"}
        page = self._get("/checkout/", "checkout page")
        token_now = CSRF.search(page.text)
        if token_now:
            address["csrfmiddlewaretoken"] = token_now.group(1)
        self._post("/checkout/", {**address, "step": "address"}, "checkout address",
                   "/checkout/", ok=(200,))
        self._post("/checkout/", {**address, "step": "shipping"}, "checkout shipping",
                   "/checkout/", ok=(200,))
        placed = self._post("/checkout/", {**address, "step": "review"}, "place order",
                            "/checkout/", ok=(302,))
        pay_url = placed.headers.get("Location", "")
        if not pay_url.startswith("http"):
            pay_url = self.host + pay_url
        self._think()
        with self.client.get(pay_url, name="gateway page", catch_response=True) as gateway:
            if gateway.status_code != 200:
                gateway.failure(f"gateway page: HTTP {gateway.status_code}")
                return
        form_token = PAY_TOKEN.search(gateway.text)
        action = gateway.url.split("?")[0]
        self._think()  # typing the card number
        with self.client.post(action, name="pay (sandbox)", allow_redirects=True,
                              catch_response=True, data={
                                  "token": form_token.group(1) if form_token else "",
                                  "number": "4242 4242 4242 4242", "expiry": "12/34",
                                  "cvc": "123"}) as paid:
            if paid.status_code != 200 or "/order/" not in paid.url:
                paid.failure(f"pay: HTTP {paid.status_code} at {paid.url}")
