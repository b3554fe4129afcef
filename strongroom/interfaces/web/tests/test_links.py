"""``{% link %}`` answers what ``{% url %}`` answers, remembered only under the same
script prefix, language and arguments."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory
from django.urls import NoReverseMatch, clear_script_prefix, set_script_prefix

from strongroom.interfaces.web.templatetags.links import _reverse, link_reverse


def _render(source: str, **context) -> str:
    request = RequestFactory().get("/")
    return Template("{% load links %}" + source).render(Context({"request": request,
                                                                 **context}))


@pytest.mark.parametrize(("name", "args"), [
    ("storefront:home", ()), ("storefront:cart", ()), ("storefront:category", ("coffee",)),
    ("storefront:product", ("ethiopia-yirgacheffe",)),
])
def test_link_is_what_url_gives(name, args):
    quoted = " ".join(f"'{a}'" for a in args)
    assert (_render(f"{{% link '{name}' {quoted} %}}")
            == Template(f"{{% url '{name}' {quoted} %}}").render(Context({})))


def test_an_argument_from_the_context_and_the_as_form():
    out = _render("{% link 'storefront:category' slug as there %}[{{ there }}]", slug="tea")
    assert out == "[/c/tea/]"


def test_each_argument_has_its_own_answer():
    assert link_reverse("storefront:category", "tea") == "/c/tea/"
    assert link_reverse("storefront:category", "coffee") == "/c/coffee/"


def test_the_script_prefix_is_part_of_the_key():
    _reverse.cache_clear()
    assert link_reverse("storefront:cart") == "/cart/"
    set_script_prefix("/shop/")
    try:
        assert link_reverse("storefront:cart") == "/shop/cart/"
    finally:
        clear_script_prefix()
    assert link_reverse("storefront:cart") == "/cart/"


def test_an_unknown_name_fails_like_url():
    with pytest.raises(NoReverseMatch):
        _render("{% link 'storefront:no-such-page' %}")
    with pytest.raises(NoReverseMatch):
        _render("{% link 'storefront:category' %}")  # an argument missing


def test_a_link_needs_a_name():
    with pytest.raises(TemplateSyntaxError):
        _render("{% link %}")
