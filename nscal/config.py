"""Configuration: defaults here, then ``instance/config.py``, then ``NSCAL_*`` variables.

A missing or broken setting stops the start with one clear line (``ConfigError``).
"""

import os
import secrets
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
    # Each worker process keeps rendered feeds in memory, least recently used out first,
    # within these many bytes. Rendered VEVENTs cost about 1.7 kB each with their keys:
    # 64 MiB holds some 38,000 events, so after a change a feed re-renders one event
    # (a cache smaller than the largest feed would re-render all of them).
    FEED_VEVENT_CACHE_BYTES = 64 * 1024 * 1024
    # Whole feed bodies (about 1.1 kB per event), the warm answer to a repeated GET.
    FEED_BODY_CACHE_BYTES = 64 * 1024 * 1024
    # Web hardening (nscal/security.py).
    SECURE_COOKIES: bool | None = None  # default: on when BASE_URL is https
    TRUSTED_PROXIES = 0  # reverse proxies in front whose X-Forwarded-* headers count
    MAX_REQUEST_BYTES = 1024 * 1024  # any request body; the import upload allows more
    # Database waits, all well under gunicorn's 30 s worker timeout: a stuck database
    # becomes a "busy, try again" page instead of a killed worker.
    DB_BUSY_TIMEOUT = 5  # seconds SQLite waits for another writer
    DB_CONNECT_TIMEOUT = 5  # seconds to connect to PostgreSQL
    DB_STATEMENT_TIMEOUT = 15  # seconds one PostgreSQL statement may run (lock waits included)
    # Event materials (nscal/materials/storage.py): a folder, or s3://bucket/prefix.
    STORAGE_URL: str | None = None  # default: the folder materials/ in the instance folder
    STORAGE_ENDPOINT_URL: str | None = None  # an S3-compatible server (MinIO, Ceph …)
    STORAGE_REGION: str | None = None
    MATERIAL_MAX_BYTES = 25 * 1000 * 1000  # one uploaded file; its request may be this large


# Environment variable -> config key.
ENV_SETTINGS = {
    "NSCAL_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "NSCAL_SECRET_KEY": "SECRET_KEY",
    "NSCAL_BASE_URL": "BASE_URL",
    "NSCAL_FEED_VEVENT_CACHE_BYTES": "FEED_VEVENT_CACHE_BYTES",
    "NSCAL_FEED_BODY_CACHE_BYTES": "FEED_BODY_CACHE_BYTES",
    "NSCAL_SECURE_COOKIES": "SECURE_COOKIES",
    "NSCAL_TRUSTED_PROXIES": "TRUSTED_PROXIES",
    "NSCAL_MAX_REQUEST_BYTES": "MAX_REQUEST_BYTES",
    "NSCAL_DB_BUSY_TIMEOUT": "DB_BUSY_TIMEOUT",
    "NSCAL_DB_CONNECT_TIMEOUT": "DB_CONNECT_TIMEOUT",
    "NSCAL_DB_STATEMENT_TIMEOUT": "DB_STATEMENT_TIMEOUT",
    "NSCAL_STORAGE_URL": "STORAGE_URL",
    "NSCAL_STORAGE_ENDPOINT_URL": "STORAGE_ENDPOINT_URL",
    "NSCAL_STORAGE_REGION": "STORAGE_REGION",
    "NSCAL_MATERIAL_MAX_BYTES": "MATERIAL_MAX_BYTES",
}
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
    for key in ("FEED_VEVENT_CACHE_BYTES", "FEED_BODY_CACHE_BYTES"):
        _as_int(config, key, minimum=0)
    _check_web(config)
    _check_mail(config)
    _check_storage(config, instance)


def _engine_options(config) -> None:
    """Bounded database waits: SQLite's busy timeout; PostgreSQL's connect and statement
    timeouts. Options the operator set in ``SQLALCHEMY_ENGINE_OPTIONS`` win."""
    for key in ("DB_BUSY_TIMEOUT", "DB_CONNECT_TIMEOUT", "DB_STATEMENT_TIMEOUT"):
        _as_seconds(config, key)
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options.setdefault("pool_pre_ping", True)
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
