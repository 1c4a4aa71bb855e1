"""Fuzzing every form: find the forms on the pages a user sees, post generated hostile values
to them, and look through the database for text that should never have been stored.

Used by tests/integration/test_fuzz_forms.py (a small, fixed-seed run inside `make test`)
and by bench/fuzz_forms.py (a longer random run a reviewer can repeat)."""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import sqlalchemy as sa
from hypothesis import strategies as st

from app.core.text import BIDI, CONTROLS
from app.extensions import db

# ---- the forms on a page ---------------------------------------------------------------


@dataclass
class Form:
    """A form a page offers: where it posts and its fields' default values and choices."""

    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)


class _Forms(HTMLParser):
    """Every <form method="post"> and every element with hx-post, with the fields inside."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url, self.forms, self._open, self._select, self._textarea = \
            page_url, [], None, None, None
        self._hx: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._open = Form(urljoin(self.page_url, a.get("action") or self.page_url))
            self.forms.append(self._open)
        if a.get("hx-post"):
            self._hx.append(urljoin(self.page_url, a["hx-post"]))
        if self._open is not None and a.get("name"):
            self._field(tag, a)

    def _field(self, tag, a):
        name, form = a["name"], self._open
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                form.choices.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    form.fields.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "image", "file"):
                form.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "button" and a.get("value"):
            form.choices.setdefault(name, []).append(a["value"])
        elif tag == "select":
            self._select = name
            form.choices.setdefault(name, [])
        elif tag == "option" and self._select:
            form.choices[self._select].append(a.get("value", ""))
            if "selected" in a or self._select not in form.fields:
                form.fields[self._select] = [a.get("value", "")]
        elif tag == "textarea":
            self._textarea = name
            form.fields[name] = [""]

    def handle_data(self, data):
        if self._textarea and self._open is not None:
            self._open.fields[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form" and self._open is not None:
            for url in self._hx:
                self.forms.append(Form(url, dict(self._open.fields), dict(self._open.choices)))
            self._hx, self._open = [], None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def close(self):
        super().close()
        self.forms.extend(Form(url) for url in self._hx)


def forms_on(page_url: str, html: str) -> list[Form]:
    """The forms that post, found on a page."""
    parser = _Forms(page_url)
    parser.feed(html)
    parser.close()
    return parser.forms


# ---- hostile values ----------------------------------------------------------------------

NASTY = [
    "", " ", "\x00", "Ok\x00afor", "\x1b[31mred", "a\r\nX-Injected: 1", "line\none", "\t",
    "\u202erofakO", "Oka\u2066for", "\u200b", "\ufeff", "\ufffd", "Zoe\u0308", "\x85", "\x7f",
    "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)", "<script>alert(1)</script>", "' OR 1=1 --",
    "../../etc/passwd", "%00", "%FF", "{{7*7}}", "${7*7}", "٣", "٢٠١٦", "½", "\U0001d7d8\U0001d7d9", "\u216b",
    "0", "-0", "1e309", "NaN", "9" * 30, "-" + "9" * 30, "2026-02-30", "31/02/2026",
    "29/02/2027", "x" * 5000, "é" * 300, "🙂" * 50, "null", "true", "[]", "{}",
]

text_values = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    st.text(st.characters(codec="ascii"), max_size=12),
    st.integers(-10**25, 10**25).map(str),
)


@st.composite
def filled(draw, form: Form) -> dict[str, list[str]]:
    """The form's fields, each kept, emptied, dropped or replaced by a hostile value; now
    and then a field the form does not have, or a legal choice for a choice field."""
    data: dict[str, list[str]] = {}
    names = sorted(set(form.fields) | set(form.choices))
    for name in names:
        defaults = form.fields.get(name, [])
        if name.endswith("csrf_token"):  # a prefixed form's own copy of the token
            if name != "csrf_token":
                data[name] = list(defaults)
            continue
        move = draw(st.sampled_from(["keep", "hostile", "hostile", "choice", "drop"]))
        if move == "keep" and defaults:
            data[name] = list(defaults)
        elif move == "choice" and form.choices.get(name):
            data[name] = [draw(st.sampled_from(form.choices[name]))]
        elif move != "drop":
            data[name] = [draw(text_values) for _ in range(max(1, len(defaults)))]
    if draw(st.integers(0, 9)) == 9:
        data[draw(st.sampled_from(["id", "child", "next", "grant", "user_id"]))] = \
            [draw(text_values)]
    return data


@st.composite
def requests(draw, form: Form):
    """What to send: fields, whether as htmx, and whether to spoil the body's UTF-8."""
    return {"data": draw(filled(form)), "htmx": draw(st.booleans()),
            "raw": draw(st.integers(0, 7)) == 7}


def send(client, url: str, token: str, data: dict[str, list[str]], *, htmx: bool, raw: bool):
    """POST the fields (with the CSRF token) as a browser would, or with bytes that are not
    UTF-8 in the body."""
    headers = {"HX-Request": "true"} if htmx else {}
    if not raw:
        return client.post(url, data={**data, "csrf_token": token}, headers=headers)
    pairs = [f"{quote(k)}={quote(v)}" for k, vs in data.items() for v in vs]
    body = "&".join([*pairs, f"csrf_token={quote(token)}"]).encode() + b"&x=\xff\xfe%FF%C0%80"
    return client.post(url, data=body, headers=headers,
                       content_type="application/x-www-form-urlencoded")


# ---- the database afterwards -------------------------------------------------------------

_BAD = re.compile("[" + re.escape(CONTROLS.replace("\n", "") + BIDI + "\ufffd") + "]")


def _strings(value):
    """The strings inside a column value (JSON text is opened: escapes hide characters)."""
    if isinstance(value, str):
        yield value
        if value[:1] in "[{":
            with contextlib.suppress(ValueError):
                yield from _strings(json.loads(value))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def stored_bad_text() -> list[str]:
    """Every text value in every table holding a control character, a direction override or
    the replacement character (the app must be active)."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, sa.String | sa.JSON)]
        if not columns:
            continue
        for row in db.session.execute(sa.select(*columns)):
            for column, value in zip(columns, row, strict=True):
                for text in _strings(value):
                    if _BAD.search(text):
                        found.append(f"{table.name}.{column.name}: {text[:60]!r}")
    return found


def endpoint_of(app, url: str, method: str = "POST") -> str | None:
    """The endpoint that a URL reaches, or None."""
    adapter = app.url_map.bind("localhost")
    try:
        return adapter.match(urlsplit(url).path, method=method)[0]
    except Exception:
        return None
