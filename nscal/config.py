"""Configuration: defaults here, then ``instance/config.py``, then ``NSCAL_*`` variables.

A missing or broken setting stops the start with one clear line (``ConfigError``).
"""

import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa

SECRET_KEY_FILE = "secret_key"


class ConfigError(SystemExit):
    """A setting is missing or wrong. Exits with one line on stderr, no traceback."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(f"nscal: configuration error: {message}")


class Defaults:
    SQLALCHEMY_DATABASE_URI: str | None = None  # default: SQLite file in the instance folder
    SECRET_KEY: str | None = None  # default: generated once into the instance folder
    BASE_URL = "http://127.0.0.1:5000"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    PASSWORD_HASH_METHOD = "scrypt"
    MIN_PASSWORD_LENGTH = 10
    MAX_PASSWORD_LENGTH = 256
    MIN_PASSWORD_SCORE = 3  # zxcvbn's 0-4: 3 is "safely unguessable" for online attacks
    INVITATION_MAX_AGE = timedelta(days=7)
    PASSWORD_RESET_MAX_AGE = timedelta(hours=1)
    # Failed logins allowed per window, per account and per client address; then each
    # further failure blocks for a while, doubling up to the maximum.
    LOGIN_THROTTLE_WINDOW = timedelta(minutes=15)
    LOGIN_THROTTLE_ACCOUNT_LIMIT = 5
    LOGIN_THROTTLE_ADDRESS_LIMIT = 20
    LOGIN_THROTTLE_FIRST_BLOCK = timedelta(minutes=1)
    LOGIN_THROTTLE_MAX_BLOCK = timedelta(minutes=15)
    # Reset links asked for per window, per account and per client address.
    RESET_THROTTLE_ACCOUNT_LIMIT = 3
    RESET_THROTTLE_ADDRESS_LIMIT = 10
    # Mail: "file" writes to instance/mail/, "console" prints, "smtp" sends.
    MAIL_BACKEND: str | None = None  # default: smtp when MAIL_SERVER is set, else file
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_TIMEOUT = 10
    MAIL_SENDER = "Nordic Safe Cities <calendar@nscal.example>"
    # Day-based reminders ("1 day before") go out at this hour on each recipient's clock.
    REMINDER_HOUR = 9
    # Each worker process keeps rendered feeds in memory, least recently used out first,
    # within these many bytes. Rendered VEVENTs cost about 1.7 kB each with their keys:
    # 64 MiB holds some 38,000 events, so after a change a feed re-renders one event
    # (a cache smaller than the largest feed would re-render all of them).
    FEED_VEVENT_CACHE_BYTES = 64 * 1024 * 1024
    # Whole feed bodies (about 1.1 kB per event), the warm answer to a repeated GET.
    FEED_BODY_CACHE_BYTES = 64 * 1024 * 1024
    # Larger public feeds are kept as files by each app server (nscal/feeds/files.py),
    # one per version and address, within these many bytes: the folder (default
    # cache/feeds; a relative one is in the instance folder; empty: no files) and its
    # limit (0: no files).
    FEED_CACHE_DIR: str | None = None
    FEED_FILE_CACHE_BYTES = 1024 * 1024 * 1024
    # Web hardening (nscal/security.py).
    SECURE_COOKIES: bool | None = None  # default: on when BASE_URL is https
    TRUSTED_PROXIES = 0  # reverse proxies in front whose X-Forwarded-* headers count
    MAX_REQUEST_BYTES = 1024 * 1024  # any request body; the import upload allows more
    # The largest attachment of a message to participants (its form allows this much more).
    MESSAGE_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    # Database waits, all well under gunicorn's 30 s worker timeout: a stuck database
    # becomes a "busy, try again" page instead of a killed worker.
    DB_BUSY_TIMEOUT = 5  # seconds SQLite waits for another writer
    DB_CONNECT_TIMEOUT = 5  # seconds to connect to PostgreSQL
    DB_STATEMENT_TIMEOUT = 15  # seconds one PostgreSQL statement may run (lock waits included)
    # Seconds a PostgreSQL connection serves before the pool replaces it (servers and
    # proxies that end long-lived sessions); idle ones are tested first (nscal/db.py).
    DB_POOL_RECYCLE = 1800
    # Single sign-on (nscal/accounts/views/sso.py): {name: {"issuer": …, "client_id": …}},
    # or NSCAL_OIDC_<NAME>_<PART> variables; checked into OidcProvider values.
    OIDC_PROVIDERS: dict = {}
    OIDC_TIMEOUT = 10  # seconds to wait for a provider's discovery, token or keys
    PASSWORD_LOGIN = True  # off: people log in only through single sign-on
    # Retention (nscal/people/retention.py, `flask purge`), in months: cancelled and
    # rejected registrations and registration notes after the event's end, the text of
    # mail after it was sent. Confirmed registrations stay, as the statistics need them.
    RETENTION_CANCELLED_REGISTRATIONS_MONTHS = 12
    RETENTION_NOTES_MONTHS = 12
    RETENTION_MAIL_BODIES_MONTHS = 12
    # The privacy page (/privacy): who is responsible, and whom to write to.
    PRIVACY_CONTROLLER = "The Nordic Safe Cities secretariat"
    PRIVACY_CONTACT: str | None = None  # default: the address of MAIL_SENDER
    # Certificates of attendance: the paragraph under the facts, and who signs
    # ("Name, Title": the first comma separates the name from the title).
    CERTIFICATE_TEXT = (
        "Thank you for taking part, and for sharing your city's experience with the network."
    )
    CERTIFICATE_SIGNATURE = "The Secretariat, Nordic Safe Cities"
    # Event materials (nscal/materials/storage.py): a folder, or s3://bucket/prefix.
    STORAGE_URL: str | None = None  # default: the folder materials/ in the instance folder
    STORAGE_ENDPOINT_URL: str | None = None  # an S3-compatible server (MinIO, Ceph …)
    STORAGE_REGION: str | None = None
    MATERIAL_MAX_BYTES = 25 * 1000 * 1000  # one uploaded file; its request may be this large
    # The network's yearly figures at /statistics (numbers only, public events only).
    PUBLIC_STATISTICS = False


# Environment variable -> config key.
ENV_SETTINGS = {
    "NSCAL_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "NSCAL_SECRET_KEY": "SECRET_KEY",
    "NSCAL_BASE_URL": "BASE_URL",
    "NSCAL_FEED_VEVENT_CACHE_BYTES": "FEED_VEVENT_CACHE_BYTES",
    "NSCAL_FEED_BODY_CACHE_BYTES": "FEED_BODY_CACHE_BYTES",
    "NSCAL_FEED_CACHE_DIR": "FEED_CACHE_DIR",
    "NSCAL_FEED_FILE_CACHE_BYTES": "FEED_FILE_CACHE_BYTES",
    "NSCAL_SECURE_COOKIES": "SECURE_COOKIES",
    "NSCAL_TRUSTED_PROXIES": "TRUSTED_PROXIES",
    "NSCAL_MAX_REQUEST_BYTES": "MAX_REQUEST_BYTES",
    "NSCAL_MESSAGE_ATTACHMENT_MAX_BYTES": "MESSAGE_ATTACHMENT_MAX_BYTES",
    "NSCAL_DB_BUSY_TIMEOUT": "DB_BUSY_TIMEOUT",
    "NSCAL_REMINDER_HOUR": "REMINDER_HOUR",
    "NSCAL_DB_CONNECT_TIMEOUT": "DB_CONNECT_TIMEOUT",
    "NSCAL_DB_STATEMENT_TIMEOUT": "DB_STATEMENT_TIMEOUT",
    "NSCAL_DB_POOL_RECYCLE": "DB_POOL_RECYCLE",
    "NSCAL_OIDC_TIMEOUT": "OIDC_TIMEOUT",
    "NSCAL_PASSWORD_LOGIN": "PASSWORD_LOGIN",
    "NSCAL_PRIVACY_CONTROLLER": "PRIVACY_CONTROLLER",
    "NSCAL_PRIVACY_CONTACT": "PRIVACY_CONTACT",
    "NSCAL_CERTIFICATE_TEXT": "CERTIFICATE_TEXT",
    "NSCAL_CERTIFICATE_SIGNATURE": "CERTIFICATE_SIGNATURE",
    "NSCAL_STORAGE_URL": "STORAGE_URL",
    "NSCAL_STORAGE_ENDPOINT_URL": "STORAGE_ENDPOINT_URL",
    "NSCAL_STORAGE_REGION": "STORAGE_REGION",
    "NSCAL_MATERIAL_MAX_BYTES": "MATERIAL_MAX_BYTES",
    "NSCAL_PUBLIC_STATISTICS": "PUBLIC_STATISTICS",
}
RETENTION_SETTINGS = (
    "RETENTION_CANCELLED_REGISTRATIONS_MONTHS",
    "RETENTION_NOTES_MONTHS",
    "RETENTION_MAIL_BODIES_MONTHS",
)
ENV_SETTINGS.update({f"NSCAL_{key}": key for key in RETENTION_SETTINGS})
# The network this installation serves: feed names, mail greetings and footers.
NETWORK_NAME = "Nordic Safe Cities"
MAIL_BACKENDS = {"file", "console", "smtp", "memory"}
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def load_config(app, test_config: dict | None) -> None:
    """Fill ``app.config`` from defaults, the instance file, the environment and tests."""
    app.config.from_object(Defaults)
    try:
        app.config.from_pyfile("config.py", silent=True)
    except Exception as exc:  # a syntax or runtime error in the operator's own file
        raise ConfigError(
            f"{Path(app.instance_path) / 'config.py'} cannot be loaded: {exc}"
        ) from None
    for variable, key in ENV_SETTINGS.items():
        if variable in os.environ:
            app.config[key] = os.environ[variable]
    for variable, value in os.environ.items():
        if variable.startswith("NSCAL_MAIL_"):
            app.config[variable.removeprefix("NSCAL_")] = value
    _oidc_from_environment(app.config)
    if test_config:
        app.config.update(test_config)
    _finish(app)


def _finish(app) -> None:
    config = app.config
    instance = Path(app.instance_path)
    try:
        instance.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"instance folder {instance} cannot be created: {exc.strerror}") from None

    config["SQLALCHEMY_DATABASE_URI"] = database_url(
        config.get("SQLALCHEMY_DATABASE_URI"), instance
    )
    _engine_options(config)

    if config.get("SECRET_KEY") is None:
        config["SECRET_KEY"] = _instance_secret_key(instance)
    elif not str(config["SECRET_KEY"]).strip():
        raise ConfigError("NSCAL_SECRET_KEY is set but empty")

    config["BASE_URL"] = base_url(config.get("BASE_URL"))
    for key in ("FEED_VEVENT_CACHE_BYTES", "FEED_BODY_CACHE_BYTES", "FEED_FILE_CACHE_BYTES"):
        _as_int(config, key, minimum=0)
    _check_web(config)
    _check_mail(config)
    _as_int(config, "REMINDER_HOUR", minimum=0)
    if config["REMINDER_HOUR"] > 23:
        raise ConfigError(f"NSCAL_REMINDER_HOUR must be 0 to 23, not {config['REMINDER_HOUR']}")
    _check_sign_in(config)
    _check_privacy(config)
    _check_storage(config, instance)


def _engine_options(config) -> None:
    """Bounded database waits: SQLite's busy timeout; PostgreSQL's connect and statement
    timeouts. Options the operator set in ``SQLALCHEMY_ENGINE_OPTIONS`` win.

    No ``pool_pre_ping``: it costs every request a round trip. Connections are replaced
    after ``DB_POOL_RECYCLE`` seconds instead, and one that sat idle is tested before
    it is used again (``nscal.db.PING_AFTER_IDLE``)."""
    for key in ("DB_BUSY_TIMEOUT", "DB_CONNECT_TIMEOUT", "DB_STATEMENT_TIMEOUT"):
        _as_seconds(config, key)
    _as_int(config, "DB_POOL_RECYCLE", minimum=1)
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options.setdefault("pool_recycle", config["DB_POOL_RECYCLE"])
        # libpq takes whole seconds, and 2 at least.
        connect_args.setdefault("connect_timeout", max(2, round(config["DB_CONNECT_TIMEOUT"])))
        # Ours first: libpq options from the URL (a search_path, or a statement_timeout
        # of the operator's own) come after it and win.
        statement_ms = round(config["DB_STATEMENT_TIMEOUT"] * 1000)
        url_options = sa.engine.make_url(config["SQLALCHEMY_DATABASE_URI"]).query.get("options")
        connect_args.setdefault(
            "options", " ".join(filter(None, [f"-c statement_timeout={statement_ms}", url_options]))
        )
    else:
        # Wait for another writer this long, then fail with "database is locked" (a 503).
        connect_args.setdefault("timeout", config["DB_BUSY_TIMEOUT"])
    options["connect_args"] = connect_args
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _check_web(config) -> None:
    if config.get("SECURE_COOKIES") is None:
        config["SECURE_COOKIES"] = config["BASE_URL"].startswith("https://")
    else:
        _as_bool(config, "SECURE_COOKIES")
    _as_int(config, "TRUSTED_PROXIES")
    _as_int(config, "MAX_REQUEST_BYTES")
    _as_int(config, "MESSAGE_ATTACHMENT_MAX_BYTES", minimum=1024)
    if config["TRUSTED_PROXIES"] < 0:
        raise ConfigError(
            f"NSCAL_TRUSTED_PROXIES must be 0 or more, not {config['TRUSTED_PROXIES']}"
        )
    if config["MAX_REQUEST_BYTES"] < 1024:
        raise ConfigError(
            f"NSCAL_MAX_REQUEST_BYTES must be at least 1024, not {config['MAX_REQUEST_BYTES']}"
        )


def _check_storage(config, instance: Path) -> None:
    """The materials' storage: a folder (default ``instance/materials``; a path or
    ``file:///path``) or ``s3://bucket/prefix``; normalised to one of those two URLs."""
    _as_int(config, "MATERIAL_MAX_BYTES", minimum=1024)
    value = str(config.get("STORAGE_URL") or "").strip()
    if not value:
        config["STORAGE_URL"] = (instance / "materials").as_uri()
        return
    parts = urlsplit(value)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ConfigError(
                f"NSCAL_STORAGE_URL {value!r} names no bucket (expected s3://bucket/prefix)"
            )
        endpoint = config.get("STORAGE_ENDPOINT_URL")
        if endpoint and urlsplit(str(endpoint)).scheme not in {"http", "https"}:
            raise ConfigError(
                f"NSCAL_STORAGE_ENDPOINT_URL {endpoint!r} must be an http(s) URL, "
                "e.g. https://minio.example.org:9000"
            )
        config["STORAGE_URL"] = value
    elif parts.scheme == "file":
        if not parts.path.startswith("/") or parts.netloc not in {"", "localhost"}:
            raise ConfigError(f"NSCAL_STORAGE_URL {value!r} must be file:///absolute/path")
        config["STORAGE_URL"] = Path(parts.path).as_uri()
    elif not parts.scheme:
        config["STORAGE_URL"] = Path(value).resolve().as_uri()
    else:
        raise ConfigError(
            f"NSCAL_STORAGE_URL {value!r}: expected a folder, file:///path or s3://bucket/prefix"
        )


