"""Command-line commands, added to ``flask --app nscal``."""

from nscal.accounts.cli import (
    create_user_command,
    import_users_command,
    reset_password_command,
)
from nscal.demo import seed_demo_command
from nscal.imports.cli import import_events_command
from nscal.mail.cli import send_mail_command
from nscal.manage.cli import send_digest_command
from nscal.people.cli import purge_command
from nscal.reminders.cli import send_reminders_command


def register_commands(app) -> None:
    for command in (
        create_user_command,
        import_users_command,
        reset_password_command,
        seed_demo_command,
        import_events_command,
        send_mail_command,
        send_reminders_command,
        purge_command,
        send_digest_command,
    ):
        app.cli.add_command(command)
