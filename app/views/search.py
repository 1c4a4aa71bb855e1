"""Directory search: by POST only, minimum criteria, capped results, every search audited."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_login import current_user

from app.core.errors import NeedMore
from app.forms.search import SearchForm
from app.services import search as directory
from app.views._common import render_page
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
    return render_page("search/index.html", "search/_results.html",
                       status=422 if form.errors or problem else 200, form=form,
                       outcome=outcome, problem=problem, go_to=go_to,
                       cap=current_app.config["SEARCH_CAP"])
