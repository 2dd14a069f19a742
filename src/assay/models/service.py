"""The rules of model endpoints: an organization's OpenAI-compatible servers.

Names are unique per organization; ``base_url`` follows the callback address rules with
``ASSAY_ALLOWED_MODEL_HOSTS``; the API key is never returned: it only ever leaves
the server inside an :class:`~assay.models.client.Endpoint`, for a call. The key is sealed
at rest under the organization's data key by its column type (``db/sealing.py``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assay.accounts.service import Requester
from assay.callbacks.urls import CallbackTargetRefused, resolve_target
from assay.db.models import ModelCall, ModelEndpoint
from assay.errors import Conflict, NotFound, field_error
from assay.ids import new_id
from assay.models import client, repository
from assay.models.schemas import CALL_DEFAULTS, ModelCreate, ModelParams, ModelPatch
from assay.money import to_micros

_RESERVED = frozenset({"model", "messages", "stream", "stream_options"})
_GENERATION = ("temperature", "top_p", "max_tokens", "stop", "seed", "presence_penalty",
               "frequency_penalty")


def check_base_url(url: str, allowed: tuple[str, ...]) -> str:
    """422 naming ``base_url`` unless it is an http(s) URL whose address is allowed."""
    try:
        resolve_target(url.rstrip("/") + "/chat/completions", allowed, must_resolve=False)
    except CallbackTargetRefused as exc:
        message = str(exc).replace("ASSAY_ALLOWED_CALLBACK_HOSTS", "ASSAY_ALLOWED_MODEL_HOSTS")
        raise field_error("base_url", message, code="base_url_refused") from exc
    return url


def _params(params: ModelParams | None) -> dict[str, Any]:
    return params.model_dump(exclude_none=True) if params else {}


def _fmt(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def model_object(model: ModelEndpoint) -> dict[str, Any]:
    return {"id": model.id, "name": model.name, "base_url": model.base_url,
            "model": model.model, "has_api_key": model.api_key is not None,
            "params": {**CALL_DEFAULTS, **model.params}, "prices": model.prices,
            "created_at": _fmt(model.created_at), "updated_at": _fmt(model.updated_at)}


def _unique_name(session: Session, org_id: str, name: str, model_id: str | None) -> None:
    found = repository.get_model_by_name(session, org_id, name)
    if found is not None and found.id != model_id:
        raise Conflict(f"a model named {name!r} exists", {"model_id": found.id},
                       code="duplicate_name")


def _flush(session: Session, org_id: str, name: str) -> None:
    """Flush; a name taken by a concurrent writer between our check and the insert is the
    same 409 as one found by the check."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(f"a model named {name!r} exists", code="duplicate_name") from exc


def create_model(session: Session, who: Requester, body: ModelCreate,
                 allowed: tuple[str, ...], now: datetime) -> ModelEndpoint:
    check_base_url(body.base_url, allowed)
    _unique_name(session, who.org_id, body.name, None)
    model = ModelEndpoint(
        id=new_id("mdl"), org_id=who.org_id, name=body.name, base_url=body.base_url,
        model=body.model, params=_params(body.params), api_key=body.api_key,
        prices=body.prices.model_dump() if body.prices else None,
        created_at=now, updated_at=now)
    session.add(model)
    _flush(session, who.org_id, body.name)
    return model


def get_model(session: Session, who: Requester, model_id: str, *,
              for_update: bool = False) -> ModelEndpoint:
    model = repository.get_model(session, who.org_id, model_id, for_update=for_update)
    if model is None:
        raise NotFound("model not found", code="model_not_found")
    return model


def list_models(session: Session, who: Requester, after: str | None,
                limit: int) -> list[ModelEndpoint]:
    return repository.list_models(session, who.org_id, after, limit)


def patch_model(session: Session, who: Requester, model_id: str, body: ModelPatch,
                allowed: tuple[str, ...], now: datetime) -> ModelEndpoint:
    model = get_model(session, who, model_id, for_update=True)
    sent = body.model_fields_set
    for name in ("name", "base_url", "model"):
        if name in sent and getattr(body, name) is None:
            raise field_error(name, "may not be null")
    if body.base_url is not None:
        model.base_url = check_base_url(body.base_url, allowed)
    if body.name is not None and body.name != model.name:
        _unique_name(session, who.org_id, body.name, model.id)
        model.name = body.name
    if body.model is not None:
        model.model = body.model
    if "api_key" in sent:
        model.api_key = body.api_key
    if "params" in sent:
        merged = dict(model.params)
        if body.params is not None:
            for name in body.params.model_fields_set:
                value = getattr(body.params, name)
                if value is None:
                    merged.pop(name, None)
                else:
                    merged[name] = body.params.model_dump(include={name})[name]
        model.params = merged
    if "prices" in sent:
        model.prices = body.prices.model_dump() if body.prices else None
    model.updated_at = now
    _flush(session, who.org_id, model.name)
    return model


