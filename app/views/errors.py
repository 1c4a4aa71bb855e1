"""Friendly error pages (and fragments) for the errors a user can meet."""

from __future__ import annotations

from flask import render_template, request
from flask_wtf.csrf import CSRFError

from app.core.errors import NotAllowed, NotFound, Refused
from app.extensions import db
from app.views._common import wants_fragment

MESSAGES = {
    400: ("Something was wrong with that request",
          "Go back, check what you entered and try again."),
    401: ("You need to sign in", "Sign in to carry on."),
    403: ("You cannot see this page", "Your role does not allow it. Ask an administrator "
          "if you think you need access."),
    404: ("Page not found", "Check the address, or go back to the home page."),
    405: ("That action is not allowed here", "Go back and use the buttons on the page."),
    409: ("That cannot be done now", "Something else changed first. Go back and try again."),
    413: ("That upload is too big", "Try a smaller file."),
    429: ("Too many attempts", "Wait a minute, then try again."),
    500: ("Sorry, there is a problem with the service", "Nothing was saved. Try again later."),
}


def _page(status: int, title: str | None = None, message: str | None = None):
    default_title, default_message = MESSAGES.get(status, MESSAGES[500])
    template = "errors/_error.html" if wants_fragment() else "errors/error.html"
    body = render_template(template, status=status, title=title or default_title,
                           message=message or default_message)
    return body, status, {"Vary": "HX-Request"}


def register(app) -> None:
    """Attach the handlers to the app."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        """The form's security token was missing or stale."""
        return _page(400, "This form has expired",
                     "For your security, forms stop working when your session ends. "
                     "Go back, reload the page and try again.")

    def http_error(error):
        """A 4xx page; a description given to abort() replaces the default message."""
        custom = error.description if error.description != type(error).description else None
        return _page(error.code, message=custom)

    for status in (400, 401, 403, 404, 405, 409, 413, 429):
        app.register_error_handler(status, http_error)

    @app.errorhandler(NotAllowed)
    def not_allowed(error):
        """The rules refuse this to this user: nothing was changed."""
        db.session.rollback()
        return _page(403)

    @app.errorhandler(NotFound)
    def not_found(error):
        """No such thing (or not one this user may know of)."""
        db.session.rollback()
        return _page(404, message=error.message)

    @app.errorhandler(Refused)
    def refused(error):
        """A refusal no page caught to show beside its form: say why, nothing changed."""
        db.session.rollback()
        return _page(409, message=str(error))

    @app.errorhandler(500)
    def server_error(error):
        """Roll back whatever was half done, then apologise."""
        db.session.rollback()
        app.logger.error("unhandled error on %s %s", request.method, request.endpoint)
        return _page(500)
