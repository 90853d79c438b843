"""What differs between SQLite and PostgreSQL, handled the same way on both (`make test` runs this
module on each: `pytest --database=postgresql`)."""

import threading

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace import search
from marketplace.database import unit_of_work
from marketplace.extensions import db
from marketplace.models import AuditEvent, City, SearchChange, Solution, User
from marketplace.services import accounts, audit
from marketplace.services.errors import InvalidTransition, ValidationFailed
from marketplace.vocab import Status

NUL = "\x00"


def _dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


# --- Email addresses, whatever their case -----------------------------------------------------


def test_an_address_in_other_capitals_is_the_same_account(ctx, make_user):
    make_user(email="ana@porto.example")

    with pytest.raises(ValidationFailed, match="already"):
        accounts.create_user("Ana@Porto.EXAMPLE", role="curator", display_name="Ana")


def test_the_database_itself_refuses_an_address_that_is_not_lower_cased(ctx, make_user):
    """Whoever writes around the model (a script, a migration) cannot make a second account."""
    make_user(email="ana@porto.example")

    with pytest.raises(IntegrityError):
        db.session.execute(
            insert(User).values(
                email="Ana@porto.example", display_name="Twin", session_token="t" * 40
            )
        )
    db.session.rollback()


# --- Text with control characters (PostgreSQL refuses NUL in text) ----------------------------


def test_nul_and_control_characters_typed_into_a_form_are_not_stored(
    app, make_city, make_user, client_for
):
    city = make_city(slug="braga", name="Braga")
    curator = make_user(email="cur@x.example", role="curator")

    response = client_for(curator).post(
        "/curate/cities/braga/edit",
        data={
            "name": f"Bra{NUL}ga",
            "country": "PT",
            "role": "core",
            "profile": f"Line one{NUL}\nline two\x07",
            "population": "193000",
        },
    )

    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(City, city.id)
    assert saved.name == "Braga"
    assert saved.profile == "Line one\nline two"


@pytest.mark.parametrize(
    "url",
    [
        f"/solutions?q=a{NUL}b&country={NUL}&track={NUL}&page={NUL}",
        f"/api/v1/solutions?q={NUL}&challenge={NUL}",
        f"/solutions/{NUL}",
        f"/cities/{NUL}",
        f"/login?next={NUL}",
        f"/reset/{NUL}",
        f"/curate/audit?actor={NUL}&entry={NUL}&action={NUL}&since={NUL}",
        f"/curate/audit.csv?actor={NUL}",
    ],
)
def test_nul_in_an_address_is_never_a_server_error(app, build_index, client_for, make_user, url):
    build_index()
    admin = make_user(email="adm@x.example", role="admin")

    response = client_for(admin).get(url)

    assert response.status_code < 500, (url, response.status_code)


def test_nul_in_a_field_no_form_class_reads_is_removed_too(
    app, make_solution, make_user, client_for
):
    entry = make_solution(title="Kept")
    curator = make_user(email="cur@x.example", role="curator")

    response = client_for(curator).post(
        f"/curate/entries/{entry.id}/archive", data={"reason": f"Out{NUL}dated"}
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Solution, entry.id).status == Status.ARCHIVED


# --- LIKE patterns ------------------------------------------------------------------------------


def test_percent_and_underscore_in_an_audit_filter_match_themselves(ctx, make_user):
    admin = make_user(email="adm@x.example", role="admin")
    literal = make_user(email="a_b%c@x.example")
    other = make_user(email="axbyc@x.example")
    for actor in (literal, other):
        audit.record(actor, "user.signed_in")
    db.session.commit()

    found = db.session.scalars(audit.events(admin, audit.AuditFilter(actor="a_b%c"))).all()

    assert {event.actor_id for event in found} == {literal.id}


# --- Whole numbers beyond what a PostgreSQL integer holds ----------------------------------------


@pytest.mark.parametrize("number", ["2147483648", "99999999999999999999", "-1", "1e3"])
def test_a_number_too_large_for_the_database_is_refused_with_a_message(
    app, make_city, client_for, make_user, number
):
    make_city(slug="faro", name="Faro")
    curator = make_user(email="cur@x.example", role="curator")

    response = client_for(curator).post(
        "/curate/cities/faro/edit",
        data={"name": "Faro", "country": "PT", "role": "core", "population": number},
    )

    assert response.status_code == 400
    assert b"Give a whole number." in response.data
    assert b'value="Faro"' in response.data  # what was typed is kept


@pytest.mark.parametrize(
    "url", ["/solutions/id/2147483648", "/solutions?page=99999999999999999999"]
)
def test_an_id_or_page_beyond_an_integer_is_not_a_server_error(app, build_index, client, url):
    build_index()

    assert client.get(url).status_code in (200, 404)


