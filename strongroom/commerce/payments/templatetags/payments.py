from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from ..integrity import script_checked

register = template.Library()


@register.simple_tag(takes_context=True)
def payment_script(context, path: str) -> str:
    """``<script>`` for a payment page: only inventory files, with their SRI hash and the
    request's CSP nonce. An unlisted or altered file raises (a server error beats serving
    a script nobody vouched for on the page that leads to card entry)."""
    script = script_checked(path)
    return format_html('<script nonce="{}" src="{}" integrity="sha384-{}" defer></script>',
                       context.get("csp_nonce", ""), static(path), script.sha384)