def database_url(value: str | None, instance: Path) -> str:
    """Validate the database URL; default to SQLite in the instance folder."""
    if value is None:
        return f"sqlite:///{instance / 'nscal.sqlite'}"
    value = str(value).strip()
    if not value:
        raise ConfigError("NSCAL_DATABASE_URL is set but empty")
    try:
        url = sa.engine.make_url(value)
    except sa.exc.ArgumentError:
        raise ConfigError(
            f"NSCAL_DATABASE_URL {value!r} is not a database URL "
            "(expected e.g. postgresql://user@host/db or sqlite:///path)"
        ) from None
    backend = url.get_backend_name()
    if backend in {"postgres", "postgresql"}:
        # psycopg 3 is the driver we ship; accept the common spellings.
        url = url.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise ConfigError(
            f"NSCAL_DATABASE_URL uses {backend!r}: nscal runs on PostgreSQL or SQLite"
        )
    return url.render_as_string(hide_password=False)


def base_url(value: str | None) -> str:
    value = (value or "").strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(
            f"NSCAL_BASE_URL {value!r} must be an absolute http(s) URL, "
            "e.g. https://calendar.example.org"
        )
    return value


def _instance_secret_key(instance: Path) -> str:
    """Read the instance's secret key, creating it (mode 0600) on first start."""
    path = instance / SECRET_KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if not key:
            raise ConfigError(f"{path} is empty: delete it to generate a new key") from None
        return key
    except OSError as exc:
        raise ConfigError(f"cannot write the secret key file {path}: {exc.strerror}") from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


