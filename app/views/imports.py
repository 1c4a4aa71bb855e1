"""Importing a school's roll: upload a CSV or Common Transfer File, watch it being checked,
decide the rows a person must, confirm, watch the children being added. The work runs on
the job queue; these pages only read its progress and call the import services."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.forms import EmptyForm
from app.forms.imports import RowDecisionForm, UploadForm
from app.jobs.tasks import run_import
from app.models import ImportStatus, RowOutcome
from app.services import imports
from app.services.imports import files, pages, review
from app.views._common import download, refusal, render_page, wants_fragment
from app.views.guards import guard

bp = Blueprint("imports", __name__, url_prefix="/imports")
guard(bp, imports.may_import)
log = logging.getLogger(__name__)
SECTIONS = {"new": (RowOutcome.new,), "matched": (RowOutcome.matched, RowOutcome.unchanged),
            "management": (RowOutcome.held_management,), "left_out": (RowOutcome.left_out,)}


def allow_import_upload() -> None:
    """The upload may be as large as IMPORT_MAX_BYTES (other forms keep the small
    default); runs before anything reads the body."""
    if request.endpoint == "imports.index" and request.method == "POST":
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"] + 256 * 1024


def _queue(job_id: int) -> None:
    try:
        run_import.enqueue(job_id)
    except Exception:  # the queue is away: its sweep takes the job up when it is back
        log.exception("import %s: could not reach the job queue", job_id)


@bp.route("/", methods=["GET", "POST"])
def index():
    """Upload a file, and the imports so far."""
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.upload.data
        with refusal(form.upload):
            job_id = review.start(current_user, upload.filename or "", upload.read())
            _queue(job_id)
            return redirect(url_for("imports.show", job_id=job_id))
    return render_template("imports/index.html", form=form, jobs=review.recent(current_user)), \
        422 if form.is_submitted() else 200


@bp.route("/template.csv")
def template():
    """The CSV template: every column, and one example row."""
    return download(files.template(), "teamaround-import-template.csv", "text/csv")


@bp.route("/<int:job_id>")
def show(job_id):
    """The import: its progress while the queue works, its preview while it waits for
    you, its outcome when done."""
    job = review.find(current_user, job_id)
    progress = pages.progress(job)
    if progress.working:
        return render_page("imports/progress.html", "imports/_progress.html", job=job,
                           progress=progress)
    section = request.args.get("show", "new")
    outcomes = SECTIONS.get(section, SECTIONS["new"])
    page = min(max(1, request.args.get("page", 1, type=int) or 1), 100_000)
    shown, shown_total = pages.lines(current_user, job, outcomes, page)
    held, held_total = (pages.held(current_user, job) if job.status == ImportStatus.previewed
                        else ([], 0))
    forms = {}
    for line in held:
        forms[line.number] = RowDecisionForm(prefix=f"row{line.number}")
        forms[line.number].offer(line.candidates)
    return render_template("imports/show.html", job=job, progress=progress,
                           counts=review.counts(job.id), errors=review.errors(job.id, limit=50),
                           section=section, shown=shown, shown_total=shown_total, page=page,
                           page_size=pages.PAGE, held=held, held_total=held_total, forms=forms,
                           form=EmptyForm())


@bp.route("/<int:job_id>/progress")
def progress(job_id):
    """htmx: the progress panel, asked for every two seconds; when the work is done the
    whole page is loaded again."""
    job = review.find(current_user, job_id)
    state = pages.progress(job)
    if not state.working and wants_fragment():
        response = make_response("", 204)
        response.headers["HX-Refresh"] = "true"
        return response
    return render_page("imports/progress.html", "imports/_progress.html", job=job,
                       progress=state)


@bp.route("/<int:job_id>/errors.csv")
def errors(job_id):
    """The rows with errors as a spreadsheet, to put right in the MIS."""
    job = review.find(current_user, job_id)
    return download(pages.errors_csv(job), f"import-{job.id}-errors.csv", "text/csv")


@bp.route("/<int:job_id>/rows/<int:row_number>", methods=["POST"])
def decide(job_id, row_number):
    """A person's decision about a held row."""
    job = review.find(current_user, job_id)
    form = RowDecisionForm(prefix=f"row{row_number}")
    if form.validate_on_submit():
        with refusal():
            review.decide_row(current_user, job.id, row_number, form.decision.data)
            flash(f"Row {row_number}: your decision is saved.", "success")
    else:
        flash(f"Row {row_number}: select who this pupil is, or leave them out.", "info")
    return redirect(url_for("imports.show", job_id=job.id, _anchor=f"row-{row_number}"))


@bp.route("/<int:job_id>/confirm", methods=["POST"])
def confirm(job_id):
    """Add the children: the queue does it, and this page shows how far it has got."""
    form = EmptyForm()
    if form.validate_on_submit():
        with refusal():
            review.confirm(current_user, job_id)
            _queue(job_id)
    return redirect(url_for("imports.show", job_id=job_id))


@bp.route("/<int:job_id>/abandon", methods=["GET", "POST"])
def abandon(job_id):
    """Throw the import away, after asking."""
    job = review.find(current_user, job_id)
    form = EmptyForm()
    if form.validate_on_submit():
        with refusal():
            review.abandon(current_user, job.id)
            flash("The import was abandoned: nothing was added, and the file is deleted.",
                  "success")
            return redirect(url_for("imports.index"))
        return redirect(url_for("imports.show", job_id=job.id))
    return render_template("imports/abandon.html", job=job, form=form,
                           counts=review.counts(job.id))
