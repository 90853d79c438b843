"""Curators' taxonomy and city management, administrators' account management."""

from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from marketplace import search
from marketplace.extensions import db
from marketplace.models import AuditEvent, City, SearchChange, Track, User
from marketplace.search import position
from marketplace.search.index import current_dir
from marketplace.services import accounts, manage_cities, manage_taxonomy, manage_users
from marketplace.services import taxonomy as offered_taxonomy
from marketplace.services.errors import InvalidTransition, PermissionDenied, ValidationFailed
from marketplace.vocab import Status


def audit_log() -> list[tuple[str, str, str]]:
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return [(e.action, e.target, e.detail) for e in events]


# Taxonomy


def test_created_terms_get_a_slug_the_last_place_and_an_audit_event(curator, taxonomy):
    track = manage_taxonomy.create_track(curator, "  Tourism   recovery ", "2023-24", "Visitors.")
    challenge = manage_taxonomy.create_challenge(curator, "Heat pumps for SMEs", "green")
    service = manage_taxonomy.create_service(curator, "Public procurement")
    assert (track.slug, track.name, track.edition) == (
        "tourism-recovery",
        "Tourism recovery",
        "2023-24",
    )
    assert track.position == 0  # the first of its edition
    assert (challenge.slug, challenge.track.slug, challenge.position) == (
        "heat-pumps-for-smes",
        "green",
        2,
    )
    assert (service.slug, service.position) == ("public-procurement", 1)
    assert audit_log() == [
        ("taxonomy.created", "track Tourism recovery", "edition 2023-24"),
        ("taxonomy.created", "challenge Heat pumps for SMEs", "in Green economy"),
        ("taxonomy.created", "transversal service Public procurement", ""),
    ]


def test_a_new_term_whose_slug_is_taken_gets_a_numbered_one(curator, taxonomy):
    challenge = manage_taxonomy.create_challenge(curator, "Retrofit", "mobility")
    assert challenge.slug == "retrofit-2"


@pytest.mark.parametrize(
    ("create", "field", "message"),
    [
        (lambda u: manage_taxonomy.create_track(u, "", "2024"), "name", "Give a name."),
        (lambda u: manage_taxonomy.create_track(u, "X" * 201, "2024"), "name", "200 characters"),
        (lambda u: manage_taxonomy.create_track(u, "Water", "soon"), "edition", "as years"),
        (lambda u: manage_taxonomy.create_track(u, "mobility", "2020-22"), "name", "called"),
        (lambda u: manage_taxonomy.create_challenge(u, "Green smes", "green"), "name", "called"),
        (lambda u: manage_taxonomy.create_challenge(u, "Floods", "nowhere"), "track", "Choose"),
        (lambda u: manage_taxonomy.create_service(u, "OPEN DATA PLATFORMS"), "name", "called"),
    ],
)
def test_creating_refuses_bad_input_and_changes_nothing(curator, taxonomy, create, field, message):
    tracks = db.session.scalar(select(db.func.count()).select_from(Track))
    with pytest.raises(ValidationFailed, match=message) as refused:
        create(curator)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(Track)) == tracks
    assert audit_log() == []


def test_the_same_name_is_fine_in_another_track_or_edition(curator, taxonomy):
    manage_taxonomy.create_challenge(curator, "Congestion", "green")
    manage_taxonomy.create_track(curator, "Mobility", "2024")
    assert len(audit_log()) == 2


def test_a_retired_track_takes_no_new_challenges(curator, taxonomy):
    manage_taxonomy.set_retired(curator, "tracks", "green", True)
    with pytest.raises(ValidationFailed, match="restore it") as refused:
        manage_taxonomy.create_challenge(curator, "Floods", "green")
    assert refused.value.field == "track"


def test_rename_keeps_the_slug_and_logs_old_and_new_names(curator, taxonomy):
    assert manage_taxonomy.rename(curator, "challenges", "retrofit", "Retrofitting homes")
    challenge = taxonomy["challenges"]["retrofit"]
    assert (challenge.slug, challenge.name) == ("retrofit", "Retrofitting homes")
    assert audit_log() == [
        (
            "taxonomy.renamed",
            "challenge Retrofitting homes",
            "Retrofitting buildings -> Retrofitting homes",
        )
    ]


