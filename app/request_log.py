"""One structured (JSON) line per request, and a request id that ties it to everything else:
logged with every other line written while the request runs, sent back as X-Request-ID,
and shown on error pages so that a person can quote it.

A request line holds the request id, the method, the route as declared (its template:
/children/<int:child_id>, never the address with its values or query string), the status,
the duration and the signed-in user's id: never a name, identifier, search term, reason
or any form field."""

from __future__ import annotations

import json
import logging
import secrets
import time

from flask import Flask, g, has_request_context, request
from flask_login import current_user

log = logging.getLogger("teamaround.requests")


class _RequestId(logging.Filter):
    """Stamp every log record made during a request with its id."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id") if has_request_context() else None
        return True


class JsonLines(logging.Formatter):
    """A log record as one line of JSON (the request line's fields as they are)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
                "level": record.levelname, "logger": record.name,
                "request_id": getattr(record, "request_id", None)}
        fields = getattr(record, "fields", None)
        if fields:
            line.update(fields)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(line, ensure_ascii=False)


def _begin() -> None:
    g.request_id = secrets.token_hex(8)
    g.request_began = time.perf_counter()


def _end(response):
    response.headers["X-Request-ID"] = g.get("request_id", "")
    if request.endpoint == "static":
        return response
    user_id = current_user.get_id() if current_user and current_user.is_authenticated \
        else None
    log.info("request", extra={"fields": {
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule else None,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - g.get("request_began",
                                                          time.perf_counter())) * 1000, 1),
        "user_id": int(user_id) if user_id else None}})
    return response


def init_app(app: Flask) -> None:
    """Give each request an id and a log line; write the app's logs as JSON lines unless
    LOG_FORMAT is "text" (a person reading a terminal)."""
    app.before_request(_begin)
    app.after_request(_end)
    handler = logging.StreamHandler()
    handler.addFilter(_RequestId())
    if app.config.get("LOG_FORMAT", "json") == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    for name in ("app", "teamaround"):
        logger = logging.getLogger(name)
        if not any(getattr(h, "_teamaround", False) for h in logger.handlers):
            handler._teamaround = True
            logger.addHandler(handler)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)
