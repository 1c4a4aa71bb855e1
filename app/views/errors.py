"""Friendly error pages (and fragments) for the errors a user can meet, and the one place
that maps the domain's refusals to answers: NotAllowed 403, NotFound 404, Refused 409."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError

from app.core.errors import NotAllowed, NotFound, Refused
from app.services import transaction
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
    if request_ctx.url_adapter is None:  # a Host we do not answer: no URL can be built
        return ("This service does not answer to that address.\n", status,
                {"Content-Type": "text/plain; charset=utf-8"})
    template = "errors/_error.html" if wants_fragment() else "errors/error.html"
    body = render_template(template, status=status, title=title or default_title,
                           message=message or default_message)
    return body, status, {"Vary": "HX-Request"}


def csrf_error(error):
    """The form's security token was missing or stale."""
    return _page(400, "This form has expired",
                 "For your security, forms stop working when your session ends. "
                 "Go back, reload the page and try again.")


def http_error(error):
    """A 4xx page; a description given to abort() replaces the default message."""
    custom = error.description if error.description != type(error).description else None
    return _page(error.code, message=custom)


def refusal_error(error):
    """A refusal of the domain: nothing it began is kept."""
    transaction.discard()
    if isinstance(error, NotAllowed):
        return _page(403)
    if isinstance(error, NotFound):
        return _page(404, message=error.message)
    return _page(409, message=str(error))  # a Refused no page caught beside its form


def server_error(error):
    """Roll back whatever was half done, then apologise."""
    transaction.discard()
    current_app.logger.error("unhandled error on %s %s", request.method, request.endpoint)
    return _page(500)


def register(app) -> None:
    """Attach the handlers to the app."""
    app.register_error_handler(CSRFError, csrf_error)
    for status in (400, 401, 403, 404, 405, 409, 413, 429):
        app.register_error_handler(status, http_error)
    for kind in (NotAllowed, NotFound, Refused):
        app.register_error_handler(kind, refusal_error)
    app.register_error_handler(500, server_error)