def test_rename_to_a_siblings_name_is_refused_and_changes_nothing(curator, taxonomy):
    with pytest.raises(ValidationFailed, match="Green SMEs") as refused:
        manage_taxonomy.rename(curator, "challenges", "retrofit", "green SMEs")
    assert refused.value.field == "name"
    db.session.rollback()
    assert taxonomy["challenges"]["retrofit"].name == "Retrofitting buildings"


def test_rename_without_a_change_logs_nothing(curator, taxonomy):
    assert not manage_taxonomy.rename(curator, "tracks", "green", " Green economy ", "2020-22")
    assert audit_log() == []


def test_a_track_moved_to_another_edition_comes_last_there(curator, taxonomy):
    manage_taxonomy.create_track(curator, "Tourism", "2024")
    manage_taxonomy.rename(curator, "tracks", "green", "Green economy", "2024")
    green = taxonomy["tracks"][0]
    assert (green.edition, green.position) == ("2024", 1)
    assert audit_log()[-1] == (
        "taxonomy.renamed",
        "track Green economy",
        "edition 2020-22 -> 2024",
    )


def names_in_order(terms) -> list[str]:
    return [term.slug for term in sorted(terms, key=lambda t: (t.position, t.name, t.id))]


def test_moving_swaps_a_challenge_with_its_neighbour_within_its_track(curator, taxonomy):
    manage_taxonomy.move(curator, "challenges", "smes", "up")
    green = taxonomy["tracks"][0]
    assert names_in_order(green.challenges) == ["smes", "retrofit"]
    assert names_in_order(taxonomy["tracks"][1].challenges) == ["last-mile", "congestion"]
    manage_taxonomy.move(curator, "challenges", "smes", "down")
    assert names_in_order(green.challenges) == ["retrofit", "smes"]
    assert [a for a, _, _ in audit_log()] == ["taxonomy.reordered"] * 2
    assert audit_log()[0][1:] == ("challenge Green SMEs", "moved up in Green economy: now 1 of 2")


def test_moving_orders_tracks_within_their_edition_and_services(curator, taxonomy):
    manage_taxonomy.create_service(curator, "Finance")
    manage_taxonomy.move(curator, "tracks", "mobility", "up")
    manage_taxonomy.move(curator, "services", "finance", "up")
    assert [t.slug for t in taxonomy_tracks()] == ["mobility", "green"]
    assert [s.slug for s in offered_taxonomy.services()] == ["finance", "open-data"]


def taxonomy_tracks():
    db.session.expire_all()
    return offered_taxonomy.tracks()


@pytest.mark.parametrize(
    ("slug", "direction", "word"), [("retrofit", "up", "first"), ("smes", "down", "last")]
)
def test_moving_past_either_end_is_refused(curator, taxonomy, slug, direction, word):
    with pytest.raises(ValidationFailed, match=word):
        manage_taxonomy.move(curator, "challenges", slug, direction)
    with pytest.raises(ValidationFailed, match="up or down"):
        manage_taxonomy.move(curator, "challenges", slug, "sideways")


@pytest.mark.parametrize(
    ("kind", "slug", "target"),
    [
        ("tracks", "green", "track Green economy"),
        ("challenges", "retrofit", "challenge Retrofitting buildings"),
        ("services", "open-data", "transversal service Open data platforms"),
    ],
)
def test_retire_and_restore_each_kind(curator, make_solution, taxonomy, kind, slug, target):
    entry = make_solution(services=[taxonomy["service"]])
    manage_taxonomy.set_retired(curator, kind, slug, True)
    with pytest.raises(InvalidTransition, match="retired already"):
        manage_taxonomy.set_retired(curator, kind, slug, True)
    db.session.expire_all()
    assert manage_taxonomy.get_term(kind, slug).retired
    # Kept on the entry, no longer offered.
    assert entry.challenges == [taxonomy["challenges"]["retrofit"]]
    assert entry.services == [taxonomy["service"]]
    offered = (
        {t.slug for t in offered_taxonomy.tracks()}
        | {c.slug for t in offered_taxonomy.tracks() for c in t.challenges if not c.retired}
        | {s.slug for s in offered_taxonomy.services()}
    )
    assert slug not in offered
    manage_taxonomy.set_retired(curator, kind, slug, False)
    with pytest.raises(InvalidTransition, match="offered already"):
        manage_taxonomy.set_retired(curator, kind, slug, False)
    assert audit_log() == [
        ("taxonomy.retired", target, "kept on 1 entry, not offered for new ones"),
        ("taxonomy.restored", target, "offered again; on 1 entry"),
    ]


