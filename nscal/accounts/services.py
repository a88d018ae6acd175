"""Account operations shared by the web pages, the CLI and imports.

Services take plain arguments, raise ``AccountError`` with a message meant for people,
flush, and leave the commit to the caller.
"""

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from nscal.accounts import throttle
from nscal.accounts.models import (
    AccountRole,
    SsoIdentity,
    User,
    new_feed_token,
    normalize_email,
)
from nscal.accounts.password_feedback import translated_feedback
from nscal.cities.models import City, ParticipantRole, city_by_slug_or_name, role_by_slug_or_name
from nscal.db import db, utcnow
from nscal.i18n import in_language, is_language, language_of
from nscal.inputs import single_line
from nscal.mail.outbox import enqueue
from nscal.mail.rendering import render_mail
from nscal.timeutil import is_valid_zone
from nscal.urls import external_url

INVITATION_SALT = "nscal-invitation"
PASSWORD_RESET_SALT = "nscal-password-reset"
# Words anyone attacking this site would try first, next to the person's own.
SITE_WORDS = ("nordic", "safe", "cities", "nordicsafecities", "nscal", "calendar")
MAX_NAME = 200  # the column's length
USER_CSV_COLUMNS = ("email", "name", "city", "participant_role", "account_role")


class AccountError(ValueError):
    """An account operation was refused; the message says why, in words for people."""


class PasswordPolicyError(AccountError):
    """The new password is too short, too long or too easy to guess."""


# --- passwords ------------------------------------------------------------------------

_dummy_hash: str | None = None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password_strength(password: str, user_inputs: tuple[str, ...] = ()) -> None:
    """Refuse passwords that are too short, too long, or common and guessable
    (zxcvbn, which also tries ``user_inputs``: the person's own name and address)."""
    config = current_app.config
    minimum, maximum = config["MIN_PASSWORD_LENGTH"], config["MAX_PASSWORD_LENGTH"]
    if len(password) < minimum:
        raise PasswordPolicyError(
            _("The password must have at least %(minimum)d characters.", minimum=minimum)
        )
    if len(password) > maximum:
        raise PasswordPolicyError(
            _("The password can have at most %(maximum)d characters.", maximum=maximum)
        )
    result = zxcvbn(password, user_inputs=[*user_inputs, *SITE_WORDS], max_length=maximum)
    if result["score"] < config["MIN_PASSWORD_SCORE"]:
        raise PasswordPolicyError(_guessable_password_message(result["feedback"]))


def _guessable_password_message(feedback: dict) -> str:
    parts = [_("This password is too easy to guess.")]
    if feedback.get("warning"):
        parts.append(translated_feedback(feedback["warning"]).rstrip(".") + ".")
    suggestions = feedback.get("suggestions") or []
    parts.extend(
        [translated_feedback(text) for text in suggestions]
        or [_("Add another word or two; uncommon words are better.")]
    )
    return " ".join(parts)


def _personal_words(user: User) -> tuple[str, ...]:
    email = user.email or ""
    name = user.name or ""
    return (email, email.partition("@")[0], name, *name.split())


def set_password(user: User, password: str) -> None:
    check_password_strength(password, _personal_words(user))
    user.password_hash = hash_password(password)


def end_sessions(user: User) -> None:
    """Sign the person out on every device: their session and remember cookies stop working."""
    user.end_sessions()
    db.session.flush()


def replace_password(user: User, password: str) -> None:
    """Set a new password and end every session made with the old one."""
    set_password(user, password)
    end_sessions(user)


