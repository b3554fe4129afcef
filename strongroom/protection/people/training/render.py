"""Module Markdown to HTML, the small subset the modules use (headings, lists,
paragraphs, **bold**). Everything is escaped first: an edited module file cannot inject
markup or script into the console."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def markdown_html(text: str) -> SafeString:
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [ln.rstrip() for ln in block.splitlines() if ln.strip()]
        if not lines:
            continue
        if lines[0].startswith("#"):
            level = min(len(lines[0]) - len(lines[0].lstrip("#")) + 1, 4)
            out.append(f"<h{level}>{_inline(lines[0].lstrip('#').strip())}</h{level}>")
            lines = lines[1:]
            if not lines:
                continue
        if all(ln.startswith(("- ", "  ")) for ln in lines):
            items, current = [], ""
            for ln in lines:
                if ln.startswith("- "):
                    if current:
                        items.append(current)
                    current = ln[2:]
                else:
                    current += " " + ln.strip()
            items.append(current)
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
        else:
            out.append(f"<p>{_inline(' '.join(ln.strip() for ln in lines))}</p>")
    return mark_safe("\n".join(out))  # noqa: S308 - every piece escaped in _inline


def _inline(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", escape(text))