def test_retired_choices_kept_finds_chosen_values_of_retired_terms_only(curator, taxonomy):
    manage_taxonomy.set_retired(curator, "tracks", "mobility", True)
    manage_taxonomy.set_retired(curator, "services", "open-data", True)
    groups, services = manage_taxonomy.retired_choices_kept(
        ["retrofit", "congestion"], ["open-data"]
    )
    assert [(t.slug, [c.slug for c in cs]) for t, cs in groups] == [("mobility", ["congestion"])]
    assert [s.slug for s in services] == ["open-data"]
    assert manage_taxonomy.retired_choices_kept([], []) == ([], [])


@pytest.mark.parametrize(
    ("kind", "slug", "entity"),
    [
        ("challenges", "retrofit", "challenge"),
        ("tracks", "green", "track"),
        ("services", "open-data", "service"),
    ],
)
def test_a_rename_reindexes_the_entries_that_have_the_term(
    app, curator, make_solution, taxonomy, kind, slug, entity
):
    entry = make_solution(slug="insulated-schools", services=[taxonomy["service"]])
    other = make_solution(slug="buses", challenges=[taxonomy["challenges"]["congestion"]])
    search.rebuild()
    term = manage_taxonomy.get_term(kind, slug)
    before = db.session.scalar(select(db.func.max(SearchChange.id))) or 0
    with app.test_request_context("/", method="POST"):
        manage_taxonomy.rename(curator, kind, slug, "A brand new name")
    rows = db.session.scalars(select(SearchChange).where(SearchChange.id > before)).all()
    assert [(r.entity, r.entity_id) for r in rows] == [(entity, term.id)]
    # The request's end drained the outbox: the rows are applied, the index agrees.
    applied = position.read(current_dir())
    assert all(applied.is_applied(r.id) for r in rows)
    assert not search.check()
    ids = search.sync._affected_solutions(db.session, rows)
    assert entry.id in ids
    assert other.id not in ids


def test_only_curators_and_admins_manage_the_taxonomy(publisher, admin, taxonomy):
    for refused in (
        lambda: manage_taxonomy.overview(publisher),
        lambda: manage_taxonomy.create_service(publisher, "Finance"),
        lambda: manage_taxonomy.rename(publisher, "tracks", "green", "Brown"),
        lambda: manage_taxonomy.move(publisher, "tracks", "green", "down"),
        lambda: manage_taxonomy.set_retired(publisher, "tracks", "green", True),
        lambda: manage_taxonomy.overview(None),
    ):
        with pytest.raises(PermissionDenied):
            refused()
    assert manage_taxonomy.overview(admin).tracks
    manage_taxonomy.create_service(admin, "Finance")


# Accounts


def test_invite_creates_an_account_mails_a_link_and_logs(admin, make_city, outbox):
    make_city(slug="cork", name="Cork")
    user = manage_users.invite(admin, "Niamh@Cork.example", "publisher", "Niamh", "cork")
    assert (user.email, user.role, user.city.slug, user.has_password) == (
        "niamh@cork.example",
        "publisher",
        "cork",
        False,
    )
    (message,) = outbox()
    assert message["To"] == "niamh@cork.example"
    assert "/invite/" in message.get_content()
    assert audit_log() == [
        ("user.invited", "user niamh@cork.example", "as City publisher for Cork")
    ]


