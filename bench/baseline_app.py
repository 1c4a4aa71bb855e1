"""The bare-Flask baseline of `bench/load.py`: the same three requests as a search -> reason
-> child page cycle doing the same indexed SELECTs on the same SQLite file, with none of the
app (no sign-in, sessions, CSRF, policy, audit). Served by gunicorn with the same settings:
    BENCH_DB=/path/to/copy.sqlite gunicorn bench.baseline_app:app
"""

from __future__ import annotations

import os
import sqlite3
import threading

from flask import Flask, abort, redirect, render_template_string, request

app = Flask(__name__)
_local = threading.local()
PAGE = """<!DOCTYPE html><html lang="en-GB"><head><title>{{ title }}</title></head><body>
<h1>{{ title }}</h1><table>{% for row in rows %}<tr>{% for v in row %}<td>{{ v }}</td>
{% endfor %}</tr>{% endfor %}</table></body></html>"""


def _db() -> sqlite3.Connection:
    if not hasattr(_local, "db"):
        _local.db = sqlite3.connect(os.environ["BENCH_DB"], check_same_thread=False)
        _local.db.execute("PRAGMA busy_timeout=10000")
    return _local.db


@app.post("/search")
def search():
    """Children by family name key and date of birth, through the key index."""
    day, month, year = request.form.getlist("date_of_birth")
    rows = _db().execute(
        "SELECT c.id, c.given_names, c.family_name, c.date_of_birth, c.gender, c.town "
        "FROM children c WHERE c.status = 'active' AND c.id IN (SELECT child_id FROM "
        "child_name_keys WHERE key = ? AND date_of_birth = ?) "
        "ORDER BY c.family_key, c.given_key, c.id LIMIT 21",
        (request.form["family_name"].lower().replace("'", ""),
         f"{int(year):04d}-{int(month):02d}-{int(day):02d}")).fetchall()
    return render_template_string(PAGE, title="Search", rows=rows)


@app.post("/children/<int:child_id>/reason")
def reason(child_id):
    """The reason step: straight on to the page."""
    return redirect(f"/children/{child_id}")


@app.get("/children/<int:child_id>")
def record(child_id):
    """The child with identifiers, carers and involvements."""
    db = _db()
    child = db.execute("SELECT * FROM children WHERE id = ?", (child_id,)).fetchone()
    if child is None:
        abort(404)
    rows = [child]
    for table in ("identifiers", "carers", "involvements"):
        rows += db.execute(f"SELECT * FROM {table} WHERE child_id = ?",  # noqa: S608 - fixed
                           (child_id,)).fetchall()
    return render_template_string(PAGE, title="Record", rows=rows)


@app.get("/livez")
def livez():
    """Up."""
    return "ok"
