"""Curators manage the taxonomy and the cities; administrators manage accounts."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import i18n
from ..forms import attach_error, keeps_input
from ..forms.manage import (
    CityForm,
    InviteForm,
    NewChallengeForm,
    NewServiceForm,
    NewTrackForm,
    TermForm,
    TrackForm,
    UserForm,
)
from ..services import cities as city_queries
from ..services import manage_cities, manage_taxonomy, manage_users, phrases
from ..services import taxonomy as public_taxonomy
from ..services.errors import InvalidTransition, ValidationFailed
from ..vocab import ROLE_LABELS

bp = Blueprint("manage", __name__, url_prefix="/curate")

KIND = "<any(tracks, challenges, services):kind>"
NEW_FORMS = {"tracks": NewTrackForm, "challenges": NewChallengeForm, "services": NewServiceForm}


def _status() -> int:
    """A form shown again after a POST was refused; a first GET is fine."""
    return 400 if request.method == "POST" else 200


def _back_to_taxonomy(kind: str, slug: str):
    return redirect(url_for("manage.taxonomy", _anchor=f"{kind}-{slug}"))


# Taxonomy


@bp.get("/taxonomy")
@login_required
def taxonomy():
    return render_template(
        "manage/taxonomy.html",
        overview=manage_taxonomy.overview(current_user),
        # The overview counts entries of every status; the public pages count published ones.
        published_challenge_uses=public_taxonomy.published_counts_by_challenge(),
        published_service_uses=public_taxonomy.published_counts_by_service(),
    )


def _create(kind: str, form):
    user = current_user._get_current_object()
    words = form.phrases_sent() or ""
    if kind == "tracks":
        return manage_taxonomy.create_track(
            user, form.name.data, form.edition.data, form.description.data or "", words
        )
    if kind == "challenges":
        return manage_taxonomy.create_challenge(user, form.name.data, form.track.data, words)
    return manage_taxonomy.create_service(user, form.name.data, form.description.data or "", words)


@bp.route(f"/taxonomy/{KIND}/new", methods=["GET", "POST"])
@keeps_input
@login_required
def create_term(kind: str):
    manage_taxonomy.require_taxonomy_manager(current_user)
    form = NEW_FORMS[kind]()
    if kind == "challenges":
        form.set_tracks(manage_taxonomy.tracks_offered())
        if request.method != "POST":
            form.track.data = request.args.get("track", "")
    if form.validate_on_submit():
        try:
            term = _create(kind, form)
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(_added(kind, term.name), "success")
            return _back_to_taxonomy(kind, term.slug)
    return render_template("manage/term_new.html", form=form, kind=kind), _status()


@bp.route(f"/taxonomy/{KIND}/<slug>/edit", methods=["GET", "POST"])
@keeps_input
@login_required
def edit_term(kind: str, slug: str):
    manage_taxonomy.require_taxonomy_manager(current_user)
    term = manage_taxonomy.get_term(kind, slug)
    data = {"phrases": "\n".join(phrases.of(term))}
    for code in i18n.LANGUAGES[1:]:
        data[f"name_{code}"] = (term.labels or {}).get(code, "")
        data[f"phrases_{code}"] = "\n".join(phrases.of(term, code))
    form = (TrackForm if kind == "tracks" else TermForm)(obj=term, data=data)
    if form.validate_on_submit():
        edition = form.edition.data if kind == "tracks" else None
        try:
            saved = manage_taxonomy.save(
                current_user,
                kind,
                slug,
                form.name.data,
                edition,
                form.phrases_sent(),
                form.in_languages(),
            )
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(_saved_message(kind, form.name.data.strip(), saved), "success")
            return _back_to_taxonomy(kind, slug)
    return render_template("manage/term_edit.html", form=form, kind=kind, term=term), _status()


def _added(kind: str, name: str) -> str:
    return {
        "tracks": _("The track “%(name)s” is added.", name=name),
        "challenges": _("The challenge “%(name)s” is added.", name=name),
        "services": _("The transversal service “%(name)s” is added.", name=name),
    }[kind]


def _saved_message(kind: str, name: str, saved: manage_taxonomy.Saved) -> str:
    if saved.renamed and saved.phrases:
        return {
            "tracks": _(
                "Saved: the track is now “%(name)s”; the entries that have it show the new "
                "name; search knows it by the words you listed from now on.",
                name=name,
            ),
            "challenges": _(
                "Saved: the challenge is now “%(name)s”; the entries that have it show the new "
                "name; search knows it by the words you listed from now on.",
                name=name,
            ),
            "services": _(
                "Saved: the transversal service is now “%(name)s”; the entries that have it "
                "show the new name; search knows it by the words you listed from now on.",
                name=name,
            ),
        }[kind]
    if saved.renamed:
        return {
            "tracks": _(
                "Saved: the track is now “%(name)s”; the entries that have it show the new name.",
                name=name,
            ),
            "challenges": _(
                "Saved: the challenge is now “%(name)s”; the entries that have it show the new "
                "name.",
                name=name,
            ),
            "services": _(
                "Saved: the transversal service is now “%(name)s”; the entries that have it "
                "show the new name.",
                name=name,
            ),
        }[kind]
    if saved.phrases:
        return _("Saved: search knows it by the words you listed from now on.")
    if saved.translations:
        return _("Saved: its names and words in the other languages are updated.")
    return _("Nothing was changed.")


@bp.post(f"/taxonomy/{KIND}/<slug>/move")
@login_required
def move_term(kind: str, slug: str):
    try:
        manage_taxonomy.move(current_user, kind, slug, request.form.get("direction", ""))
    except ValidationFailed as error:
        flash(str(error), "error")
    return _back_to_taxonomy(kind, slug)


def _set_retired(kind: str, slug: str, retired: bool):
    try:
        term = manage_taxonomy.set_retired(current_user, kind, slug, retired)
    except InvalidTransition as error:
        flash(str(error), "error")
    else:
        flash(
            _retired_message(kind, term.name) if retired else _offered(kind, term.name), "success"
        )
    return _back_to_taxonomy(kind, slug)


def _retired_message(kind: str, name: str) -> str:
    return {
        "tracks": _(
            "The track “%(name)s” is retired: entries keep it, new entries cannot choose it.",
            name=name,
        ),
        "challenges": _(
            "The challenge “%(name)s” is retired: entries keep it, new entries cannot choose it.",
            name=name,
        ),
        "services": _(
            "The transversal service “%(name)s” is retired: entries keep it, new entries "
            "cannot choose it.",
            name=name,
        ),
    }[kind]


def _offered(kind: str, name: str) -> str:
    return {
        "tracks": _("The track “%(name)s” is offered again.", name=name),
        "challenges": _("The challenge “%(name)s” is offered again.", name=name),
        "services": _("The transversal service “%(name)s” is offered again.", name=name),
    }[kind]


@bp.post(f"/taxonomy/{KIND}/<slug>/retire")
@login_required
def retire_term(kind: str, slug: str):
    return _set_retired(kind, slug, True)


@bp.post(f"/taxonomy/{KIND}/<slug>/restore")
@login_required
def restore_term(kind: str, slug: str):
    return _set_retired(kind, slug, False)


# Cities


@bp.get("/cities")
@login_required
def cities():
    return render_template("manage/cities.html", cities=manage_cities.list_cities(current_user))


def _details(form: CityForm) -> manage_cities.CityDetails:
    return manage_cities.CityDetails(
        name=form.name.data or "",
        slug=form.slug.data or "",
        country=form.country.data or "",
        role=form.role.data or "",
        population=form.population.data,
        website=form.website.data or "",
        profile=form.profile.data or "",
    )


@bp.route("/cities/new", methods=["GET", "POST"])
@keeps_input
@login_required
def create_city():
    manage_cities.require_city_manager(current_user)
    form = CityForm()
    if form.validate_on_submit():
        try:
            city = manage_cities.create_city(current_user, _details(form))
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(_("%(city)s is added.", city=city.name), "success")
            return redirect(url_for("manage.cities", _anchor=f"city-{city.slug}"))
    return render_template("manage/city_form.html", form=form, city=None), _status()


@bp.route("/cities/<slug>/edit", methods=["GET", "POST"])
@keeps_input
@login_required
def edit_city(slug: str):
    manage_cities.require_city_manager(current_user)
    city = city_queries.get_city(slug)
    form = CityForm(obj=city)
    if form.validate_on_submit():
        try:
            changed = manage_cities.edit_city(current_user, city, _details(form))
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(
                _("%(city)s is saved.", city=city.name) if changed else _("Nothing was changed."),
                "success",
            )
            return redirect(url_for("manage.cities", _anchor=f"city-{city.slug}"))
    return render_template("manage/city_form.html", form=form, city=city), _status()


# Accounts


@bp.get("/users")
@login_required
def users():
    return render_template("manage/users.html", users=manage_users.list_users(current_user))


@bp.route("/users/invite", methods=["GET", "POST"])
@keeps_input
@login_required
def invite():
    manage_users.require_admin(current_user)
    form = InviteForm()
    form.set_cities(city_queries.all_cities())
    if form.validate_on_submit():
        try:
            user = manage_users.invite(
                current_user,
                form.email.data,
                form.role.data,
                form.display_name.data or "",
                form.city.data,
                form.language.data,
            )
        except ValidationFailed as error:
            attach_error(form, error)
        except manage_users.NotDelivered as error:
            flash(str(error), "error")
            return redirect(url_for("manage.edit_user", user_id=error.user.id))
        else:
            flash(_("%(email)s is invited: the link is on its way.", email=user.email), "success")
            return redirect(url_for("manage.users", _anchor=f"user-{user.id}"))
    return render_template("manage/invite.html", form=form), _status()


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
@keeps_input
@login_required
def edit_user(user_id: int):
    user = manage_users.get_user(current_user, user_id)
    form = UserForm(
        data={"role": user.role, "city": user.city.slug if user.city else ""}
        if request.method != "POST"
        else None
    )
    form.set_cities(city_queries.all_cities())
    if form.validate_on_submit():
        try:
            changed = manage_users.update(current_user, user, form.role.data, form.city.data)
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            if changed:
                role = i18n.in_sentence(ROLE_LABELS[user.role])
                if user.city:
                    message = _(
                        "%(email)s is now %(role)s for %(city)s.",
                        email=user.email,
                        role=role,
                        city=user.city.name,
                    )
                else:
                    message = _("%(email)s is now %(role)s.", email=user.email, role=role)
                flash(message, "success")
            else:
                flash(_("Nothing was changed."), "success")
            return redirect(url_for("manage.edit_user", user_id=user.id))
    return render_template("manage/user.html", form=form, user=user), _status()


def _account_action(user_id: int, act, done):
    """Do ``act`` to the account and say so with ``done(user)``, or say why it was refused."""
    user = manage_users.get_user(current_user, user_id)
    try:
        act(user)
    except (InvalidTransition, manage_users.NotDelivered) as error:
        flash(str(error), "error")
    else:
        flash(done(user), "success")
    return redirect(url_for("manage.edit_user", user_id=user_id))


@bp.post("/users/<id:user_id>/deactivate")
@login_required
def deactivate(user_id: int):
    return _account_action(
        user_id,
        lambda user: manage_users.set_active(current_user, user, False),
        lambda user: _(
            "%(email)s is deactivated and signed out everywhere. Their city's entries stay.",
            email=user.email,
        ),
    )


@bp.post("/users/<id:user_id>/reactivate")
@login_required
def reactivate(user_id: int):
    return _account_action(
        user_id,
        lambda user: manage_users.set_active(current_user, user, True),
        lambda user: _("%(email)s can sign in again.", email=user.email),
    )


@bp.post("/users/<id:user_id>/resend")
@login_required
def resend_invitation(user_id: int):
    return _account_action(
        user_id,
        lambda user: manage_users.resend_invitation(current_user, user),
        lambda user: _("A new invitation link is on its way to %(email)s.", email=user.email),
    )
