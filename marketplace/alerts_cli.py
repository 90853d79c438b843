"""`flask --app marketplace alerts ...`: the saved searches' digests, run from cron."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from . import search
from .services import alert_digest, alerts

alerts_cli = AppGroup("alerts", help="Saved searches' email digests.")


@alerts_cli.command("send")
def alerts_send() -> None:
    """Mail the digests that are due (run it hourly or daily from cron; running it again
    mails nothing twice), after deleting the saved searches whose confirmation link expired
    unconfirmed. Prints one line; exits 1 when a digest could not be sent."""
    pruned = alerts.prune_unconfirmed()
    try:
        report = alert_digest.send_due()
    except search.NoIndex as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{report.summary()}, {pruned} unconfirmed deleted")
    if report.failed:
        raise SystemExit(1)
