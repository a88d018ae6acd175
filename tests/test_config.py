"""Configuration: defaults, the instance file, environment overrides, clear errors."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from nscal import create_app
from nscal.config import ConfigError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for variable in list(os.environ):
        if variable.startswith("NSCAL_"):
            monkeypatch.delenv(variable)
    instance = tmp_path / "instance"
    monkeypatch.setenv("NSCAL_INSTANCE_PATH", str(instance))
    return instance


def test_defaults_use_sqlite_in_the_instance_folder(clean_env):
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{clean_env / 'nscal.sqlite'}"
    assert app.config["MAIL_BACKEND"] == "file"
    assert app.config["BASE_URL"] == "http://127.0.0.1:5000"


def test_secret_key_is_generated_once_with_private_permissions(clean_env):
    first = create_app().config["SECRET_KEY"]
    key_file = clean_env / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 64
    assert create_app().config["SECRET_KEY"] == first


def test_environment_overrides(clean_env, monkeypatch):
    monkeypatch.setenv("NSCAL_DATABASE_URL", "postgresql://u:p@db.example/nscal")
    monkeypatch.setenv("NSCAL_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("NSCAL_BASE_URL", "https://calendar.example.org/")
    monkeypatch.setenv("NSCAL_MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("NSCAL_MAIL_PORT", "587")
    monkeypatch.setenv("NSCAL_MAIL_USE_TLS", "yes")
    config = create_app().config
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example/nscal"
    assert config["SECRET_KEY"] == "from-the-environment"
    assert config["BASE_URL"] == "https://calendar.example.org"
    assert (config["MAIL_BACKEND"], config["MAIL_PORT"], config["MAIL_USE_TLS"]) == (
        "smtp",
        587,
        True,
    )
    assert not (clean_env / "secret_key").exists()


def test_instance_config_file_is_read(clean_env):
    clean_env.mkdir(parents=True)
    (clean_env / "config.py").write_text('BASE_URL = "https://from-instance.example"\n')
    assert create_app().config["BASE_URL"] == "https://from-instance.example"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("NSCAL_DATABASE_URL", "not a url", "is not a database URL"),
        ("NSCAL_DATABASE_URL", "mysql://root@localhost/db", "runs on PostgreSQL or SQLite"),
        ("NSCAL_DATABASE_URL", " ", "NSCAL_DATABASE_URL is set but empty"),
        ("NSCAL_SECRET_KEY", "", "NSCAL_SECRET_KEY is set but empty"),
        ("NSCAL_BASE_URL", "calendar.example.org", "must be an absolute http(s) URL"),
        ("NSCAL_MAIL_PORT", "twenty-five", "NSCAL_MAIL_PORT must be a whole number"),
        ("NSCAL_FEED_VEVENT_CACHE_BYTES", "64MB", "must be a whole number"),
        ("NSCAL_FEED_BODY_CACHE_BYTES", "-1", "NSCAL_FEED_BODY_CACHE_BYTES must be at least 0"),
        ("NSCAL_FEED_FILE_CACHE_BYTES", "1GB", "NSCAL_FEED_FILE_CACHE_BYTES must be a whole"),
        ("NSCAL_MAIL_USE_TLS", "maybe", "NSCAL_MAIL_USE_TLS must be true or false"),
        ("NSCAL_MAIL_BACKEND", "pigeon", "NSCAL_MAIL_BACKEND 'pigeon' is not one of"),
        ("NSCAL_MAIL_BACKEND", "smtp", "NSCAL_MAIL_SERVER is not set"),
    ],
)
def test_broken_setting_stops_the_start_with_a_clear_message(
    clean_env, monkeypatch, variable, value, message
):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as error:
        create_app()
    assert message in error.value.message
    assert error.value.code.startswith("nscal: configuration error:")


def test_broken_instance_config_file_is_reported(clean_env):
    clean_env.mkdir(parents=True)
    (clean_env / "config.py").write_text("BASE_URL = (\n")
    with pytest.raises(ConfigError) as error:
        create_app()
    assert "config.py cannot be loaded" in error.value.message


def test_empty_secret_key_file_is_reported(clean_env):
    clean_env.mkdir(parents=True)
    (clean_env / "secret_key").write_text("\n")
    with pytest.raises(ConfigError) as error:
        create_app()
    assert "secret_key is empty" in error.value.message


def test_command_line_shows_one_line_not_a_traceback(clean_env):
    env = {**os.environ, "NSCAL_BASE_URL": "ftp://nope"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "nscal", "db", "current"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "nscal: configuration error: NSCAL_BASE_URL 'ftp://nope' must be an absolute "
        "http(s) URL, e.g. https://calendar.example.org"
    ]
