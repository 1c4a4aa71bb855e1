"""Flask extensions, created once here and bound to the app in create_app."""

from flask import request
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so Alembic migrations are stable on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = MetaData(naming_convention=NAMING)


# Objects are not expired when a unit of work commits: a request that wrote goes on with
# what it holds (it just wrote it) instead of loading the user and the child again.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
htmx = HTMX()
LIMITED: set[str] = set()  # the blueprints with a rate limit (limit_posts)


def limit_posts(blueprint, limit) -> None:
    """Limit the POSTs to every route of the blueprint, per client address. Only these are
    limited: the limiter skips the rest of the app at once (working out that none of its
    limits applied cost 3% of every request)."""
    limiter.limit(limit, methods=["POST"])(blueprint)
    LIMITED.add(blueprint.name)


@limiter.request_filter
def _unlimited() -> bool:
    return request.blueprint not in LIMITED