# Ours, not Flask's from_prefixed_env: that reads values as JSON ("yes" stays a
# string, "587" and "true" only), with no message naming the setting on a bad value.
def _as_bool(config, key: str) -> None:
    value = config.get(key)
    if isinstance(value, bool):
        return
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        config[key] = True
    elif word in FALSE_WORDS:
        config[key] = False
    else:
        raise ConfigError(f"NSCAL_{key} must be true or false, not {value!r}")


def _as_int(config, key: str, *, minimum: int | None = None) -> None:
    try:
        config[key] = int(config[key])
    except (TypeError, ValueError):
        raise ConfigError(f"NSCAL_{key} must be a whole number, not {config[key]!r}") from None
    if minimum is not None and config[key] < minimum:
        raise ConfigError(f"NSCAL_{key} must be at least {minimum}, not {config[key]}")


def _as_seconds(config, key: str) -> None:
    try:
        seconds = float(config[key])
    except (TypeError, ValueError):
        seconds = None
    if seconds is None or not 0 < seconds <= 3600:
        raise ConfigError(
            f"NSCAL_{key} must be a number of seconds above 0 (e.g. 5), not {config[key]!r}"
        )
    config[key] = seconds


def _check_privacy(config) -> None:
    for key in RETENTION_SETTINGS:
        _as_int(config, key, minimum=1)
        if config[key] > 1200:
            raise ConfigError(f"NSCAL_{key} must be at most 1200 months, not {config[key]}")
    if not str(config.get("PRIVACY_CONTROLLER") or "").strip():
        raise ConfigError("NSCAL_PRIVACY_CONTROLLER is set but empty")
    contact = config.get("PRIVACY_CONTACT")
    if contact is not None and not str(contact).strip():
        raise ConfigError("NSCAL_PRIVACY_CONTACT is set but empty")


