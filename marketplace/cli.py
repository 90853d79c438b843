"""Command-line interface: thin commands over the services (`flask --app marketplace --help`)."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from tqdm import tqdm

from . import backup, mail, search
from .alerts_cli import alerts_cli
from .import_cli import import_cli
from .services import accounts, demo, dump, images, notices
from .services.errors import ValidationFailed
from .vocab import ROLE_LABELS


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(search_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(media_cli)
    app.cli.add_command(taxonomy_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(export_cli)
    app.cli.add_command(alerts_cli)
    app.cli.add_command(import_cli)


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only seed when the database holds no data yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo catalogue (ICC taxonomy, sample cities and entries, one account per role).

    Creates only what is missing, so running it twice changes nothing. Refused in production.
    """
    if current_app.config["ENV"] == "production":
        raise click.ClickException(
            "seed-demo creates accounts with known passwords: not in production."
        )
    report = demo.seed_demo(only_if_empty=if_empty)
    if report is None:
        click.echo("The database already holds data: demo catalogue not loaded.")
        return
    if report.created:
        created = ", ".join(f"{n} {what}" for what, n in report.created.items())
        click.echo(f"Created {created}.")
    else:
        click.echo("The demo catalogue was already loaded: nothing to add.")
    click.echo("Demo accounts (development credentials only):")
    for account in report.accounts:
        click.echo(f"  {account['role']:<10} {account['email']:<30} {account['password']}")
    count = search.rebuild(progress=_rebuild_bar)
    click.echo(f"Search index rebuilt: {count} published entries.")


taxonomy_cli = AppGroup("taxonomy", help="The ICC taxonomy's shared data.")


@taxonomy_cli.command("load")
def taxonomy_load() -> None:
    """Load the ICC taxonomy (tracks, challenges, services, SDGs) the database lacks.

    The first step of a production database: no sample city, entry or account is created, and a
    term that exists is left as the curators made it. Running it again adds nothing.
    """
    report = demo.load_taxonomy()
    if report.created:
        click.echo(
            "Created " + ", ".join(f"{n} {what}" for what, n in report.created.items()) + "."
        )
    else:
        click.echo("The taxonomy is complete: nothing to add.")


@taxonomy_cli.command("phrases")
def taxonomy_phrases() -> None:
    """Add the seed's words people use for each term, and its names and descriptions in other
    languages, that the database lacks.

    For a database made before the phrases existed, or a newer seed. A phrase a curator removed
    is not added back; the curators' own phrases stay. Safe in production: it creates nothing else.
    """
    names, added = demo.load_names(), demo.load_phrases()
    said = [f"{added} phrase{'' if added == 1 else 's'}"] if added else []
    if names:
        plural = "" if names == 1 else "s"
        said.append(f"{names} name{plural} or description{plural} in other languages")
    click.echo(f"Added {' and '.join(said)}." if said else "Nothing to add.")


search_cli = AppGroup("search", help="Build and inspect the search index.")


def _rebuild_bar(total: int) -> tqdm:
    """The rebuild's progress on a terminal (none when stderr is not one)."""
    return tqdm(total=total, unit=" entries", disable=None, file=sys.stderr)


@search_cli.command("rebuild")
def search_rebuild() -> None:
    """Build a fresh index of every published entry and swap it in atomically."""
    count = search.rebuild(progress=_rebuild_bar)
    click.echo(f"Indexed {count} published entries.")


@search_cli.command("sync")
def search_sync() -> None:
    """Apply the changes waiting in the search outbox to the live index."""
    applied = search.drain()
    if applied is None:
        raise click.ClickException(
            "The index is missing or busy: try again, or run `flask --app marketplace search "
            "rebuild`."
        )
    click.echo(f"Applied {applied} pending changes.")
    _embed(wait=True, threads=None)