# --- Names with diacritics, in the same order on both -------------------------------------------


def test_cities_are_listed_alphabetically_whatever_the_accents_and_case(app, client, make_city):
    for name in ("Zagreb", "Évora", "Braga", "Ålesund", "aachen", "Faro", "Łódź", "Lisbon"):
        make_city(slug=name.lower().encode("ascii", "ignore").decode() or "x", name=name)

    page = client.get("/cities").get_data(as_text=True)

    rows = page.split('<th scope="row"><a href="/cities/')[1:]
    order = [row.split(">", 1)[1].split("<", 1)[0] for row in rows]
    assert order == ["aachen", "Ålesund", "Braga", "Évora", "Faro", "Lisbon", "Łódź", "Zagreb"]


# --- Two writers racing for one entry -----------------------------------------------------------


def test_of_two_transactions_editing_one_entry_the_second_to_commit_loses_nothing(
    app, make_solution
):
    """PostgreSQL runs both at once: the version column refuses the second UPDATE, which becomes
    InvalidTransition. SQLite runs them one after the other: the second starts from the first's
    result. Either way no change is overwritten unseen."""
    solution_id = make_solution(title="Original").id
    first_loaded = threading.Event()
    second_done = threading.Event()
    outcomes: dict[str, str] = {}

    def edit(name: str, title: str, before_commit=None, after_load=None):
        with app.app_context():
            try:
                with unit_of_work():
                    solution = db.session.get(Solution, solution_id)
                    seen = solution.title
                    solution.title = f"{seen} + {title}"
                    if after_load:
                        after_load()
                    if before_commit:
                        before_commit()
                outcomes[name] = "committed"
            except InvalidTransition:
                outcomes[name] = "refused"

    first = threading.Thread(
        target=edit,
        args=("first", "A"),
        kwargs={
            "after_load": first_loaded.set,
            "before_commit": lambda: second_done.wait(timeout=2),
        },
    )
    second = threading.Thread(
        target=lambda: (first_loaded.wait(timeout=5), edit("second", "B"), second_done.set())
    )
    first.start()
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)

    with app.app_context():
        final = db.session.get(Solution, solution_id)
        if _dialect(app) == "postgresql":
            # The second thread committed while the first was still open: the first is refused.
            assert outcomes == {"second": "committed", "first": "refused"}
            assert final.title == "Original + B"
        else:
            # The second thread waited for the first's write lock, then built on its result.
            assert outcomes == {"first": "committed", "second": "committed"}
            assert final.title == "Original + A + B"


# --- The search outbox when transactions commit out of order -------------------------------------


def test_an_outbox_row_committed_after_a_higher_one_is_still_applied(app, ctx, make_solution):
    """On PostgreSQL ids are handed out at INSERT and become visible at COMMIT, in any order."""
    if _dialect(app) != "postgresql":
        pytest.skip("SQLite runs one writer at a time: its outbox ids always commit in order")
    slow = make_solution(slug="slow", status=Status.SUBMITTED)
    fast = make_solution(slug="fast", status=Status.SUBMITTED)
    search.rebuild()

    def publish(session: Session, entry_id: int) -> int:
        session.get(Solution, entry_id).status = Status.PUBLISHED
        change = SearchChange(entity="solution", entity_id=entry_id)
        session.add(change)
        session.flush()  # the outbox row has its id now
        return change.id

    db.session.commit()  # this test's own session holds no transaction open
    with Session(db.engine) as first, Session(db.engine) as second:
        lower = publish(first, slow.id)  # takes the lower id, then stays open
        higher = publish(second, fast.id)
        assert lower < higher
        second.commit()

        search.drain()
        assert set(_indexed_slugs()) == {"fast"}

        first.commit()
    search.drain()

    assert set(_indexed_slugs()) == {"fast", "slow"}
    assert not search.check()


def _indexed_slugs():
    from whoosh import index as whoosh_index

    from marketplace.search.index import current_dir

    ix = whoosh_index.open_dir(current_dir())
    try:
        with ix.searcher() as searcher:
            return [fields["slug"] for fields in searcher.all_stored_fields()]
    finally:
        ix.close()


def test_text_beyond_ascii_reads_back_as_written(ctx, make_user):
    actor = make_user(email="x@x.example")
    audit.record(actor, "user.signed_in", detail="Évora, Łódź, Αθήνα, 🚲")
    db.session.commit()

    event = db.session.scalars(select(AuditEvent)).one()
    assert event.detail == "Évora, Łódź, Αθήνα, 🚲"