def _check_mail(config) -> None:
    _as_int(config, "MAIL_PORT")
    _as_int(config, "MAIL_TIMEOUT")
    _as_bool(config, "MAIL_USE_TLS")
    _as_bool(config, "MAIL_USE_SSL")
    backend = config.get("MAIL_BACKEND") or ("smtp" if config.get("MAIL_SERVER") else "file")
    backend = str(backend).strip().lower()
    if backend not in MAIL_BACKENDS:
        raise ConfigError(
            f"NSCAL_MAIL_BACKEND {backend!r} is not one of {', '.join(sorted(MAIL_BACKENDS))}"
        )
    if backend == "smtp" and not config.get("MAIL_SERVER"):
        raise ConfigError("NSCAL_MAIL_BACKEND is smtp but NSCAL_MAIL_SERVER is not set")
    config["MAIL_BACKEND"] = backend


# --- single sign-on -------------------------------------------------------------------

# NSCAL_OIDC_<NAME>_<PART> -> the provider's field. Required parts first.
OIDC_PARTS = {
    "ISSUER": "issuer",
    "CLIENT_ID": "client_id",
    "CLIENT_SECRET": "client_secret",
    "LABEL": "label",
    "SCOPE": "scope",
    "CREATE_ACCOUNTS": "create_accounts",
    "DOMAIN_CITIES": "domain_cities",
    "CITY_CLAIM": "city_claim",
    "TRUST_EMAIL": "trust_email",
}
OIDC_REQUIRED = ("issuer", "client_id", "client_secret", "label")
OIDC_NAME = re.compile(r"[a-z0-9]+(?:[_-][a-z0-9]+)*")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class OidcProvider:
    """One OpenID Connect provider people may log in with (an Entra ID tenant, Google,
    a Keycloak realm)."""

    name: str  # in the URLs: /auth/sso/<name>
    issuer: str
    client_id: str
    client_secret: str
    label: str  # the button's text
    scope: str = "openid email profile"
    create_accounts: bool = False  # unknown people with a verified address get a member account
    domain_cities: dict[str, str] = field(default_factory=dict)  # email domain -> city slug
    city_claim: str | None = None  # a claim naming the person's city (slug or name)
    trust_email: bool = False  # count every address as verified (no email_verified claim)

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def setting(self, part: str) -> str:
        return f"NSCAL_OIDC_{self.name.upper()}_{part}"