def log_in(email: str, password: str, *, client_address: str | None) -> User:
    """The person with this email and password, counting failures against the account and
    the client; ``TooManyAttempts`` (without looking at the password) while either is
    blocked. The caller commits also when this raises ``AccountError``, to keep the count.
    """
    counters = throttle.login_counters(email, client_address)
    throttle.check(counters)
    user = authenticate(email, password)
    if user is None:
        throttle.count_failure(counters)
        # Never say whether the email or the password was wrong.
        raise AccountError(_("Wrong email or password."))
    throttle.clear(counters[0])
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None, taking the same time either way."""
    global _dummy_hash
    user = find_user_by_email(email)
    if user is None or user.password_hash is None or not user.active:
        # Hash anyway, so the response time does not tell whether the account exists.
        if _dummy_hash is None:
            _dummy_hash = hash_password("not a password")
        check_password_hash(_dummy_hash, password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    user.last_login_at = utcnow()
    return user


# --- accounts -------------------------------------------------------------------------


def checked_name(name: str | None) -> str:
    """The name on one line, or ``AccountError`` when it is empty or too long."""
    name = single_line(name)
    if not name:
        raise AccountError(_("A name is required."))
    if len(name) > MAX_NAME:
        raise AccountError(_("The name is longer than %(maximum)d characters.", maximum=MAX_NAME))
    return name


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        sa.select(User).where(User.email == normalize_email(email))
    ).scalar_one_or_none()


def checked_email(email: str) -> str:
    """The normalized address, or ``AccountError`` when it is not an email address."""
    try:
        validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError(
            _(
                "%(email)s is not a valid email address (%(reason)s).",
                email=repr(email.strip()),
                reason=str(exc),
            )
        ) from None
    return normalize_email(email)


def resolve_city(value: str | None) -> City | None:
    if not value or not value.strip():
        return None
    city = city_by_slug_or_name(value)
    if city is None:
        raise AccountError(_("Unknown city %(city)s.", city=repr(value.strip())))
    return city


def resolve_participant_role(value: str | None) -> ParticipantRole | None:
    if not value or not value.strip():
        return None
    role = role_by_slug_or_name(value)
    if role is None:
        raise AccountError(_("Unknown participant role %(role)s.", role=repr(value.strip())))
    return role


def resolve_account_role(value: str | AccountRole | None) -> AccountRole:
    if isinstance(value, AccountRole):
        return value
    if not value or not value.strip():
        return AccountRole.member
    try:
        return AccountRole(value.strip().lower())
    except ValueError:
        choices = ", ".join(role.value for role in AccountRole)
        raise AccountError(
            _(
                "Unknown account role %(role)s (use %(choices)s).",
                role=repr(value.strip()),
                choices=choices,
            )
        ) from None


def create_user(
    *,
    email: str,
    name: str,
    city: City | None = None,
    participant_role: ParticipantRole | None = None,
    account_role: AccountRole = AccountRole.member,
    password: str | None = None,
    timezone: str | None = None,
) -> User:
    """Add an account. Without a password the person must accept an invitation first."""
    email = checked_email(email)
    name = checked_name(name)
    if timezone is not None and not is_valid_zone(timezone):
        raise AccountError(_("Unknown time zone %(zone)s.", zone=repr(timezone)))
    if find_user_by_email(email) is not None:
        raise AccountError(_("There is already an account for %(email)s.", email=email))
    user = User(
        email=email,
        name=name,
        city=city,
        participant_role=participant_role,
        account_role=account_role,
        timezone=timezone,
    )
    if password is not None:
        set_password(user, password)
    db.session.add(user)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:  # another request created the same address meanwhile
        raise AccountError(_("There is already an account for %(email)s.", email=email)) from None
    return user


def update_profile(
    user: User, *, name: str, timezone: str | None, language: str | None | object = ...
) -> None:
    """Name and time zone; the language too when given (None: not chosen)."""
    name = checked_name(name)
    if timezone and not is_valid_zone(timezone):
        raise AccountError(_("Unknown time zone %(zone)s.", zone=repr(timezone)))
    if language is not ... and language is not None and not is_language(language):
        raise AccountError(_("Unknown language %(language)s.", language=repr(language)))
    user.name = name
    user.timezone = timezone or None
    if language is not ...:
        user.language = language or None


def change_password(user: User, *, current: str, new: str) -> None:
    """Change the password and end the person's other sessions (the caller logs the
    current one in again: its cookie carries the old session version)."""
    if user.password_hash is None or not check_password_hash(user.password_hash, current):
        raise AccountError(_("The current password is not right."))
    replace_password(user, new)


def reset_feed_token(user: User) -> None:
    """Give the person a new private feed URL; the old one stops working."""
    user.feed_token = new_feed_token()


# --- admins managing accounts ---------------------------------------------------------


def change_account_role(user: User, role: AccountRole, acting: User) -> None:
    """An admin gives someone an account role; nobody takes away their own admin role
    (the last admin could lock everyone out)."""
    if user.id == acting.id and role is not AccountRole.admin:
        raise AccountError(_("You cannot take away your own admin role."))
    if user.is_deleted:
        raise AccountError(_("This account is deleted."))
    user.account_role = role
    db.session.flush()


def set_active(user: User, active: bool, acting: User) -> None:
    """An admin deactivates an account (it can no longer log in) or makes it active again;
    nobody deactivates their own."""
    if user.id == acting.id:
        raise AccountError(_("You cannot deactivate your own account."))
    if user.is_deleted:
        raise AccountError(_("This account is deleted; it cannot be reactivated."))
    user.active = active
    db.session.flush()


def update_user(
    user: User,
    *,
    email: str,
    name: str,
    city: City | None,
    participant_role: ParticipantRole | None,
    account_role: AccountRole | str | None,
    active: bool,
    acting: User | None,
) -> None:
    """An admin (``acting``; None: an operator's CLI) corrects a person's record, checked
    as ``create_user`` checks a new one. Existing registrations keep the city and
    participant role they were made in; only new registrations use the new ones."""
    if user.is_deleted:
        raise AccountError(_("This account is deleted; it cannot be changed."))
    email = checked_email(email)
    name = checked_name(name)
    role = resolve_account_role(account_role)
    other = find_user_by_email(email)
    if other is not None and other.id != user.id:
        raise AccountError(_("There is already an account for %(email)s.", email=email))
    if acting is not None:
        if role is not user.account_role:
            change_account_role(user, role, acting)
        if active is not user.active:
            set_active(user, active, acting)
    else:
        user.account_role = role
        user.active = active
    user.email = email
    user.name = name
    user.city = city
    user.participant_role = participant_role
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:  # another request took the address meanwhile
        raise AccountError(_("There is already an account for %(email)s.", email=email)) from None


def resend_invitation(user: User, acting: User) -> None:
    """Send a new invitation link to someone who has not chosen a password yet."""
    if user.is_deleted:
        raise AccountError(_("This account is deleted."))
    if user.has_password:
        raise AccountError(_("%(name)s has already chosen a password.", name=user.name))
    send_invitation(user, acting)


# --- invitations ----------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INVITATION_SALT)


def _password_fingerprint(user: User) -> str:
    # Changes as soon as a password is set, which makes every earlier link single-use.
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def invitation_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "state": _password_fingerprint(user)})


@dataclass(frozen=True)
class _LinkRefusals:
    """What a person reads when a mailed link no longer works, by reason (lazy texts,
    worded in the reader's language when raised)."""

    expired: object
    invalid: object
    used: object


def _user_for_link(serializer, token: str, max_age: timedelta, refusals: _LinkRefusals) -> User:
    """The active person a signed, unexpired, unused link belongs to, or ``AccountError``.
    Links carry a fingerprint of the password hash, so setting a password uses them up."""
    try:
        data = serializer.loads(token, max_age=max_age.total_seconds())
    except SignatureExpired:
        raise AccountError(str(refusals.expired)) from None
    except BadSignature:
        raise AccountError(str(refusals.invalid)) from None
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or not user.active:
        raise AccountError(str(refusals.invalid))
    if data.get("state") != _password_fingerprint(user):
        raise AccountError(str(refusals.used))
    return user


INVITATION_REFUSALS = _LinkRefusals(
    expired=_l("This invitation has expired. Ask a coordinator to send you a new one."),
    invalid=_l("This invitation link is not valid."),
    used=_l("This invitation has already been used. Log in with your password."),
)
RESET_REFUSALS = _LinkRefusals(
    expired=_l("This link has expired. Ask for a new one with “Forgot your password?”."),
    invalid=_l("This password reset link is not valid."),
    used=_l("This link has already been used. Ask for a new one if you need to."),
)


def user_for_invitation(token: str) -> User:
    """The person a still-valid invitation link belongs to, or ``AccountError``."""
    return _user_for_link(
        _serializer(), token, current_app.config["INVITATION_MAX_AGE"], INVITATION_REFUSALS
    )


def accept_invitation(token: str, password: str) -> User:
    user = user_for_invitation(token)
    set_password(user, password)
    return user


def send_invitation(user: User, invited_by: User | None = None) -> None:
    """Mail the person a link to choose their password (queued in the outbox: it goes
    out once the caller commits)."""
    language = language_of(user)
    with in_language(language):
        enqueue(
            render_mail(
                "invitation",
                to=user.email,
                language=language,
                name=user.name,
                inviter=invited_by.name if invited_by else None,
                link=external_url("auth.accept_invitation", token=invitation_token(user)),
                days=current_app.config["INVITATION_MAX_AGE"].days,
            )
        )
    user.invited_at = utcnow()


# --- password reset -------------------------------------------------------------------


class _AppClockSigner(TimestampSigner):
    """Stamps and ages links with the app's clock (``utcnow``), like every other rule."""

    def get_timestamp(self) -> int:
        return int(utcnow().timestamp())


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=PASSWORD_RESET_SALT, signer=_AppClockSigner
    )


def password_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"user": user.id, "state": _password_fingerprint(user)})