@pytest.mark.parametrize(
    ("email", "role", "city", "field", "message"),
    [
        ("not an email", "publisher", "cork", "email", "not a valid email"),
        ("admin@example.org", "curator", "", "email", "exists already"),
        ("new@example.org", "boss", "", "role", "Choose one of the roles"),
        ("new@example.org", "publisher", "", "city", "choose it"),
        ("new@example.org", "publisher", "atlantis", "city", "from the list"),
    ],
)
def test_invite_refuses_bad_input_and_creates_nothing(
    admin, make_city, outbox, email, role, city, field, message
):
    make_city(slug="cork", name="Cork")
    with pytest.raises(ValidationFailed, match=message) as refused:
        manage_users.invite(admin, email, role, "", city)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 1
    assert outbox() == []
    assert audit_log() == []


def test_an_invitation_the_mail_server_refused_can_be_sent_again(admin, outbox):
    config = current_app.config
    smtp = {k: config[k] for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY", "SMTP_TIMEOUT")}
    # Nothing listens on port 9: the server "refuses" after the account was committed.
    config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=9, SMTP_SECURITY="none", SMTP_TIMEOUT=2)
    with pytest.raises(manage_users.NotDelivered, match="could not be sent") as failed:
        manage_users.invite(admin, "late@example.org", "curator", "", None)
    user = failed.value.user
    db.session.rollback()  # the account is committed, not merely pending in the session
    assert db.session.get(User, user.id) is not None
    assert not user.has_password
    unsent = Path(config["DATA_DIR"]) / "outbox" / "unsent"
    assert len(list(unsent.glob("*.eml"))) == 1  # kept for `flask mail retry`
    config.update(smtp)
    manage_users.resend_invitation(admin, user)
    assert [m["To"] for m in outbox()] == ["late@example.org"]
    assert [(a, d) for a, _, d in audit_log()] == [
        ("user.invited", "as Curator"),
        ("user.invited", "invitation sent again"),
    ]


def test_no_new_invitation_for_an_account_with_a_password(admin, publisher):
    with pytest.raises(InvalidTransition, match="reset link"):
        manage_users.resend_invitation(admin, publisher)


def test_role_and_city_changes_are_logged_one_by_one(admin, publisher, make_city):
    make_city(slug="sofia", name="Sofia")
    assert manage_users.update(admin, publisher, "curator", "sofia") == ["role", "city"]
    assert (publisher.role, publisher.city.slug) == ("curator", "sofia")
    assert manage_users.update(admin, publisher, "curator", "") == ["city"]
    assert publisher.city is None
    assert manage_users.update(admin, publisher, "curator", None) == []
    assert [(a, d) for a, _, d in audit_log()] == [
        ("user.role_changed", "City publisher -> Curator"),
        ("user.city_changed", "Porto -> Sofia"),
        ("user.city_changed", "Sofia -> no city"),
    ]


def test_a_publisher_needs_a_city(admin, curator):
    with pytest.raises(ValidationFailed, match="choose it") as refused:
        manage_users.update(admin, curator, "publisher", "")
    assert refused.value.field == "city"


def test_an_admin_cannot_demote_or_deactivate_themselves(admin):
    with pytest.raises(ValidationFailed, match="your own role") as refused:
        manage_users.update(admin, admin, "curator", None)
    assert refused.value.field == "role"
    with pytest.raises(InvalidTransition, match="your own account"):
        manage_users.set_active(admin, admin, False)
    db.session.rollback()
    assert (admin.role, admin.active) == ("admin", True)
    assert audit_log() == []


def test_deactivation_ends_sessions_and_sign_in_and_keeps_the_entries(
    admin, publisher, make_solution
):
    entry = make_solution(city=publisher.city)
    token = publisher.session_token
    manage_users.set_active(admin, publisher, False)
    assert not publisher.active
    assert publisher.session_token != token
    assert accounts.authenticate(publisher.email, "correct horse battery") is None
    assert db.session.get(type(entry), entry.id).status == Status.PUBLISHED
    with pytest.raises(InvalidTransition, match="deactivated already"):
        manage_users.set_active(admin, publisher, False)
    with pytest.raises(InvalidTransition, match="reactivate"):
        manage_users.resend_invitation(admin, publisher)
    manage_users.set_active(admin, publisher, True)
    assert accounts.authenticate(publisher.email, "correct horse battery") is not None
    assert [(a, t) for a, t, _ in audit_log()] == [
        ("user.deactivated", "user pub@porto.example"),
        ("user.reactivated", "user pub@porto.example"),
    ]