def _oidc_from_environment(config) -> None:
    """Gather NSCAL_OIDC_<NAME>_<PART> variables into ``OIDC_PROVIDERS``."""
    providers = {
        name: dict(values) for name, values in (config.get("OIDC_PROVIDERS") or {}).items()
    }
    # Longest first: "HEL_CITY_CLAIM" is provider HEL's CITY_CLAIM.
    parts = sorted(OIDC_PARTS, key=len, reverse=True)
    for variable, value in os.environ.items():
        if not variable.startswith("NSCAL_OIDC_") or variable == "NSCAL_OIDC_TIMEOUT":
            continue
        rest = variable.removeprefix("NSCAL_OIDC_")
        part = next((part for part in parts if rest.endswith(f"_{part}")), None)
        if part is None or rest == part or not rest.removesuffix(f"_{part}"):
            raise ConfigError(
                f"{variable} is not a setting nscal knows: use NSCAL_OIDC_<NAME>_<PART> "
                f"with PART one of {', '.join(OIDC_PARTS)}"
            )
        name = rest.removesuffix(f"_{part}").lower()
        providers.setdefault(name, {})[OIDC_PARTS[part]] = value
    config["OIDC_PROVIDERS"] = providers


def _check_sign_in(config) -> None:
    _as_bool(config, "PASSWORD_LOGIN")
    _as_bool(config, "PUBLIC_STATISTICS")
    _as_seconds(config, "OIDC_TIMEOUT")
    providers = {}
    for name, values in (config.get("OIDC_PROVIDERS") or {}).items():
        provider = values if isinstance(values, OidcProvider) else oidc_provider(name, values)
        providers[provider.name] = provider
    config["OIDC_PROVIDERS"] = providers
    if not config["PASSWORD_LOGIN"] and not providers:
        raise ConfigError(
            "NSCAL_PASSWORD_LOGIN is off but no single sign-on provider is set "
            "(NSCAL_OIDC_<NAME>_ISSUER …): nobody could log in"
        )


