import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from strongroom.commerce.catalog.models import Product
from strongroom.commerce.demo import OWNER_EMAIL, demo_load
from strongroom.commerce.orders.models import Order

pytestmark = pytest.mark.django_db


def test_demo_loads_once_and_generates_a_new_owner_password_each_time(capsys):
    first = demo_load(if_empty=True)
    products, orders = Product.objects.count(), Order.objects.count()
    assert first.catalog_loaded and products >= 10 and orders >= 5
    second = demo_load(if_empty=True)
    assert not second.catalog_loaded
    assert (Product.objects.count(), Order.objects.count()) == (products, orders)
    assert first.owner_password != second.owner_password
    assert len(second.owner_password) >= 16
    assert authenticate(email=OWNER_EMAIL, password=first.owner_password) is None
    owner = authenticate(email=OWNER_EMAIL, password=second.owner_password)
    assert owner is not None and owner.is_staff and owner.is_superuser
    # Demo customers have no usable password.
    customers = get_user_model().objects.filter(is_staff=False)
    assert customers.exists() and not any(c.has_usable_password() for c in customers)


def test_demo_command_prints_the_login(capsys):
    call_command("demo", "--if-empty")
    out = capsys.readouterr().out
    assert OWNER_EMAIL in out and "password:" in out