def test_only_admins_manage_accounts(curator, publisher):
    for refused in (
        lambda: manage_users.list_users(curator),
        lambda: manage_users.get_user(curator, publisher.id),
        lambda: manage_users.invite(curator, "x@example.org", "curator", "", None),
        lambda: manage_users.update(curator, publisher, "admin", None),
        lambda: manage_users.set_active(curator, publisher, False),
        lambda: manage_users.resend_invitation(curator, publisher),
    ):
        with pytest.raises(PermissionDenied):
            refused()
    assert publisher.role == "publisher"
    assert publisher.active


# Cities


def details(**overrides) -> manage_cities.CityDetails:
    values = {
        "name": "Lille Métropole",
        "slug": "",
        "country": "fr",
        "role": "mentor",
        "population": 1_100_000,
        "website": "https://lillemetropole.example",
        "profile": "Ninety-five municipalities.",
    }
    return manage_cities.CityDetails(**{**values, **overrides})


def test_a_new_city_gets_its_slug_from_the_name_and_is_logged(curator):
    city = manage_cities.create_city(curator, details())
    assert (city.slug, city.country, city.role) == ("lille-metropole", "FR", "mentor")
    assert audit_log() == [
        ("city.created", "city Lille Métropole", "lille-metropole, FR (France), Mentor city")
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "  "}, "name", "name"),
        ({"country": "XX"}, "country", "two-letter ISO code"),
        ({"country": "France"}, "country", "two-letter ISO code"),
        ({"slug": "porto"}, "slug", "Another city"),
        ({"slug": "Lille Metropole"}, "slug", "lower-case"),
        ({"role": "leader"}, "role", "ICC"),
        ({"population": 0}, "population", "whole number"),
        ({"website": "lille.fr"}, "website", "https://"),
    ],
)
def test_city_details_are_checked_field_by_field(curator, make_city, overrides, field, message):
    make_city(slug="porto", name="Porto")
    with pytest.raises(ValidationFailed, match=message) as refused:
        manage_cities.create_city(curator, details(**overrides))
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(City)) == 1


def test_editing_a_city_logs_what_changed_and_reindexes_its_entries(curator, make_solution):
    city = manage_cities.create_city(curator, details())
    entry = make_solution(city=city)
    before = db.session.scalar(select(db.func.max(SearchChange.id)))
    changed = manage_cities.edit_city(
        curator, city, details(name="Lille", slug="lille", population=None, profile="New.")
    )
    assert changed == ["name", "slug", "population", "profile"]
    assert audit_log()[-1] == (
        "city.edited",
        "city Lille",
        "name: Lille Métropole -> Lille; slug: lille-metropole -> lille; "
        "population: 1100000 -> none; profile text changed",
    )
    new_rows = db.session.scalars(select(SearchChange).where(SearchChange.id > before)).all()
    assert ("city", city.id) in {(r.entity, r.entity_id) for r in new_rows}
    assert entry.city.slug == "lille"
    assert (
        manage_cities.edit_city(
            curator, city, details(name="Lille", slug="lille", population=None, profile="New.")
        )
        == []
    )
    assert len(audit_log()) == 2


def test_a_city_may_keep_its_own_slug(curator, make_city):
    city = make_city(slug="porto", name="Porto")
    assert manage_cities.edit_city(curator, city, details(name="Porto", slug="porto")) != []


def test_only_curators_and_admins_manage_cities(publisher, admin):
    with pytest.raises(PermissionDenied):
        manage_cities.create_city(publisher, details())
    with pytest.raises(PermissionDenied):
        manage_cities.edit_city(publisher, publisher.city, details())
    with pytest.raises(PermissionDenied):
        manage_cities.list_cities(publisher)
    assert manage_cities.create_city(admin, details()).slug == "lille-metropole"
