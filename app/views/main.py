"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from app.services import health, navigation
from app.views._common import public

bp = Blueprint("main", __name__)
TEXT = {"Content-Type": "text/plain; charset=utf-8"}


@bp.route("/")
def index():
    """Home: what is waiting for the signed-in person, and where to start."""
    return render_template("main/index.html", waiting=navigation.waiting(current_user))


WORDS = [
    ("Archive", "Where a record goes when the law says it should no longer be in the "
     "directory (usually at 18): only the management team can open it, with a reason, "
     "until it is destroyed."),
    ("Audit trail", "The record of every look at and change to the directory: who, when, "
     "and the reason they gave. Everyone can see their own under Your access history."),
    ("Correction request", "Someone asking for wrong information about them or their "
     "child to be put right (the law calls this rectification)."),
    ("Involvement", "A service working with a child, recorded by the organisation that "
     "provides it, with how to reach the person working with the child."),
    ("Local reference", "Your own setting's number for a child, such as your MIS "
     "admission number. Only your organisation sees it."),
    ("Look-up request", "A request from someone who has no access of their own, such as a "
     "nurse in another setting, asking an organisation to look a child up for them. The "
     "answer holds only what they may be told."),
    ("Management team", "The administrators of the organisation that runs TeamAround for "
     "everyone here. They review shields, put people in touch, answer subject access "
     "requests and watch the audit trail."),
    ("NHS number", "A child's 10-digit number in the NHS, written in groups of 3, 3 and 4, "
     "like 943 476 5919."),
    ("OFFICIAL-SENSITIVE", "The marking on printed pages and letters: the information could "
     "harm someone if lost. Keep it safe and shred it when you no longer need it."),
    ("Parental responsibility", "The legal rights and duties of a parent. A mother has it; "
     "a father usually does; others can gain it through a court."),
    ("Putting people in touch", "When showing where a child is could put someone at risk, "
     "the management team passes a message on instead of showing the details."),
    ("Reason", "What you say before you open a child's record: why you need to see it. It "
     "is recorded with every page you see, and one reason covers the record for a few "
     "minutes."),
    ("Shielded record", "A record whose address, contacts and services are hidden from "
     "most people because showing them could put the child or someone else at risk."),
    ("Subject access request", "Someone asking, as the law allows, for a copy of the "
     "information held about them or their child. The answer is a report, sent within a "
     "month."),
    ("ULN", "Unique Learner Number: a 10-digit number for young people aged 14 and over in "
     "education or training."),
    ("UPN", "Unique Pupil Number: a 13-character number a school gives each pupil, a letter "
     "then 12 numbers or letters."),
]


@bp.route("/words")
@public
def words():
    """A glossary of the few terms of art that remain."""
    return render_template("main/words.html", words=WORDS)


@bp.route("/healthz")
@public
def healthz():
    """200 'ok' when every configured dependency answers; 503 naming those that do not."""
    down = health.failing()
    return (f"unavailable: {', '.join(down)}", 503, TEXT) if down else ("ok", 200, TEXT)


@bp.route("/livez")
@public
def livez():
    """200 while the process can answer at all (it asks nothing of any dependency)."""
    return "ok", 200, TEXT
