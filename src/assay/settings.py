"""The one settings object, parsed strictly from ``ASSAY_*`` variables and flags.

Every setting is listed in :data:`SETTINGS_DOC`; a test checks that the list and the
dataclass agree, so no setting goes undocumented.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

DEFAULT_SQLITE_PATH = "assay.db"

SETTINGS_DOC: dict[str, str] = {
    "database_url": "ASSAY_DATABASE_URL: SQLAlchemy URL; default sqlite:///assay.db "
    "(postgresql://… for production).",
    "max_body_bytes": "ASSAY_MAX_BODY_BYTES: largest request body accepted (default 64 MiB).",
    "allowed_callback_hosts": "ASSAY_ALLOWED_CALLBACK_HOSTS: comma-separated host or host:port "
    "allowed as callback targets although loopback/private.",
    "allowed_model_hosts": "ASSAY_ALLOWED_MODEL_HOSTS: comma-separated host or host:port "
    "allowed as model endpoints (base_url) although loopback/private, as for callbacks.",
    "callback_timeout_s": "ASSAY_CALLBACK_TIMEOUT_S: seconds one callback attempt may take.",
    "callback_concurrency_per_host": "ASSAY_CALLBACK_CONCURRENCY_PER_HOST: most callbacks in "
    "flight to one host at a time (default 8).",
    "callback_backoff_s": "ASSAY_CALLBACK_BACKOFF_S: comma-separated delays between callback "
    "attempts (default 5,30,120,600,1800,7200).",
    "job_poll_s": "ASSAY_JOB_POLL_S: how often the job runner looks for due jobs.",
    "job_lease_slack_s": "ASSAY_JOB_LEASE_SLACK_S: seconds a claimed job's lease adds to the "
    "callback timeouts it covers, before another process may claim it again (default 30).",
    "run_jobs": "ASSAY_RUN_JOBS: 1 (default) runs the job runner inside the server process.",
    "expiry_sweep_s": "ASSAY_EXPIRY_SWEEP_S: how often expired leases are returned to the pool "
    "(they are also returned lazily when a worker asks for work).",
    "refit_s": "ASSAY_REFIT_S: how often the background refit re-estimates worker accuracy "
    "(Dawid-Skene) in projects with new answers.",
    "signin_account_limits": "ASSAY_SIGNIN_ACCOUNT_LIMITS: failed sign-ins allowed per "
    "account, as failures/seconds pairs (default 10/60,100/3600).",
    "signin_address_limits": "ASSAY_SIGNIN_ADDRESS_LIMITS: failed sign-ins allowed per client "
    "address, as failures/seconds pairs (default 100/60).",
    "session_idle_s": "ASSAY_SESSION_IDLE_S: seconds without a request after which a web "
    "session ends (default 1800).",
    "metrics": "ASSAY_METRICS: 1 serves GET /metrics (Prometheus text format); 0 (default) "
    "answers it 404.",
    "metrics_token": "ASSAY_METRICS_TOKEN: when set, GET /metrics also needs "
    "Authorization: Bearer <this token>.",
    "log_format": "ASSAY_LOG_FORMAT: text (default) or json (one JSON object per log line, "
    "with the request id).",
    "ray_address": "ASSAY_RAY_ADDRESS: run the refit's fits and the curation jobs' hashing "
    "and embedding on Ray (extra `ray`): auto, "
    "ray://host:port, or local (a private instance); unset (default): in this process.",
}


class SettingsError(ValueError):
    """A setting has a value that cannot be parsed."""


def _limits(name: str, raw: str) -> tuple[tuple[int, float], ...]:
    """``"10/60,100/3600"`` -> ``((10, 60.0), (100, 3600.0))``: at most N failures in S
    seconds, for each pair."""
    pairs = []
    for part in (p.strip() for p in raw.split(",") if p.strip()):
        count, _, seconds = part.partition("/")
        try:
            pair = (int(count), float(seconds))
        except ValueError as exc:
            raise SettingsError(f"{name} must be failures/seconds pairs, got {raw!r}") from exc
        if pair[0] < 1 or pair[1] <= 0:
            raise SettingsError(f"{name} needs at least 1 failure in more than 0 seconds")
        pairs.append(pair)
    if not pairs:
        raise SettingsError(f"{name} needs at least one failures/seconds pair")
    return tuple(pairs)


def _float(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc
    if value < 0:
        raise SettingsError(f"{name} must not be negative")
    return value


def _bool(name: str, raw: str) -> bool:
    low = raw.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"{name} must be 1 or 0, got {raw!r}")


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    max_body_bytes: int = 64 * 1024 * 1024
    allowed_callback_hosts: tuple[str, ...] = ()
    allowed_model_hosts: tuple[str, ...] = ()
    callback_timeout_s: float = 10.0
    callback_concurrency_per_host: int = 8
    callback_backoff_s: tuple[float, ...] = field(
        default=(5.0, 30.0, 120.0, 600.0, 1800.0, 7200.0)
    )
    job_poll_s: float = 0.5
    job_lease_slack_s: float = 30.0
    run_jobs: bool = True
    expiry_sweep_s: float = 5.0
    refit_s: float = 30.0
    signin_account_limits: tuple[tuple[int, float], ...] = ((10, 60.0), (100, 3600.0))
    signin_address_limits: tuple[tuple[int, float], ...] = ((100, 60.0),)
    session_idle_s: float = 1800.0
    metrics: bool = False
    metrics_token: str = field(default="", repr=False)
    log_format: str = "text"
    ray_address: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``ASSAY_*`` variables, then apply explicit overrides (flags)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"ASSAY_{f.name.upper()}")
            if raw is None:
                continue
            name = f"ASSAY_{f.name.upper()}"
            if f.name == "max_body_bytes":
                values[f.name] = int(_float(name, raw))
            elif f.name == "callback_concurrency_per_host":
                values[f.name] = int(_float(name, raw))
                if values[f.name] < 1:
                    raise SettingsError(f"{name}: must be a whole number of at least 1")
            elif f.name in ("allowed_callback_hosts", "allowed_model_hosts"):
                values[f.name] = tuple(h.strip().lower() for h in raw.split(",") if h.strip())
            elif f.name in ("signin_account_limits", "signin_address_limits"):
                values[f.name] = _limits(name, raw)
            elif f.name == "callback_backoff_s":
                values[f.name] = tuple(_float(name, p) for p in raw.split(",") if p.strip())
            elif f.name in ("run_jobs", "metrics"):
                values[f.name] = _bool(name, raw)
            elif f.name in ("database_url", "metrics_token", "ray_address"):
                values[f.name] = raw
            elif f.name == "log_format":
                if raw not in ("text", "json"):
                    raise SettingsError(f"{name}: must be text or json, not {raw!r}")
                values[f.name] = raw
            else:
                values[f.name] = _float(name, raw)
        settings = cls(**values)
        clean = {k: v for k, v in overrides.items() if v is not None}
        return replace(settings, **clean) if clean else settings
