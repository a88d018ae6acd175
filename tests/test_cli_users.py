"""``flask create-user`` and ``flask import-users``."""

import sqlalchemy as sa

from nscal.accounts.models import AccountRole, User
from nscal.accounts.services import authenticate, find_user_by_email
from nscal.db import db


def user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_create_user_with_every_option(runner, demo):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Eva@Example.org",
            "--name",
            "Eva Eriksson",
            "--city",
            "malmo",
            "--participant-role",
            "mayor",
            "--account-role",
            "coordinator",
            "--password",
            "a good long password",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created coordinator eva@example.org" in result.output
    user = find_user_by_email("eva@example.org")
    assert (user.city.slug, user.participant_role.slug) == ("malmo", "mayor")
    assert user.account_role is AccountRole.coordinator
    assert authenticate("eva@example.org", "a good long password") == user


def test_create_user_prompts_for_the_password(runner):
    result = runner.invoke(
        args=["create-user", "--email", "p@example.org", "--name", "P"],
        input="prompted password\nprompted password\n",
    )
    assert result.exit_code == 0, result.output
    assert authenticate("p@example.org", "prompted password") is not None


def test_create_user_refuses_a_duplicate_email(runner, make_user):
    make_user("eva@example.org")
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "EVA@example.org",
            "--name",
            "Eva",
            "--password",
            "x" * 12,
        ]
    )
    assert result.exit_code != 0
    assert "already an account for eva@example.org" in result.output
    assert user_count() == 1


def test_create_user_refuses_an_unknown_city(runner, demo):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "a@example.org",
            "--name",
            "A",
            "--city",
            "atlantis",
            "--password",
            "x" * 12,
        ]
    )
    assert result.exit_code != 0
    assert "Unknown city 'atlantis'" in result.output
    assert find_user_by_email("a@example.org") is None


def test_create_user_refuses_a_short_password(runner):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "a@example.org",
            "--name",
            "A",
            "--password",
            "short",
        ]
    )
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output


GOOD_CSV = """email,name,city,participant_role,account_role
aino@example.org,Aino Virtanen,helsinki,practitioner,member
mats@example.org,Mats Mansson,Malmö,mayor,
jon@example.org,Jón Jónsson,reykjavik,,coordinator
"""


def test_import_users_creates_and_invites_everyone(runner, demo, tmp_path, deliver_outbox):
    file = tmp_path / "people.csv"
    file.write_text(GOOD_CSV, encoding="utf-8")
    result = runner.invoke(args=["import-users", str(file)])
    assert result.exit_code == 0, result.output
    assert "Created 3 account(s); queued 3 invitation(s)" in result.output
    mats = find_user_by_email("mats@example.org")
    assert (mats.city.slug, mats.participant_role.slug, mats.account_role) == (
        "malmo",
        "mayor",
        AccountRole.member,
    )
    assert find_user_by_email("jon@example.org").account_role is AccountRole.coordinator
    sent = deliver_outbox()
    assert sorted(m["To"] for m in sent) == [
        "aino@example.org",
        "jon@example.org",
        "mats@example.org",
    ]
    assert all("/auth/invitation/" in m.get_body(("plain",)).get_content() for m in sent)


def test_import_users_with_a_bad_row_writes_nothing_and_names_the_line(
    runner, demo, tmp_path, deliver_outbox
):
    file = tmp_path / "people.csv"
    file.write_text(
        GOOD_CSV
        + "not-an-email,Bad Address,oslo,practitioner,member\n"
        + "x@example.org,Unknown City,atlantis,practitioner,member\n"
        + "aino@example.org,Aino Again,helsinki,practitioner,member\n",
        encoding="utf-8",
    )
    users_before = user_count()
    result = runner.invoke(args=["import-users", str(file)])
    assert result.exit_code != 0
    assert "line 5:" in result.output and "not a valid email address" in result.output
    assert "line 6: Unknown city 'atlantis'" in result.output
    assert "line 7: aino@example.org already appears on line 2" in result.output
    assert "nothing was imported" in result.output
    assert user_count() == users_before
    assert deliver_outbox() == []


def test_import_users_dry_run_changes_nothing(runner, demo, tmp_path, deliver_outbox):
    file = tmp_path / "people.csv"
    file.write_text(GOOD_CSV, encoding="utf-8")
    users_before = user_count()
    result = runner.invoke(args=["import-users", str(file), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "3 account(s) would be created" in result.output
    assert user_count() == users_before
    assert deliver_outbox() == []


def test_import_users_skips_people_who_already_have_an_account(runner, demo, tmp_path, make_user):
    make_user("aino@example.org")
    file = tmp_path / "people.csv"
    file.write_text(GOOD_CSV, encoding="utf-8")
    result = runner.invoke(args=["import-users", str(file)])
    assert result.exit_code == 0, result.output
    assert "line 2: skipped: aino@example.org already has an account." in result.output
    assert "Created 2 account(s)" in result.output


def test_import_users_reports_missing_columns(runner, tmp_path):
    file = tmp_path / "people.csv"
    file.write_text("mail,fullname\na@example.org,A\n", encoding="utf-8")
    result = runner.invoke(args=["import-users", str(file)])
    assert result.exit_code != 0
    assert "line 1: missing column(s): email, name" in result.output


def test_import_users_accepts_a_spreadsheet_bom(runner, demo, tmp_path):
    file = tmp_path / "people.csv"
    file.write_bytes(b"\xef\xbb\xbf" + GOOD_CSV.encode())
    result = runner.invoke(args=["import-users", str(file)])
    assert result.exit_code == 0, result.output
