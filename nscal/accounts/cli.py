"""``flask create-user``, ``flask import-users`` and ``flask reset-password``."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from nscal.accounts.models import AccountRole, normalize_email
from nscal.accounts.services import (
    AccountError,
    create_user,
    find_user_by_email,
    import_users,
    replace_password,
    resolve_city,
    resolve_participant_role,
    send_invitation,
    send_password_reset,
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
@click.option(
    "--update",
    is_flag=True,
    help="Update people who already have an account (by email); blank cells keep their value.",
)
@with_appcontext
def import_users_command(file: Path, dry_run: bool, update: bool):
    """Create accounts from a CSV (email,name,city,participant_role,account_role) and invite them.

    All or nothing: when any row is bad, nobody is created and every bad row is listed.
    With --update, existing people (by email) are updated instead of skipped.
    """
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text.") from None
    report = import_users(text, dry_run=dry_run, update=update)
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
        updating = sum(1 for row in report.rows if row.existing is not None)
        click.echo(
            f"Dry run: {len(report.rows) - updating} account(s) would be created and invited"
            + (f", {updating} updated." if update else ".")
        )
        return
    for user in report.created:
        send_invitation(user)
    db.session.commit()  # the accounts and their invitations, together
    click.echo(
        f"Created {len(report.created)} account(s); queued {len(report.created)} "
        "invitation(s) for `flask send-mail`."
        + (f" Updated {len(report.updated)} account(s)." if update else "")
    )


@click.command("reset-password")
@click.argument("email")
@click.option("--password", help="The new password (asked for when neither option is given).")
@click.option("--send-link", is_flag=True, help="Mail the person a reset link instead.")
@with_appcontext
def reset_password_command(email: str, password: str | None, send_link: bool):
    """Set a new password for EMAIL, or mail them a link to choose one.

    A new password logs the person out everywhere.
    """
    if password is not None and send_link:
        raise click.UsageError("Give either --password or --send-link, not both.")
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"There is no account for {normalize_email(email)}.")
    if send_link:
        try:
            send_password_reset(user)
        except AccountError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None
        db.session.commit()
        click.echo(f"Queued a reset link for {user.email} for `flask send-mail`.")
        return
    if password is None:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        replace_password(user, password)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"The password of {user.email} is changed; they are logged out everywhere.")
