"""The bare-Flask baseline of `bench/load.py`: the same three requests as a search -> reason
-> child page cycle doing the same indexed SELECTs on the same SQLite file, with none of the
app (no sign-in, sessions, CSRF, policy, audit). Served by gunicorn with the same settings:
    BENCH_DB=/path/to/copy.sqlite gunicorn bench.baseline_app:app
"""

from __future__ import annotations

import os
from datetime import date

import sqlalchemy as sa
from flask import Flask, abort, redirect, render_template_string, request

from bench.seeded import sqlalchemy_url

app = Flask(__name__)
engine = sa.create_engine(sqlalchemy_url(os.environ["BENCH_DB"]), pool_size=8)
PAGE = """<!DOCTYPE html><html lang="en-GB"><head><title>{{ title }}</title></head><body>
<h1>{{ title }}</h1><table>{% for row in rows %}<tr>{% for v in row %}<td>{{ v }}</td>
{% endfor %}</tr>{% endfor %}</table></body></html>"""


def _rows(sql: str, **params) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


@app.post("/search")
def search():
    """Children by family name key and date of birth, through the key index."""
    day, month, year = request.form.getlist("date_of_birth")
    rows = _rows(
        "SELECT c.id, c.given_names, c.family_name, c.date_of_birth, c.gender, c.town "
        "FROM children c WHERE c.status = 'active' AND c.id IN (SELECT child_id FROM "
        "child_name_keys WHERE key = :key AND date_of_birth = :born) "
        "ORDER BY c.family_key, c.given_key, c.id LIMIT 21",
        key=request.form["family_name"].lower().replace("'", ""),
        born=date(int(year), int(month), int(day)))
    return render_template_string(PAGE, title="Search", rows=rows)


@app.post("/children/<int:child_id>/reason")
def reason(child_id):
    """The reason step: straight on to the page."""
    return redirect(f"/children/{child_id}")


@app.get("/children/<int:child_id>")
def record(child_id):
    """The child with identifiers, carers and involvements."""
    rows = _rows("SELECT * FROM children WHERE id = :id", id=child_id)
    if not rows:
        abort(404)
    for table in ("identifiers", "carers", "involvements"):
        rows += _rows(f"SELECT * FROM {table} WHERE child_id = :id",  # noqa: S608 - fixed
                      id=child_id)
    return render_template_string(PAGE, title="Record", rows=rows)


@app.get("/livez")
def livez():
    """Up."""
    return "ok"
