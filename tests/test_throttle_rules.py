"""The sign-in limits: their defaults (API.md), their parsing, and the sliding windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assay.accounts.throttle import account_key, wait_seconds
from assay.settings import Settings, SettingsError

T0 = datetime(2026, 12, 4, tzinfo=UTC)


def test_the_defaults_are_the_contracts_limits() -> None:
    s = Settings()
    assert s.signin_account_limits == ((10, 60.0), (100, 3600.0))
    assert s.signin_address_limits == ((100, 60.0),)
    assert s.session_idle_s == 1800.0
    parsed = Settings.from_env({"ASSAY_SIGNIN_ACCOUNT_LIMITS": "3/2, 5/10",
                                "ASSAY_SESSION_IDLE_S": "5"})
    assert parsed.signin_account_limits == ((3, 2.0), (5, 10.0))
    for bad in ("ten/60", "0/60", "5/0", "5", ""):
        with pytest.raises(SettingsError):
            Settings.from_env({"ASSAY_SIGNIN_ADDRESS_LIMITS": bad})


def test_windows_slide_and_the_longest_wait_wins() -> None:
    limits = ((10, 60.0), (100, 3600.0))
    minute = [T0 + timedelta(seconds=i) for i in range(10)]
    assert wait_seconds(minute[:9], limits, T0 + timedelta(seconds=10)) == 0
    assert wait_seconds(minute, limits, T0 + timedelta(seconds=10)) == 50
    assert wait_seconds(minute, limits, T0 + timedelta(seconds=60, microseconds=1)) == 0
    hour = [T0 + timedelta(seconds=30 * i) for i in range(100)]  # 100 in 49.5 minutes
    assert wait_seconds(hour, limits, T0 + timedelta(seconds=2980)) == 620


def test_an_account_is_its_email_however_typed() -> None:
    assert account_key(" Ann@Example.COM ") == account_key("ann@example.com")
    assert account_key("ann@example.com") != account_key("bob@example.com")
