import stat

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from tinhso.identity.sso.keys import dev_key, signing_keys


def test_a_development_key_is_generated_once_into_the_data_dir(tmp_path):
    first = dev_key(tmp_path)
    assert "PRIVATE KEY" in first
    assert dev_key(tmp_path) == first
    assert stat.S_IMODE((tmp_path / "oidc" / "signing-key.pem").stat().st_mode) == 0o600


def test_configured_keys_win_and_inactive_keys_are_kept_for_the_jwks(tmp_path):
    call_command("oidc_key", "--out", str(tmp_path / "new.pem"), "--bits", "2048")
    call_command("oidc_key", "--out", str(tmp_path / "old.pem"), "--bits", "2048")
    active, inactive = signing_keys(
        active_pem="",
        active_file=str(tmp_path / "new.pem"),
        inactive_files=[str(tmp_path / "old.pem")],
        data_dir=tmp_path / "data",
    )
    assert active == (tmp_path / "new.pem").read_text()
    assert inactive == [(tmp_path / "old.pem").read_text()]
    assert not (tmp_path / "data").exists()


def test_the_key_command_never_overwrites_a_key(tmp_path):
    call_command("oidc_key", "--out", str(tmp_path / "k.pem"), "--bits", "2048")
    with pytest.raises(CommandError):
        call_command("oidc_key", "--out", str(tmp_path / "k.pem"), "--bits", "2048")


def test_a_file_that_is_not_a_key_stops_start_up(tmp_path):
    (tmp_path / "bad.pem").write_text("hello")
    with pytest.raises(ImproperlyConfigured):
        signing_keys(active_pem="", active_file=str(tmp_path / "bad.pem"), inactive_files=[], data_dir=tmp_path)
