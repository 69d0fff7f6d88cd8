"""Jinja filters of the web pages: dates as people read them, docstrings without their markup."""

from __future__ import annotations

import datetime as dt
import re

import jinja2
from markupsafe import Markup, escape

_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`|``([^`]+)``|`([^`]+)`")


def when(value: object) -> Markup:
    """An ISO 8601 timestamp as ``<time datetime="ISO">4 Dec 2026, 20:45 UTC</time>`` (converted to
    UTC), a date alone as ``4 Dec 2026``; a value that is neither is shown as it is; None as an
    empty string."""
    if value is None or value == "":
        return Markup("")
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = dt.date.fromisoformat(text)
        return Markup('<time datetime="{}">{}</time>').format(text, f"{day.day} {day:%b %Y}")
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        return Markup(escape(text))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    utc = stamp.astimezone(dt.UTC)
    shown = f"{utc.day} {utc:%b %Y, %H:%M} UTC"
    return Markup('<time datetime="{}">{}</time>').format(text, shown)


def plain_rst(value: object) -> Markup:
    """A docstring's reStructuredText roles and literals (``:func:`x```, double and single
    backticks) shown as code, everything else as escaped text."""
    text = "" if value is None else str(value)
    out: list[str] = []
    last = 0
    for m in _ROLE.finditer(text):
        out.append(str(escape(text[last : m.start()])))
        name = next(g for g in m.groups() if g is not None)
        out.append(str(Markup("<code>{}</code>").format(name)))
        last = m.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def register(env: jinja2.Environment) -> None:
    """Add the filters ``when`` and ``plain_rst`` to a jinja environment."""
    env.filters["when"] = when
    env.filters["plain_rst"] = plain_rst