def user_for_password_reset(token: str, *, client_address: str | None = None) -> User:
    """The person a still-valid reset link belongs to, or ``AccountError``.

    With ``client_address``, bad links count against that client, which is blocked
    (``TooManyAttempts``) after a few; the caller commits also after ``AccountError``.
    """
    counters = throttle.reset_counters(None, client_address)
    if client_address is not None:
        throttle.check(counters)
    try:
        return _user_for_password_reset(token)
    except AccountError:
        if client_address is not None:
            throttle.count_failure(counters)
        raise


def _user_for_password_reset(token: str) -> User:
    return _user_for_link(
        _reset_serializer(), token, current_app.config["PASSWORD_RESET_MAX_AGE"], RESET_REFUSALS
    )


def reset_password(token: str, password: str) -> User:
    """Set the password through a reset link; the link and every session end."""
    user = _user_for_password_reset(token)
    replace_password(user, password)
    return user


def send_password_reset(user: User) -> None:
    """Mail the person a single-use link to choose a new password (queued in the outbox:
    it goes out once the caller commits). Deactivated accounts get none."""
    if not user.active:
        raise AccountError(
            _("The account of %(email)s is deactivated; no link was sent.", email=user.email)
        )
    language = language_of(user)
    with in_language(language):  # the link and the words in the recipient's language
        link = external_url("auth.reset_password", token=password_reset_token(user))
        minutes = int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() // 60)
        lifetime = (
            # Translators: how long a reset link works: "the link works once, for an hour".
            _("an hour")
            if minutes == 60
            else ngettext("%(num)d minute", "%(num)d minutes", minutes)
        )
        enqueue(
            render_mail(
                "password_reset",
                to=user.email,
                language=language,
                name=user.name,
                link=link,
                lifetime=lifetime,
            )
        )