@search_cli.command("embed")
@click.option(
    "--threads", type=click.IntRange(1, 64), default=None, help="Encoder threads (default: cores)."
)
def search_embed(threads: int | None) -> None:
    """Embed the indexed entries that have no vector yet (search by meaning), with progress."""
    _embed(wait=True, threads=threads or os.cpu_count() or 1, bar=True)


def _embed(wait: bool, threads: int | None, bar: bool = False) -> None:
    if threads:
        current_app.config["SEARCH_ENCODER_THREADS"] = threads  # read when the encoder loads
    if search.encoder() is None:
        click.echo("No sentence encoder (SEARCH_ENCODER): search ranks by words only.")
        return
    if not bar:
        report = search.embed_missing(wait=wait)
    else:
        with click.progressbar(length=0, label="Embedding", show_pos=True) as progress:

            def advance(done: int, total: int) -> None:
                progress.length = total
                progress.update(done - progress.pos)

            report = search.embed_missing(wait=wait, progress=advance)
    if report is not None:
        rate = report.embedded / report.seconds if report.seconds else 0
        click.echo(
            f"Embedded {report.embedded} entries in {report.seconds:.1f} s ({rate:.1f}/s); "
            f"{max(report.missing, 0)} still without a vector."
        )


@search_cli.command("check")
@click.option("--repair", is_flag=True, help="Fix every difference found.")
def search_check(repair: bool) -> None:
    """Compare the index with the database; exits 1 when they differ (unless repaired)."""
    try:
        drift = search.check(repair=repair)
    except (search.NoIndex, search.IndexBusy, search.IndexOutdated) as error:
        raise click.ClickException(str(error)) from error
    for label, slugs in (
        ("missing from the index", drift.missing),
        ("in the index but not published", drift.extra),
        ("indexed from an older version", drift.stale),
    ):
        for slug in slugs:
            click.echo(f"{label}: {slug}")
    if not drift:
        click.echo("Index and database agree.")
    elif repair:
        click.echo("Repaired.")
    else:
        raise click.ClickException("Index and database differ: run `search check --repair`.")


@search_cli.command("stats")
def search_stats() -> None:
    """Show the size of the live index."""
    stats = search.index_stats()
    if stats is None:
        raise click.ClickException(
            "No search index yet: run `flask --app marketplace search rebuild`."
        )
    click.echo(f"Index:     {stats.path}")
    click.echo(f"Documents: {stats.documents}")
    click.echo(f"Segments:  {stats.segments}")
    click.echo(f"Size:      {stats.size_bytes / 1024:.0f} KiB")
    meaning = search.meaning_stats()
    if meaning is None:
        click.echo("Vectors:   none (no sentence encoder: search ranks by words only)")
    else:
        click.echo(
            f"Vectors:   {meaning.with_vector} of {stats.documents} documents "
            f"({meaning.encoder}; store {meaning.stored} vectors, "
            f"{meaning.bytes_per_entry} bytes each)"
        )


users_cli = AppGroup("users", help="Manage accounts.")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@users_cli.command("create")
@click.option("--email", required=True, help="Sign-in address of the new account.")
@click.option("--role", required=True, type=click.Choice(list(ROLE_LABELS)))
@click.option("--city", "city_slug", help="Slug of the city a publisher writes for.")
@click.option("--name", "display_name", default="", help="Display name (default: from the email).")
@click.option(
    "--invite", is_flag=True, help="Email an invitation link instead of reading a password."
)
def users_create(email: str, role: str, city_slug: str | None, display_name: str, invite: bool):
    """Create an account. The password is read from standard input (asked twice on a terminal),
    or, with --invite, the new user chooses it through an emailed single-use link."""
    password = None if invite else _read_password()
    try:
        if invite:
            user, mailed = accounts.invite(email, role, display_name, city_slug)
        else:
            user, mailed = (
                accounts.create_user(email, role, display_name, city_slug, password),
                True,
            )
    except ValidationFailed as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {ROLE_LABELS[user.role].lower()} {user.email}.")
    if not mailed:
        raise click.ClickException(
            "The account exists but the invitation could not be sent (see the log); it is kept "
            "for `flask mail retry`."
        )
    if invite:
        click.echo(f"Invitation sent to {user.email}.")


