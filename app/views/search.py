"""Directory search: by POST only, minimum criteria, capped results, every search audited."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_login import current_user

from app.core.errors import NeedMore
from app.forms.search import SearchForm
from app.services import search as directory
from app.views._common import render_page, wants_fragment
from app.views.guards import guard, is_practitioner

bp = Blueprint("search", __name__, url_prefix="/search")
guard(bp, is_practitioner)


@bp.route("", methods=["GET", "POST"])
def index():
    """Find a child. Results update as you type (htmx) and the form works without it."""
    form = SearchForm()
    outcome, problem, go_to = None, None, None
    if form.validate_on_submit():
        try:
            outcome = directory.search(current_user, form.criteria(),
                                       cap=current_app.config["SEARCH_CAP"])
        except NeedMore as error:
            problem, go_to = str(error), error.field
            if not wants_fragment():  # the page: its summary, and the box to go to marked
                _mark(form, go_to, problem)
    return render_page("search/index.html", "search/_results.html",
                       status=422 if form.errors or problem else 200, form=form,
                       outcome=outcome, problem=problem, go_to=go_to,
                       cap=current_app.config["SEARCH_CAP"])


def _mark(form: SearchForm, go_to: str, problem: str) -> None:
    """Put what the search still needs on the box it points to (a date's first box
    names the date), so the page's error summary and that box show it."""
    field = getattr(form, go_to.removesuffix("-day"), None)
    if field is not None:
        field.errors = [*field.errors, problem]
