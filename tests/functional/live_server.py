"""The app served on a free loopback port for browser tests."""

import threading
from contextlib import contextmanager

from werkzeug.serving import make_server

from marketplace import create_app
from marketplace.extensions import db


@contextmanager
def serving(copied: dict, **config):
    """An app on ``copied`` (the settings the ``copy_data`` fixture returns: a copy of a data dir,
    its search index and its database) served on a free loopback port; yields the base URL and
    the app.
    """
    # Ranked by words unless a test asks for the encoder: what the browser tests check is the page.
    settings = {"SEARCH_ENCODER": "none", "SEARCH_EMBED_IN_BACKGROUND": False, **config}
    app = create_app({"SECRET_KEY": "browser", **copied, **settings})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", app
    finally:
        httpd.shutdown()
        with app.app_context():
            db.engine.dispose()
