"""Keys apart from the data (issue 19): a new install generates its keys into keys/ beside
the instance folder, not in it, so a copy of the data folder does not take the keys that
check its audit log; an install from before keeps its keys and is warned."""

from __future__ import annotations

import stat

import pytest

from app import config

KEY_VARIABLES = ("SECRET_KEY", "AUDIT_HMAC_KEY", "AUDIT_SIGNING_KEY", "TOTP_ENCRYPTION_KEY",
                 "KEYS_DIR", "DATABASE_URL")


@pytest.fixture
def bare_environment(monkeypatch):
    for name in KEY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_a_new_install_keeps_its_keys_apart_from_the_data(tmp_path, bare_environment):
    instance = tmp_path / "instance"
    instance.mkdir()
    loaded = config.load(str(instance))
    keys = tmp_path / "keys"
    for name in config.KEY_NAMES:
        assert (keys / name).is_file() and not (instance / name).exists()
        assert stat.S_IMODE((keys / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    assert loaded["SECRET_KEY"] == (keys / "secret_key").read_text().strip()
    assert config.load(str(instance))["AUDIT_HMAC_KEY"] == loaded["AUDIT_HMAC_KEY"]  # kept
    assert config.keys_beside_data(str(instance), loaded["SQLALCHEMY_DATABASE_URI"]) == []


def test_an_install_from_before_keeps_its_keys_and_is_told_they_sit_with_the_data(
        tmp_path, bare_environment):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "audit_hmac_key").write_text("the old key\n")
    loaded = config.load(str(instance))
    assert loaded["AUDIT_HMAC_KEY"] == "the old key"  # its audit trail still verifies
    assert config.keys_beside_data(str(instance), "sqlite:///" + str(
        instance / "teamaround.sqlite")) == [instance / "audit_hmac_key"]


def test_keys_put_in_the_databases_folder_are_found_too(tmp_path, bare_environment,
                                                        monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("KEYS_DIR", str(data))
    config.load(str(tmp_path / "instance"))
    found = config.keys_beside_data(str(tmp_path / "instance"),
                                    f"sqlite:///{data / 'teamaround.sqlite'}")
    assert [path.name for path in found] == sorted(config.KEY_NAMES)