def delete_model(session: Session, who: Requester, model_id: str) -> dict[str, Any]:
    model = get_model(session, who, model_id, for_update=True)
    session.delete(model)
    session.flush()
    client.forget(model_id)
    return {"id": model_id, "deleted": True}


def endpoint(model: ModelEndpoint, allowed: tuple[str, ...]) -> client.Endpoint:
    """What the client needs for a call: the address, the key opened, the params split
    into Assay's call options and the generation fields sent to the server."""
    params = {**CALL_DEFAULTS, **model.params}
    body = {k: params[k] for k in _GENERATION if k in params}
    # The request's own fields are Assay's to set, whatever ``extra`` says.
    body.update({k: v for k, v in (params.get("extra") or {}).items() if k not in _RESERVED})
    options = client.CallOptions(**{k: params[k] for k in CALL_DEFAULTS})
    return client.Endpoint(id=model.id, base_url=model.base_url, model=model.model,
                           api_key=model.api_key, options=options, body=body,
                           allowed_hosts=allowed)


def cost_pico(prices: dict[str, Any] | None, outcome: client.Outcome) -> int | None:
    """Exact cost in 1e-12 of the currency: tokens x price per million tokens (in
    micro-units). Calls that failed cost nothing."""
    if not prices:
        return None
    if outcome.status != "ok":
        return 0
    return (outcome.prompt_tokens * to_micros(prices["input"])
            + outcome.completion_tokens * to_micros(prices["output"]))


def record_call(session: Session, org_id: str, model_id: str, project_id: str | None,
                prices: dict[str, Any] | None, outcome: client.Outcome,
                now: datetime) -> ModelCall:
    row = ModelCall(id=new_id("mcl"), org_id=org_id, model_id=model_id,
                    project_id=project_id, status=outcome.status,
                    error_code=outcome.error_code, prompt_tokens=outcome.prompt_tokens,
                    completion_tokens=outcome.completion_tokens,
                    tokens_estimated=outcome.tokens_estimated,
                    latency_ms=outcome.latency_ms, attempts=outcome.attempts,
                    cost_pico=cost_pico(prices, outcome),
                    currency=(prices or {}).get("currency"), created_at=now)
    session.add(row)
    return row


def _percentile(values: list[int], q: float) -> int | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def _money_text(pico: int) -> str:
    text = format(Decimal(pico) / 10**12, "f")
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    return f"{whole}.{frac.ljust(2, '0')}"


def usage(session: Session, who: Requester, model_id: str,
          project_id: str | None) -> dict[str, Any]:
    model = get_model(session, who, model_id)
    summary = repository.summarize_calls(session, who.org_id, model.id, project_id)
    latencies = repository.list_latencies(session, who.org_id, model.id, project_id)
    costs: dict[str | None, int] = summary.pop("cost_pico")
    currency = (model.prices or {}).get("currency") or next(iter(costs), None)
    priced = currency in costs or model.prices is not None
    return {"model": model.id, "project": project_id, **summary,
            "cost": _money_text(costs.get(currency, 0)) if priced else None,
            "currency": currency if priced else None,
            "latency_ms": {"p50": _percentile(latencies, 50),
                           "p99": _percentile(latencies, 99)}}


def call_deadline(session: Session, org_id: str, model_id: str) -> float:
    """The deadline (``timeout_s``) of a call to this model; the default for a model that
    is gone (its call will fail at once)."""
    model = repository.get_model(session, org_id, model_id)
    params = {**CALL_DEFAULTS, **(model.params if model is not None else {})}
    return float(params["timeout_s"])


def model_names(session: Session, org_id: str, model_ids: list[str]) -> dict[str, str]:
    """The names of these models of the organization, by id (a missing one is left out)."""
    found = (repository.get_model(session, org_id, m) for m in sorted(set(model_ids)))
    return {m.id: m.name for m in found if m is not None}


def project_usage(session: Session, org_id: str, project_id: str) -> dict[str, Any]:
    """Calls, failures, tokens and cost of every model's calls for one project (or
    evaluation): ``cost`` is a decimal string in ``currency`` when the priced calls share
    one currency, else ``None`` (with ``costs`` by currency)."""
    rows = repository.summarize_project_calls(session, org_id, project_id)
    priced = {currency: pico for currency, *_, pico in rows if currency is not None}
    single = next(iter(priced)) if len(priced) == 1 else None
    return {"calls": sum(r[1] for r in rows), "errors": sum(r[2] for r in rows),
            "prompt_tokens": sum(r[3] for r in rows),
            "completion_tokens": sum(r[4] for r in rows),
            "cost": _money_text(priced[single]) if single else None, "currency": single,
            "costs": {c: _money_text(p) for c, p in priced.items()}}
