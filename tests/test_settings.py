"""Settings: parsed strictly, every one documented."""

from __future__ import annotations

from dataclasses import fields

import pytest

from assay.settings import SETTINGS_DOC, Settings, SettingsError


def test_every_setting_is_documented() -> None:
    assert {f.name for f in fields(Settings)} == set(SETTINGS_DOC)
    for name, doc in SETTINGS_DOC.items():
        assert doc.startswith(f"ASSAY_{name.upper()}:")


def test_env_is_parsed_strictly() -> None:
    s = Settings.from_env({"ASSAY_ALLOWED_CALLBACK_HOSTS": "Hooks.Local, 10.0.0.5:8080",
                           "ASSAY_CALLBACK_BACKOFF_S": "1,2", "ASSAY_RUN_JOBS": "0",
                           "ASSAY_MAX_BODY_BYTES": "1024"})
    assert s.allowed_callback_hosts == ("hooks.local", "10.0.0.5:8080")
    assert s.callback_backoff_s == (1.0, 2.0)
    assert s.run_jobs is False and s.max_body_bytes == 1024
    with pytest.raises(SettingsError):
        Settings.from_env({"ASSAY_JOB_POLL_S": "soon"})
    with pytest.raises(SettingsError):
        Settings.from_env({"ASSAY_RUN_JOBS": "maybe"})
    assert Settings.from_env({}, database_url="sqlite:///x.db").database_url == "sqlite:///x.db"


def test_the_settings_page_lists_every_setting() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "settings.md").read_text()
    for f in fields(Settings):
        assert f"`ASSAY_{f.name.upper()}`" in page, f.name
