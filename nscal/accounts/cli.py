"""``flask create-user`` and ``flask import-users``."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from nscal.accounts.models import AccountRole
from nscal.accounts.services import (
    AccountError,
    create_user,
    import_users,
    resolve_city,
    resolve_participant_role,
    send_invitation,
)
from nscal.db import db


@click.command("create-user")
@click.option("--email", required=True, help="The login address.")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--city", help="Slug or name of the person's member city.")
@click.option("--participant-role", help="practitioner, mayor, politician, leader …")
@click.option(
    "--account-role",
    type=click.Choice([role.value for role in AccountRole]),
    default=AccountRole.member.value,
    show_default=True,
)
@click.option("--password", help="Asked for when not given.")
@with_appcontext
def create_user_command(email, name, city, participant_role, account_role, password):
    """Create one account."""
    try:
        city_obj = resolve_city(city)
        role_obj = resolve_participant_role(participant_role)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(
            email=email,
            name=name,
            city=city_obj,
            participant_role=role_obj,
            account_role=AccountRole(account_role),
            password=password,
        )
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Created {user.account_role.value} {user.email} ({user.name}).")


@click.command("import-users")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; change nothing.")
@with_appcontext
def import_users_command(file: Path, dry_run: bool):
    """Create accounts from a CSV (email,name,city,participant_role,account_role) and invite them.

    All or nothing: when any row is bad, nobody is created and every bad row is listed.
    """
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text.") from None
    report = import_users(text, dry_run=dry_run)
    for line, message in report.skipped:
        click.echo(f"line {line}: skipped: {message}")
    if not report.ok:
        db.session.rollback()
        for line, message in report.errors:
            click.echo(f"{file}: line {line}: {message}", err=True)
        raise click.ClickException(
            f"{len(report.errors)} bad row(s); nothing was imported. Fix them and run again."
        )
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run: {len(report.rows)} account(s) would be created and invited.")
        return
    for user in report.created:
        send_invitation(user)
    db.session.commit()  # the accounts and their invitations, together
    click.echo(
        f"Created {len(report.created)} account(s); queued {len(report.created)} "
        "invitation(s) for `flask send-mail`."
    )
