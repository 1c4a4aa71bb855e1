"""TeamAround: a minimal, lawful directory of who is working with each child."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.routing import IntegerConverter

from app import config as app_config
from app import database  # noqa: F401  (registers the engine event listeners)
from app.extensions import csrf, db, htmx, limiter, login_manager, migrate

MAX_ID = 2**31 - 1  # the largest id every database column here can hold (INTEGER on PostgreSQL)


class BoundedIntConverter(IntegerConverter):
    """<int:...> that refuses numbers no database id can be (they would overflow)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _asset_names(static_folder: str) -> dict[str, str]:
    """File names of the vendored assets, whose names carry their versions."""
    static = Path(static_folder)
    found = {}
    for key, pattern in {"css": "css/teamaround-govuk-*.css", "govuk_js": "js/govuk-frontend-*.js",
                         "htmx_js": "js/htmx-*.min.js"}.items():
        matches = sorted(static.glob(pattern))
        found[key] = matches[-1].relative_to(static).as_posix() if matches else ""
    return found


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error pages and CLI."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(app_config.load(app.instance_path, preset=test_config or {}))
    if test_config:
        app.config.update(test_config)

    with app.app_context():  # a typo in the email settings must not mean clear text
        from app.services import mail
        mail.check_settings()

    app.url_map.converters["int"] = BoundedIntConverter  # huge ids: 404, not a 500
    app.jinja_loader = ChoiceLoader([
        PackageLoader("app"),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    limiter.init_app(app)  # first: a flood is refused before any other work
    from app import request_log
    from app.security import refuse_unreadable
    from app.views.imports import allow_import_upload

    request_log.init_app(app)  # first: every line of the request carries its id
    beside = app_config.keys_beside_data(app.instance_path,
                                         app.config["SQLALCHEMY_DATABASE_URI"])
    if beside:
        app.logger.warning(
            "Keys sit with the data (%s): one copy of that folder takes both, and whoever "
            "holds the data and AUDIT_HMAC_KEY can rewrite the audit trail undetected. "
            "Move them to %s (or set KEYS_DIR, or give them in the environment): see the "
            "README, Configuration.", ", ".join(str(p) for p in beside),
            app_config.keys_folder(app.instance_path))
    app.before_request(allow_import_upload)  # the one form that takes a large file
    app.before_request(refuse_unreadable)  # before the forms read a byte (CSRF included)
    csrf.init_app(app)  # before the sign-in gate, so a bad token is refused first
    htmx.init_app(app)
    login_manager.init_app(app)

    from app import security
    from app.views import errors

    security.init_app(app)
    _register_blueprints(app)
    errors.register(app)
    _register_template_helpers(app)

    from app.jobs import queue

    queue.init_app(app)

    from app import cli

    cli.register(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from app.views import (
        account,
        admin,
        archive,
        audit,
        auth,
        children,
        corrections,
        documents,
        eligibility,
        enrol,
        imports,
        main,
        mediated,
        records,
        search,
        shields,
        subject_access,
    )

    for module in (main, auth, enrol, account, admin, children, records, search, audit,
                   shields, eligibility, archive, mediated, subject_access, documents,
                   corrections, imports):
        app.register_blueprint(module.bp)


def _register_template_helpers(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    from app.core.clock import format_date, format_datetime, now, to_london
    from app.core.text import plural
    from app.forms.fields import errors_for_summary
    from app.security import BACKGROUND_HEADER, session_seconds_left
    from app.services import identifiers
    from app.services.access import REASON_LABELS
    from app.views._common import live_params, record_back, service_navigation

    WTFormsHelpers(app)
    app.add_template_global(errors_for_summary)
    app.add_template_global(live_params, "live")
    app.add_template_global(service_navigation)
    app.add_template_global(record_back)
    app.add_template_global(session_seconds_left)
    app.add_template_filter(lambda a, b: {**a, **b}, "merge")
    app.add_template_filter(lambda iso: format_date(date.fromisoformat(iso)) if iso else "",
                            "isodate")
    app.add_template_filter(lambda value: REASON_LABELS.get(value, value), "reason_label")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(lambda value, scheme: identifiers.display(scheme, value)
                            if value else value, "identifier")
    app.add_template_filter(plural, "plural")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_global(lambda: to_london(now()).date(), "london_today")
    assets = _asset_names(app.static_folder)

    @app.context_processor
    def _globals():
        from flask_login import current_user

        from app.services.eligibility import dbs_warning

        warning = dbs_warning(current_user) if current_user.is_authenticated else None
        return {"assets": assets, "background_header": BACKGROUND_HEADER,
                "dbs_warning": warning}