def request_password_reset(email: str, *, client_address: str | None) -> None:
    """Mail a reset link when an active account has this address; the same for every
    address, so the caller's answer tells nobody whether the account exists. Every
    request counts against the address and the client (``TooManyAttempts``)."""
    counters = throttle.reset_counters(email, client_address)
    throttle.check(counters)
    throttle.count_failure(counters)
    user = find_user_by_email(email)
    if user is not None and user.active:
        send_password_reset(user)


def check_may_invite(inviter: User, account_role: AccountRole) -> None:
    """Coordinators invite members; admins invite anyone."""
    if not inviter.is_admin and account_role is not AccountRole.member:
        raise AccountError(
            _(
                "Only an admin can invite someone as %(role)s.",
                role=str(account_role.label).lower(),
            )
        )


# --- CSV import -----------------------------------------------------------------------


@dataclass
class UserImportRow:
    line: int
    email: str
    name: str
    city: City | None
    participant_role: ParticipantRole | None
    account_role: AccountRole
    # With --update: the account this row updates, and the columns it fills (blank
    # cells leave an existing person's value as it is).
    existing: User | None = None
    given: frozenset[str] = frozenset()


@dataclass
class UserImportReport:
    rows: list[UserImportRow] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # existing accounts
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: list[User] = field(default_factory=list)
    updated: list[User] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_user_csv(text: str, *, update: bool = False) -> UserImportReport:
    """Parse and check every row; nothing is written. Line numbers count the header as 1.

    With ``update``, a row whose email has an account updates it instead of being skipped.
    """
    report = UserImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [column for column in USER_CSV_COLUMNS[:2] if column not in header]
    if missing:
        report.errors.append((1, f"missing column(s): {', '.join(missing)}"))
        return report
    reader.fieldnames = header
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        values = {key: (value or "").strip() for key, value in record.items() if key}
        if not any(values.values()):
            continue
        try:
            email = checked_email(values.get("email", ""))
            row = UserImportRow(
                line=line,
                email=email,
                name=checked_name(values.get("name")),
                city=resolve_city(values.get("city")),
                participant_role=resolve_participant_role(values.get("participant_role")),
                account_role=resolve_account_role(values.get("account_role")),
            )
        except AccountError as exc:
            report.errors.append((line, str(exc)))
            continue
        if email in seen:
            report.errors.append((line, f"{email} already appears on line {seen[email]}."))
            continue
        seen[email] = line
        existing = find_user_by_email(email)
        if existing is not None and not update:
            report.skipped.append((line, f"{email} already has an account."))
            continue
        if existing is not None:
            row.existing = existing
            row.given = frozenset(key for key in USER_CSV_COLUMNS if values.get(key))
        report.rows.append(row)
    return report