mail_cli = AppGroup("mail", help="Outgoing mail.")


@mail_cli.command("digest")
def mail_digest() -> None:
    """Mail every curator the list of entries waiting for review (run daily from cron when
    MARKETPLACE_CURATOR_MAIL=digest)."""
    click.echo(f"Sent {notices.digest()} digest(s).")


@mail_cli.command("retry")
def mail_retry() -> None:
    """Send again the messages the mail server refused (kept in <data dir>/outbox/unsent/)."""
    sent, left = mail.retry_unsent()
    click.echo(f"Sent {sent} kept message(s); {left} still refused.")
    if left:
        raise SystemExit(1)


media_cli = AppGroup("media", help="Uploaded images.")


@media_cli.command("prune")
@click.option("--hours", default=1.0, show_default=True, help="Keep files younger than this.")
def media_prune(hours: float) -> None:
    """Delete uploaded images no entry or pending change refers to (older than --hours, so a
    save in progress keeps its new file)."""
    removed = images.prune(timedelta(hours=hours))
    click.echo(f"Removed {len(removed)} unreferenced file(s).")


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(path_type=Path))
def backup_command(path: Path) -> None:
    """Write a consistent backup archive (rows, uploaded images, the generated secret key, mail
    kept for retry; never the search index) to PATH, or to a new time-stamped file when PATH is
    a directory. Safe while the site is serving and writing."""
    try:
        taken = backup.create(path, progress=click.echo)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    for note in taken.notes:
        click.echo(f"Note: {note}")
    manifest = taken.manifest
    rows = sum(table["rows"] for table in manifest["tables"].values())
    size = taken.path.stat().st_size / (1024 * 1024)
    click.echo(
        f"Backup written to {taken.path} ({size:.1f} MB): {manifest['database']} at schema "
        f"{manifest['schema_revision']}, {rows} rows in {len(manifest['tables'])} tables, "
        f"{manifest['images']} image(s)."
    )


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(path: Path) -> None:
    """Restore the backup archive PATH into this (empty) database and data dir, of either
    database kind, then rebuild the search index. Refuses a target that holds data, a damaged
    archive and one from a newer version of the marketplace."""
    try:
        restored = backup.restore(path, progress=click.echo)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    for note in restored.notes:
        click.echo(f"Note: {note}")
    manifest = restored.manifest
    click.echo(
        f"Restored the {manifest['database']} backup of {manifest['created_at']} "
        f"({restored.method})."
    )
    count = search.rebuild(progress=_rebuild_bar)
    click.echo(f"Search index rebuilt: {count} published entries.")
    click.echo("Run `flask --app marketplace search embed` to search by meaning again.")


export_cli = AppGroup("export", help="Write the published data to files.")


@export_cli.command("dump")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--keep",
    type=click.IntRange(1),
    default=3,
    show_default=True,
    help="Dumps kept in the dumps folder (older ones are deleted); only without PATH.",
)
def export_dump(path: Path | None, keep: int) -> None:
    """Write the open-data dump (every published entry, city and taxonomy term as JSON Lines and
    CSV, README, licence) to the file PATH, to a new time-stamped file when PATH is a folder, or,
    without PATH, into the dumps folder that /data/ serves the newest of."""
    with tqdm(total=dump.rows_to_write(), unit=" rows", disable=None, file=sys.stderr) as bar:
        try:
            written = dump.create(path, progress=bar.update)
        except OSError as error:
            raise click.ClickException(f"Cannot write the dump: {error}") from error
    counts = ", ".join(f"{n} {name}" for name, n in written.counts.items())
    click.echo(f"Dump written to {written.path} ({written.size / 1_000_000:.1f} MB): {counts}.")
    if path is None:
        for name in dump.prune(keep):
            click.echo(f"Removed the older dump {name}.")
