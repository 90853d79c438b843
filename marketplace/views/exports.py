"""Open data downloads: any search as CSV or JSON Lines, and the latest dump at /data/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_from_directory,
)

from .. import search
from ..services import dump, exports
from . import open_reads
from .search_args import index_missing, search_request

bp = Blueprint("exports", __name__)

FORMS = {
    "csv": "text/csv; charset=utf-8; header=present",
    "jsonl": "application/x-ndjson",
}
EXPOSED = "ETag, Content-Disposition, X-Total-Count"
CHUNK = 100  # lines sent at once


@bp.errorhandler(search.NoIndex)
def search_unavailable(_error: search.NoIndex):
    message = "Search is being prepared: try again in a minute."
    return jsonify(error="search_unavailable", message=message, status=503), 503, index_missing()


@bp.after_request
def readable_anywhere(response: Response) -> Response:
    return open_reads.allow_reading(response, expose=EXPOSED)


@bp.get("/solutions.csv")
def search_csv():
    return _download("csv")


@bp.get("/solutions.jsonl")
def search_jsonl():
    return _download("jsonl")


@bp.get("/data/")
def data():
    return render_template("exports/data.html", latest=dump.latest(), licence=dump.licence())


@bp.get("/data/<name>")
def dump_file(name: str):
    """A dump of the dumps folder, by its exact name (ETag, Last-Modified, ranges: send_file)."""
    if not dump.NAME.match(name):
        abort(404)
    response = send_from_directory(dump.dump_dir(), name, as_attachment=True, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _download(form: str) -> Response:
    """The search the query string asks for, as the results page reads it, as a file of every
    match (up to EXPORT_MAX_ROWS), streamed; 304 when the client's copy is still the same."""
    found = exports.find(search_request(request.args), current_app.config["EXPORT_MAX_ROWS"])
    response = Response(_in_app_context(found.lines(form)), mimetype=FORMS[form])
    response.set_etag(found.etag(form), weak=True)
    response.last_modified = found.changed_at
    response.cache_control.no_cache = True  # reuse only after asking (a 304 is cheap)
    response.vary.add("Accept-Language")  # taxonomy labels and the query's languages follow it
    response.vary.add("Cookie")  # and so does a chosen language
    day = datetime.now(UTC).date().isoformat()
    response.headers["Content-Disposition"] = (
        f'attachment; filename="tech4good-solutions-{day}.{form}"'
    )
    response.headers["X-Total-Count"] = str(found.total)
    # Streamed: no Content-Length (werkzeug would read the whole body to count it), and a 304
    # or a HEAD never starts the generator, so no entry is read for them.
    response.automatically_set_content_length = False
    return response.make_conditional(request)


def _in_app_context(lines: Iterator[str]) -> Iterator[str]:
    """``lines`` read after the view returned, CHUNK lines at a time, each chunk in an
    application context (and database session) of its own: none is left open between chunks,
    whether the client reads on, stops or goes away."""
    app = current_app._get_current_object()

    def stream() -> Iterator[str]:
        while True:
            with app.app_context():
                chunk = "".join(islice(lines, CHUNK))
            if not chunk:
                return
            yield chunk

    return stream()