def oidc_provider(name: str, values: dict) -> OidcProvider:
    """One provider's settings, checked; ``ConfigError`` names the first wrong one."""
    name = str(name).strip().lower()
    prefix = f"NSCAL_OIDC_{name.upper()}_"
    if not OIDC_NAME.fullmatch(name):
        raise ConfigError(
            f"single sign-on provider name {name!r} must be letters and digits "
            "(e.g. NSCAL_OIDC_HELSINKI_ISSUER)"
        )
    unknown = set(values) - set(OIDC_PARTS.values())
    if unknown:
        raise ConfigError(
            f"single sign-on provider {name!r} has unknown settings: {sorted(unknown)}"
        )
    checked = {key: str(value).strip() for key, value in values.items() if key in OIDC_REQUIRED}
    missing = [key for key in OIDC_REQUIRED if not checked.get(key)]
    if missing:
        settings = ", ".join(prefix + key.upper() for key in missing)
        raise ConfigError(f"single sign-on provider {name!r} is incomplete: set {settings}")
    checked["issuer"] = _issuer(checked["issuer"], prefix + "ISSUER")
    flags = {
        key: _flag(values.get(key, False), prefix + key.upper())
        for key in ("create_accounts", "trust_email")
    }
    scope = " ".join(str(values.get("scope") or "openid email profile").split())
    if "openid" not in scope.split():
        raise ConfigError(f"{prefix}SCOPE must include openid, not {scope!r}")
    city_claim = str(values.get("city_claim") or "").strip() or None
    return OidcProvider(
        name=name,
        scope=scope,
        domain_cities=_domain_cities(values.get("domain_cities"), prefix + "DOMAIN_CITIES"),
        city_claim=city_claim,
        **checked,
        **flags,
    )


def _flag(value, setting: str) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word not in TRUE_WORDS | FALSE_WORDS:
        raise ConfigError(f"{setting} must be true or false, not {value!r}")
    return word in TRUE_WORDS


def _issuer(value: str, setting: str) -> str:
    value = value.rstrip("/")
    parts = urlsplit(value)
    loopback = parts.hostname in LOOPBACK_HOSTS
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"{setting} {value!r} must be the provider's issuer URL, "
            "e.g. https://login.microsoftonline.com/<tenant id>/v2.0"
        )
    if parts.scheme == "http" and not loopback:
        raise ConfigError(f"{setting} {value!r} must use https")
    return value


def _domain_cities(value, setting: str) -> dict[str, str]:
    """``"malmo.se=malmo, hel.fi=helsinki"`` (or a dict) -> {email domain: city slug}."""
    if not value:
        return {}
    pairs = (
        value.items()
        if isinstance(value, dict)
        else (item.partition("=")[::2] for item in str(value).split(",") if item.strip())
    )
    table = {}
    for domain, city in pairs:
        domain, city = str(domain).strip().lower().lstrip("@"), str(city).strip().lower()
        if not domain or not city or "@" in domain or " " in domain:
            raise ConfigError(
                f"{setting} must read domain=city-slug, comma-separated "
                f"(e.g. malmo.se=malmo,hel.fi=helsinki), not {value!r}"
            )
        table[domain] = city
    return table
