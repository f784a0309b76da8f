"""Deployment settings: typed env helpers that fail loudly, production checks, the SQLite default."""

import os
import re
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tinhso.env import env_bool, env_int, env_list, env_str, env_url

REPO = Path(__file__).resolve().parents[4]
SETTINGS_SOURCE = (REPO / "src" / "tinhso" / "settings.py").read_text(encoding="utf-8")
SETTINGS_VARIABLES = sorted(set(re.findall(r'env_\w+\(\s*"([A-Z0-9_]+)"', SETTINGS_SOURCE)))


def run_tinhso(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Run the console script in a fresh process whose environment holds only `env` of the settings' variables."""
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    clean |= {"TINHSO_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "tinhso.settings"} | env
    clean = {k: v for k, v in clean.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-m", "tinhso.cli", *args],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "tinhso.thainguyen.gov.vn"}


# --- The helpers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "true", "Yes", "on"])
def test_env_bool_reads_true(monkeypatch, value):
    monkeypatch.setenv("TINHSO_FLAG", value)
    assert env_bool("TINHSO_FLAG") is True


@pytest.mark.parametrize("value", ["0", "false", "No", "off"])
def test_env_bool_reads_false(monkeypatch, value):
    monkeypatch.setenv("TINHSO_FLAG", value)
    assert env_bool("TINHSO_FLAG", True) is False


def test_env_bool_rejects_a_word_that_is_not_a_boolean(monkeypatch):
    monkeypatch.setenv("TINHSO_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"TINHSO_FLAG='maybe' is not a boolean"):
        env_bool("TINHSO_FLAG")


def test_env_int_rejects_text(monkeypatch):
    monkeypatch.setenv("TINHSO_NUMBER", "25a")
    with pytest.raises(ImproperlyConfigured, match=r"TINHSO_NUMBER='25a' is not an integer"):
        env_int("TINHSO_NUMBER", 1)


def test_env_int_rejects_a_number_below_its_minimum(monkeypatch):
    monkeypatch.setenv("TINHSO_NUMBER", "10")
    with pytest.raises(ImproperlyConfigured, match="TINHSO_NUMBER=10 is below the minimum 300"):
        env_int("TINHSO_NUMBER", 600, minimum=300)


def test_env_int_falls_back_to_its_default_when_unset(monkeypatch):
    monkeypatch.delenv("TINHSO_NUMBER", raising=False)
    assert env_int("TINHSO_NUMBER", 42) == 42


def test_env_url_rejects_a_scheme_it_does_not_support(monkeypatch):
    monkeypatch.setenv("TINHSO_URL", "mysql://db.example/tinhso")
    with pytest.raises(ImproperlyConfigured, match="TINHSO_URL must be a URL with scheme postgres, sqlite"):
        env_url("TINHSO_URL", schemes=("postgres", "sqlite"))


def test_env_url_rejects_a_url_without_host(monkeypatch):
    monkeypatch.setenv("TINHSO_URL", "redis://")
    with pytest.raises(ImproperlyConfigured, match="names no host"):
        env_url("TINHSO_URL", schemes=("redis",))


def test_env_url_rejects_a_bare_host_name(monkeypatch):
    monkeypatch.setenv("TINHSO_URL", "cache.example.vn:6379")
    with pytest.raises(ImproperlyConfigured, match="TINHSO_URL must be a URL"):
        env_url("TINHSO_URL", schemes=("redis",))


def test_env_list_splits_on_commas_and_ignores_blanks(monkeypatch):
    monkeypatch.setenv("TINHSO_HOSTS", " a.gov.vn, b.gov.vn ,,")
    assert env_list("TINHSO_HOSTS") == ["a.gov.vn", "b.gov.vn"]


def test_env_list_rejects_items_separated_by_spaces(monkeypatch):
    monkeypatch.setenv("TINHSO_HOSTS", "a.gov.vn b.gov.vn")
    with pytest.raises(ImproperlyConfigured, match="separate the items with commas"):
        env_list("TINHSO_HOSTS")


def test_env_str_names_a_missing_required_variable(monkeypatch):
    monkeypatch.setenv("TINHSO_SECRET", "  ")
    with pytest.raises(ImproperlyConfigured, match="TINHSO_SECRET is required"):
        env_str("TINHSO_SECRET", required=True)


# --- The settings in a fresh process --------------------------------------------------------------------


def test_env_example_documents_every_variable_the_settings_read():
    documented = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", (REPO / ".env.example").read_text(), re.MULTILINE))
    missing = [name for name in SETTINGS_VARIABLES if name not in documented]
    assert SETTINGS_VARIABLES
    assert not missing, f"add these to .env.example with a comment: {missing}"


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    result = run_tinhso("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stderr


def test_it_refuses_to_start_without_secret_key_outside_debug(tmp_path):
    result = run_tinhso("check", tmp_path=tmp_path, **(PRODUCTION | {"SECRET_KEY": None}))
    assert result.returncode != 0
    assert "ImproperlyConfigured: Environment variable SECRET_KEY is required" in result.stderr


def test_it_refuses_a_short_secret_key_outside_debug(tmp_path):
    result = run_tinhso("check", tmp_path=tmp_path, **(PRODUCTION | {"SECRET_KEY": "too-short"}))
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "perhaps", "DEBUG='perhaps' is not a boolean"),
        ("DATABASE_URL", "mysql://db/tinhso", "DATABASE_URL must be a URL with scheme"),
    ],
)
def test_a_malformed_variable_stops_start_up(tmp_path, name, value, message):
    result = run_tinhso("check", tmp_path=tmp_path, **(PRODUCTION | {name: value}))
    assert result.returncode != 0
    assert message in result.stderr


def test_the_default_database_is_sqlite_under_var(tmp_path):
    code = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default'])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
        | {"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "tinhso.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "'ENGINE': 'django.db.backends.sqlite3'" in result.stdout
    assert f"'NAME': '{REPO / 'var' / 'tinhso.sqlite3'}'" in result.stdout


def test_a_file_database_runs_in_wal_mode_in_a_data_dir_created_on_demand(tmp_path):
    data_dir = tmp_path / "fresh-clone" / "var"
    result = run_tinhso(
        "shell",
        "-c",
        "from django.db import connection; cursor = connection.cursor(); cursor.execute('PRAGMA journal_mode'); "
        "print(cursor.fetchone()[0])",
        tmp_path=tmp_path,
        DEBUG="1",
        TINHSO_DATA_DIR=str(data_dir),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "wal"
    # WAL is recorded in the file itself, so a connection that sets nothing sees it too.
    with sqlite3.connect(data_dir / "tinhso.sqlite3") as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_collected_static_files_are_readable_by_the_web_server(tmp_path):
    # Plain storage keeps the test quick; both storages get the same OPTIONS.
    result = run_tinhso("collectstatic", "--noinput", "-v0", tmp_path=tmp_path, **PRODUCTION, STATIC_MANIFEST="0")
    assert result.returncode == 0, result.stderr
    files = [p for p in (tmp_path / "static").rglob("*") if p.is_file()]
    assert any(p.name == "site.css" for p in files)
    private = [str(p) for p in files if not p.stat().st_mode & 0o004]
    assert not private, f"nginx's user cannot read: {private[:5]}"
