"""`flask --app marketplace import ...`: entries from files into the review queue, one command per
format, each with the same options (``import_options``) and the same run (``run``)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup
from sqlalchemy import select
from tqdm import tqdm

from .extensions import db
from .models import User
from .services import imports, publiccode
from .services.errors import DomainError
from .services.import_csv import read as read_csv
from .services.import_formats import Reader
from .services.import_rows import MAX_BYTES, UnreadableFile
from .vocab import Role

import_cli = AppGroup("import", help="Import entries from files into the review queue.")


def import_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every import command takes."""
    for option in reversed(
        (
            click.option("--city", "city_slug", default="", help="City of rows naming none."),
            click.option(
                "--as",
                "as_email",
                default="",
                help="Curator or admin account the import acts as (default: the first admin).",
            ),
            click.option("--dry-run", is_flag=True, help="Only check: print the plan."),
        )
    ):
        command = option(command)
    return command


def _actor(email: str) -> User:
    query = select(User).where(User.active.is_(True))
    if email:
        query = query.where(User.email == email.strip().lower())
    else:
        query = query.where(User.role == Role.ADMIN).order_by(User.id)
    actor = db.session.scalars(query).first()
    if actor is None:
        raise click.ClickException(
            f"No active account {email}." if email else "No admin account: name one with --as."
        )
    return actor


def read_file(path: Path) -> bytes:
    """The file's bytes, refused before reading when it is larger than an import reads."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise click.ClickException(f"{path.name}: {imports.too_large_message()}")
        with path.open("rb") as stream:
            return imports.read_bounded(stream)
    except UnreadableFile as error:
        raise click.ClickException(f"{path.name}: {error}") from error
    except OSError as error:
        raise click.ClickException(f"Cannot read {path}: {error}") from error


def echo_plan(plan: imports.ImportPlan) -> None:
    for row in plan.rows:
        where = f" [{row.city}]" if row.city else ""
        click.echo(f"{row.label}: {row.action} {row.title or '(no title)'}{where}")
        for problem in row.problems:
            click.echo(f"    - {problem}")
    counts = ", ".join(f"{n} {action}" for action, n in plan.counts.items())
    click.echo(f"Plan for {plan.name}: {counts}.")


def run(reader: Reader, name: str, data: bytes, city_slug: str, as_email: str, dry_run: bool):
    """Check the file, print the plan, and import it unless ``dry_run``.

    Exits 1 when the file is refused, or when a row failed during the import.
    """
    actor = _actor(as_email)
    city = imports.city_by_slug(city_slug)
    if city_slug and city is None:
        raise click.ClickException(f"There is no city {city_slug}.")
    try:
        plan = imports.check(reader, name, data, actor, city)
    except DomainError as error:  # UnreadableFile, PermissionDenied
        raise click.ClickException(str(error)) from error
    echo_plan(plan)
    if dry_run or not plan.to_apply:
        click.echo("Dry run: nothing imported." if dry_run else "Nothing to import.")
        return
    with tqdm(total=len(plan.rows), unit=" rows", disable=None, file=sys.stderr) as bar:
        summary = imports.apply(plan, actor, progress=bar.update)
    for outcome in summary.outcomes:
        if outcome.action == imports.FAILED:
            click.echo(f"{outcome.label}: failed: {outcome.message}")
    click.echo(summary.line())
    if summary.counts[imports.FAILED]:
        raise SystemExit(1)


@import_cli.command("csv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@import_options
def import_csv(file: Path, city_slug: str, as_email: str, dry_run: bool) -> None:
    """Import the entries of a CSV FILE in the CSV export's columns (an export re-imports):
    new ones are submitted for review, changed ones saved as their city's edit, unchanged ones
    left alone. Prints the plan (each row's action and problems) first."""
    run(read_csv, file.name, read_file(file), city_slug, as_email, dry_run)


@import_cli.command("publiccode")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@import_options
@click.option(
    "--challenge",
    "challenges",
    multiple=True,
    help="Challenge (slug) of the entries; repeat for several. publiccode.yml names none, and "
    "an entry needs one to be submitted for review.",
)
def import_publiccode(
    path: Path, city_slug: str, as_email: str, dry_run: bool, challenges: tuple[str, ...]
) -> None:
    """Import the software described by publiccode.yml files: PATH is one file, a zip of them
    (at any depth, e.g. a zip of repositories) or a folder searched for publiccode.yml and
    publiccode.yaml files. As `import csv`: the plan first, new entries submitted for review,
    changed ones saved as their city's edit, unchanged ones left alone."""

    def reader(name: str, data: bytes) -> list:
        return imports.given_challenges(publiccode.read_path(path), list(challenges))

    run(reader, path.name or str(path), b"", city_slug, as_email, dry_run)
