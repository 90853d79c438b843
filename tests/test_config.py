"""Configuration: defaults, MARKETPLACE_* overrides, the secret key rules."""

import pytest
from flask import Flask

from marketplace import create_app
from marketplace.config import SECRET_FILE, ConfigError, load_config


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="MARKETPLACE_SECRET_KEY is not set"):
        create_app({"ENV": "production", "DATA_DIR": str(tmp_path)})
    assert not (tmp_path / SECRET_FILE).exists()


def test_production_starts_with_a_secret_key_and_secure_cookies(tmp_path):
    app = create_app({"ENV": "production", "DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 64})
    assert app.config["SECRET_KEY"] == "k" * 64
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_generates_one_secret_and_keeps_it_in_the_data_dir(tmp_path):
    first = create_app({"DATA_DIR": str(tmp_path)})
    second = create_app({"DATA_DIR": str(tmp_path)})
    assert len(first.config["SECRET_KEY"]) == 64
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert (tmp_path / SECRET_FILE).read_text().strip() == first.config["SECRET_KEY"]
    assert (tmp_path / SECRET_FILE).stat().st_mode & 0o077 == 0  # readable by the owner only


def test_environment_variables_override_the_defaults(tmp_path, monkeypatch):
    data_dir = tmp_path / "elsewhere"
    monkeypatch.setenv("MARKETPLACE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("MARKETPLACE_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("MARKETPLACE_PER_PAGE", "7")
    app = create_app()
    assert app.config["DATA_DIR"] == str(data_dir.resolve())
    assert data_dir.is_dir()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["PER_PAGE"] == 7
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{data_dir.resolve()}/marketplace.db"


def test_database_url_overrides_the_sqlite_file(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/other.db"
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", url)
    app = create_app({"DATA_DIR": str(tmp_path), "SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url


def test_explicit_config_wins_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MARKETPLACE_PER_PAGE", "7")
    app = create_app({"DATA_DIR": str(tmp_path), "SECRET_KEY": "x", "PER_PAGE": 3})
    assert app.config["PER_PAGE"] == 3


TEXT_SETTINGS = [
    "SECRET_KEY", "DATABASE_URL", "ENV", "BASE_URL", "SMTP_HOST", "SMTP_USERNAME", "SMTP_PASSWORD",
    "MAIL_FROM",
]  # fmt: skip
LOOKS_LIKE_JSON = ["12345", "1.5", "true", "null", "[1, 2]", '{"a": 1}', '"quoted"']


@pytest.mark.parametrize("key", TEXT_SETTINGS)
@pytest.mark.parametrize("value", LOOKS_LIKE_JSON)
def test_text_settings_stay_text_whatever_they_look_like(tmp_path, monkeypatch, key, value):
    monkeypatch.setenv("MARKETPLACE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv(f"MARKETPLACE_{key}", value)
    app = Flask(__name__, instance_path=str(tmp_path))
    load_config(app, None)
    assert app.config[key] == value


@pytest.mark.parametrize("value", LOOKS_LIKE_JSON)
def test_data_dir_stays_a_path_whatever_it_looks_like(tmp_path, monkeypatch, value):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MARKETPLACE_DATA_DIR", value)
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    load_config(app, {"SECRET_KEY": "x"})
    assert app.config["DATA_DIR"] == str(tmp_path / value)


def test_a_numeric_secret_key_signs_forms(tmp_path, monkeypatch):
    monkeypatch.setenv("MARKETPLACE_SECRET_KEY", "12345")
    app = create_app({"DATA_DIR": str(tmp_path), "TESTING": True})
    assert app.config["SECRET_KEY"] == "12345"
    response = app.test_client().get("/login")
    assert response.status_code == 200
    assert 'name="csrf_token"' in response.get_data(as_text=True)


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    from marketplace.extensions import db

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATA_DIR": str(tmp_path)})
    with app.app_context(), db.engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() == app.config["SQLITE_BUSY_TIMEOUT"] * 1000


def test_uploads_stay_in_the_data_dir_unless_a_storage_dir_is_given(tmp_path, monkeypatch):
    app = create_app({"DATA_DIR": str(tmp_path), "SECRET_KEY": "x"})
    assert app.config["STORAGE_DIR"] == str(tmp_path.resolve() / "uploads")  # where they were
    monkeypatch.setenv("MARKETPLACE_STORAGE_DIR", str(tmp_path / "shared"))
    app = create_app({"DATA_DIR": str(tmp_path / "node"), "SECRET_KEY": "x"})
    assert app.config["STORAGE_DIR"] == str((tmp_path / "shared").resolve())


def test_pooled_connections_are_checked_before_use_whatever_the_engine_options(tmp_path):
    options = {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 600}}
    app = create_app({"DATA_DIR": str(tmp_path), "SECRET_KEY": "x", **options})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True, "pool_recycle": 600}
