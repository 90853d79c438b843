"""Tech4Good Marketplace: the application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (  # noqa: F401 (auth: user loader)
    auth,
    cli,
    compression,
    database,
    errors,
    filters,
    forms,
    i18n,
    incoming,
    limits,
    search,
    security,
    static_files,
)
from .config import load_config
from .extensions import csrf, db, login_manager, migrate
from .views import BLUEPRINTS
from .views.ids import IdConverter

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config -> extensions -> blueprints -> errors -> CLI -> template filters."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    load_config(app, config)
    compression.init_app(app)  # first: its after-request hook runs last, on the final body
    security.init_app(app)
    static_files.init_app(app)
    if hops := int(app.config["PROXY_FIX"]):  # the client address as the trusted proxies saw it
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.request_class = incoming.Request
    app.before_request(incoming.refuse_nul_path)

    db.init_app(app)
    with app.app_context():
        database.init_app(db.engine, app.config["SQLITE_BUSY_TIMEOUT"])
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    login_manager.init_app(app)
    i18n.init_app(app)
    app.before_request(forms.widen_upload_limit)  # before CSRF protection reads the form
    csrf.init_app(app)
    search.init_app(app)
    limits.init_app(app)

    app.url_map.converters["id"] = IdConverter
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    errors.register(app)
    cli.register(app)
    filters.register(app)
    return app
