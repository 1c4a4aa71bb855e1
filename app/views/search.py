"""Directory search: by POST only, minimum criteria, capped results, every search audited."""

from __future__ import annotations

from flask import Blueprint, abort, current_app
from flask_login import current_user

from app.extensions import db
from app.forms.search import SearchForm
from app.models import Role
from app.services import search as directory
from app.views._common import client_ip, render_page

bp = Blueprint("search", __name__, url_prefix="/search")


@bp.before_request
def _practitioners_only():
    """Directory-wide search is for practitioners and the management team."""
    if not (current_user.role == Role.practitioner or current_user.is_management):
        abort(403)


def _criteria(form: SearchForm) -> directory.Criteria:
    return directory.Criteria(
        family_name=form.family_name.data or "", given_names=form.given_names.data or "",
        date_of_birth=form.date_of_birth.data, age=form.age.data,
        district=form.district.data or "", identifier=form.identifier.data or "")


@bp.route("", methods=["GET", "POST"])
def index():
    """Find a child. Results update as you type (htmx) and the form works without it."""
    form = SearchForm()
    outcome, problem = None, None
    if form.validate_on_submit():
        try:
            outcome = directory.search(current_user, _criteria(form), ip=client_ip(),
                                       cap=current_app.config["SEARCH_CAP"])
        except directory.NeedMore as error:
            problem = str(error)
        else:
            db.session.commit()
    status = 422 if form.errors or problem else 200
    return render_page("search/index.html", "search/_results.html", status=status, form=form,
                       outcome=outcome, problem=problem, cap=current_app.config["SEARCH_CAP"])