def import_users(text: str, *, dry_run: bool = False, update: bool = False) -> UserImportReport:
    """Create every new person in the CSV, or nobody when any row is bad; with
    ``update``, people who have an account (by email) are updated instead.

    The caller queues the invitations (``send_invitation``) and commits once, so no
    mail goes out for accounts that were never stored.
    """
    report = check_user_csv(text, update=update)
    if not report.ok or dry_run:
        return report
    for row in report.rows:
        if row.existing is not None:
            person = row.existing
            update_user(
                person,
                email=person.email,
                name=row.name,
                city=row.city if "city" in row.given else person.city,
                participant_role=row.participant_role
                if "participant_role" in row.given
                else person.participant_role,
                account_role=row.account_role
                if "account_role" in row.given
                else person.account_role,
                active=person.active,
                acting=None,
            )
            report.updated.append(person)
            continue
        report.created.append(
            create_user(
                email=row.email,
                name=row.name,
                city=row.city,
                participant_role=row.participant_role,
                account_role=row.account_role,
            )
        )
    return report


# --- single sign-on -------------------------------------------------------------------


class SingleSignOnRefused(AccountError):
    """A provider vouched for someone nscal does not let in; ``reason`` says which case
    (``unverified``, ``unknown``, ``deactivated``, ``linked_elsewhere``, ``invalid``)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ProviderPerson:
    """Who a provider says is logging in: the claims nscal uses, already read."""

    provider: str  # the provider's name in the settings
    subject: str  # "sub": the provider's stable id for the person
    email: str | None
    email_verified: bool
    name: str | None
    city: str | None = None  # a city's slug or name, when the provider has a claim for it


def log_in_with_provider(
    person: ProviderPerson, *, may_create: bool, city_slug: str | None = None
) -> User:
    """The active account a provider's person logs in to, linking it on first use.

    Found by the link (provider and subject) made on an earlier login, else by the
    verified email address, which links it. Someone unknown gets a member account
    when ``may_create`` (in ``city_slug``'s city, when there is one), else
    ``SingleSignOnRefused``; so are deactivated accounts and unverified addresses.
    """
    identity = db.session.execute(
        sa.select(SsoIdentity).where(
            SsoIdentity.provider == person.provider, SsoIdentity.subject == person.subject
        )
    ).scalar_one_or_none()
    if identity is not None:
        user = identity.user
    else:
        user = _user_to_link(person, may_create=may_create, city_slug=city_slug)
        identity = SsoIdentity(user=user, provider=person.provider, subject=person.subject)
        db.session.add(identity)
    if not user.active:
        raise SingleSignOnRefused(
            "deactivated",
            _(
                "Your account in the calendar is deactivated. "
                "Ask your coordinator or the secretariat if you think this is a mistake."
            ),
        )
    now = utcnow()
    identity.email = person.email
    identity.last_login_at = now
    user.last_login_at = now
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:  # the same person's first login twice at once
        raise SingleSignOnRefused(
            "invalid", _("This sign-in happened twice at once. Please log in again.")
        ) from None
    return user


def _user_to_link(person: ProviderPerson, *, may_create: bool, city_slug: str | None) -> User:
    if not person.email:
        raise SingleSignOnRefused(
            "unverified",
            _(
                "The sign-in service did not tell us your email address, "
                "so we cannot find your account."
            ),
        )
    if not person.email_verified:
        raise SingleSignOnRefused(
            "unverified",
            _(
                "The sign-in service has not verified your address %(email)s, "
                "so we cannot use it to find your account. Verify it there, or log in "
                "another way.",
                email=person.email,
            ),
        )
    user = find_user_by_email(person.email)
    if user is None:
        if not may_create:
            raise SingleSignOnRefused(
                "unknown",
                _(
                    "There is no calendar account for %(email)s yet. "
                    "Ask your city's coordinator or the secretariat for an invitation.",
                    email=person.email,
                ),
            )
        return create_user(
            email=person.email,
            name=_name_for(person),
            city=city_by_slug_or_name(city_slug) if city_slug else None,
        )
    linked = db.session.execute(
        sa.select(SsoIdentity).where(
            SsoIdentity.user_id == user.id, SsoIdentity.provider == person.provider
        )
    ).scalar_one_or_none()
    if linked is not None:
        # The address now belongs to another account at the provider than the one
        # linked: most likely someone else who was given it later.
        raise SingleSignOnRefused(
            "linked_elsewhere",
            _(
                "The calendar account for %(email)s is linked to another account at "
                "this sign-in service. Ask the secretariat to check it.",
                email=person.email,
            ),
        )
    return user


def _name_for(person: ProviderPerson) -> str:
    """The provider's name for the person on one line, else the address's first part."""
    name = single_line(person.name)[:MAX_NAME].strip()
    return name or (person.email or "").partition("@")[0]
