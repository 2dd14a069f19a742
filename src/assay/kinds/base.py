"""The contract every task kind fulfils. A kind is pure: no database, no HTTP.

A kind validates a project's params, a task's data and a worker's answer against its pydantic
schemas (``schemas.py`` in its folder) and returns new, normalized objects; it combines a
task's answers into one result (its consensus, with a confidence); it scores an answer
against an expected one (gold, training, review); it says which answers the categorical
models read, which labels the dashboard counts, and which fields the project form shows.
Its labeling widget (``widget.js``, optionally ``widget.css``) lies in the same folder.

Validation collects every problem it finds and raises one :class:`KindValidationError`
whose :class:`FieldError` entries name each bad field by a dotted path (``params.labels[2]``,
``data.text``, ``answer.spans[0].end``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel

from assay.kinds.errors import FieldError, KindValidationError
from assay.kinds.matching import DEFAULT_POLICY, Match, MatchPolicy
from assay.kinds.schema import parse

if TYPE_CHECKING:
    from assay.algorithms.judged_turns import JudgedTurn

__all__ = ["NO_AGGREGATE", "Aggregate", "Categorical", "Conversation", "FieldError",
           "FormField", "Kind", "KindValidationError", "Match", "MatchPolicy", "OfferedTurn",
           "removed_names"]


@dataclass(frozen=True)
class Aggregate:
    """A task's result under its kind's consensus rule.

    ``answer`` is a kind answer (or ``None``), ``confidence`` lies in ``[0, 1]`` (or is
    ``None``), and ``method`` names the rule (``"plurality"``, ``"median"``, ``"none"``…).
    """

    answer: Any | None
    confidence: float | None
    method: str


NO_AGGREGATE = Aggregate(answer=None, confidence=None, method="none")


@dataclass(frozen=True)
class Categorical:
    """Where a project's answers are one choice among fixed classes: the answer's key and
    the classes in order. The quality engine's categorical models (Dawid-Skene, the
    adaptive posterior, the refit) read these."""

    key: str
    labels: list[str]


@dataclass(frozen=True)
class FormField:
    """A field of the project form that fills one key of the kind's params.

    ``lines``: a text box, one list item per line; ``checkbox``: ``true`` when ticked;
    ``number``: a whole number (left out when empty; text that is not one is passed on, to
    be refused by the kind naming the field); ``criteria``: a text box, one criterion per
    line as ``id | description | weight`` (description and weight optional). ``param`` is
    the params key it fills when that differs from the form field's ``name`` (two kinds
    may fill one key from differently shaped fields).
    """

    name: str
    label: str
    input: Literal["lines", "checkbox", "number", "criteria"]
    param: str | None = None

    @property
    def key(self) -> str:
        return self.param or self.name


@dataclass(frozen=True)
class Conversation:
    """What a task of a kind that talks to models asks of the server (:meth:`Kind.conversation`).

    ``models`` are model endpoint ids, ``per_turn`` replies are asked each turn, at most
    ``max_turns`` turns; ``messages`` open the conversation; ``given`` are replies the task
    data offers for the first turn (``{"model", "content"}``); ``opens_shared`` is true when
    the first turn needs no user turn from the worker, so its replies are the same for every
    worker of the task.
    """

    models: tuple[str, ...]
    per_turn: int
    max_turns: int
    messages: tuple[dict[str, Any], ...]
    given: tuple[dict[str, Any], ...]
    opens_shared: bool


@dataclass(frozen=True)
class OfferedTurn:
    """One turn the server offered inside an assignment: its candidates' ids, the worker's
    own user turn (None when the task's messages supplied it), and the choice (ranking,
    scores, ideal) the conversation continued from, once it did."""

    candidates: tuple[str, ...]
    prompt: str | None = None
    choice: dict[str, Any] | None = None


class Kind(ABC):
    """A task kind. Subclasses set ``name`` and the three schemas, and implement
    :meth:`aggregate` and :meth:`match`; every other method has a default.
    """

    name: ClassVar[str]
    #: Where the kind comes in lists (the API's order); ties go by name.
    position: ClassVar[int] = 1000
    #: The pydantic models of params, data and answers; ``answer_schema`` may depend on the
    #: params (:meth:`answer_model`).
    params_schema: ClassVar[type[BaseModel]]
    data_schema: ClassVar[type[BaseModel]]
    answer_schema: ClassVar[type[BaseModel]]
    #: Adaptive overlap may settle a task on this kind's consensus confidence (the
    #: categorical kinds are settled by the posterior of their :meth:`categorical` classes).
    adaptive_consensus: ClassVar[bool] = False
    #: The project form's fields that fill this kind's params (:meth:`params_from_form`).
    form_fields: ClassVar[tuple[FormField, ...]] = ()

    # -- validation -------------------------------------------------------------------

    def validate_params(self, params: Any) -> dict[str, Any]:
        """Return a new, normalized params dict with defaults filled in.

        ``None`` means "no params given" and yields the defaults. Raises
        :class:`KindValidationError` with fields prefixed ``params``.
        """
        model = parse(self.params_schema, {} if params is None else params, "params")
        return self.normalize_params(model)

    def validate_data(self, params: dict[str, Any], data: Any) -> None:
        """Check a task's data against normalized ``params``; fields prefixed ``data``.
        Unknown keys of ``data`` are kept: it is the customer's own data."""
        parse(self.data_schema, data, "data", {"params": params})

    def validate_answer(self, params: dict[str, Any], data: Any, answer: Any,
                        offered: Sequence[OfferedTurn] | None = None) -> dict[str, Any]:
        """Return the normalized answer as a new dict; fields prefixed ``answer``.

        ``params`` are normalized and ``data`` already valid. The input is never mutated.
        ``offered``: for a kind with a :meth:`conversation`, the turns the server offered in
        the worker's assignment (None on the requester's side: gold, audits).
        """
        model = parse(self.answer_model(params), answer, "answer",
                      {"params": params, "data": data, "offered": offered})
        return self.normalize_answer(params, model)

    def answer_model(self, params: dict[str, Any]) -> type[BaseModel]:
        """The answer schema for a project with these params (default: ``answer_schema``)."""
        return self.answer_schema

    def normalize_params(self, model: BaseModel) -> dict[str, Any]:
        """The stored params of a valid params model (default: its fields, by alias)."""
        return model.model_dump(by_alias=True)

    def normalize_answer(self, params: dict[str, Any], model: BaseModel) -> dict[str, Any]:
        """The stored answer of a valid answer model: a new dict in a fixed key order
        (default: its fields, by alias, leaving out the optional ones not given)."""
        return model.model_dump(by_alias=True, exclude_unset=True)

    def check_params_change(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        """Return the labels that ``new`` removes from ``old`` (both normalized).

        The caller refuses the change (``409``) when an answer uses a removed label, which it
        learns from :meth:`labels_used`. A change that would alter the shape of answers
        already given raises :class:`KindValidationError` instead. The default: the kind has
        a ``labels`` list and nothing else constrains a change.
        """
        return removed_names(old.get("labels", []), new.get("labels", []))

    def labels_used(self, answer: dict[str, Any]) -> set[str]:
        """Return the labels a normalized answer refers to (empty for label-less kinds)."""
        return set()

    # -- conversations with models (kinds that generate replies) ------------------------

    def conversation(self, params: dict[str, Any], data: Any) -> Conversation | None:
        """What a task asks of the models, or None: this kind generates nothing."""
        return None

    def worker_data(self, params: dict[str, Any], data: Any) -> Any:
        """The task data as a worker sees it (default: all of it)."""
        return data

    def worker_result(self, params: dict[str, Any], answer: Any) -> Any:
        """A task's result answer as a worker (a reviewer) sees it (default: all of it)."""
        return answer

    def validate_choice(self, params: dict[str, Any], candidates: Sequence[str],
                        choice: Any) -> dict[str, Any]:
        """A worker's ranking (scores, ideal) of one turn's ``candidates``, normalized, before
        the conversation continues; fields named without a prefix."""
        raise NotImplementedError(f"{self.name} holds no conversations")

    def chosen_reply(self, choice: Mapping[str, Any], contents: Mapping[str, str]) -> str:
        """The reply the next turn continues from, given a validated choice and the turn's
        candidates' contents by id."""
        raise NotImplementedError(f"{self.name} holds no conversations")

    def fix_offered(self, params: dict[str, Any], answers: Sequence[Mapping[str, Any]],
                    fix: Any) -> Sequence[OfferedTurn] | None:
        """What a reviewer's fix of a task with these counted answers may reference (the
        ``offered`` of :meth:`validate_answer`), or None: anything valid (the default)."""
        return None

    def resolve_answer(self, params: dict[str, Any], answer: dict[str, Any],
                       sources: Mapping[str, Any]) -> dict[str, Any]:
        """The form of a stored answer that :meth:`aggregate` and :meth:`match` read, given
        where each candidate of the task came from (candidate id → ``{"model": name,
        "shared": bool, …}``); default: the answer itself."""
        return answer

    # -- post-training and synthetic data (the kinds that hold preferences or scores) ----

    def judged_turns(self, params: Mapping[str, Any], task: Mapping[str, Any],
                     sources: Mapping[str, Mapping[str, Any]]) -> Iterator[JudgedTurn]:
        """The judged turns of one completed task object (with its ``responses``): what
        the post-training exports compile. ``sources`` maps the task's candidate ids to
        ``{"content", "messages", …}`` for a kind with a :meth:`conversation` (empty
        otherwise). A kind that does not override this gives no post-training rows."""
        raise NotImplementedError(f"{self.name} tasks give no post-training rows")

    #: A generated item of this kind needs the model's reply (``generate``'s ``replies``).
    synthetic_needs_reply: ClassVar[bool] = False

    def synthetic_task(self, params: Mapping[str, Any], prompt: str, reply: str | None,
                       model_name: str) -> dict[str, Any]:
        """The data of a task that people check, made from a generated prompt (and the
        model's reply to it). A kind that does not override this holds no generated
        items."""
        raise NotImplementedError(f"{self.name} tasks are not generated")

    def synthetic_check(self, params: Mapping[str, Any], data: Mapping[str, Any],
                        answer: Mapping[str, Any]) -> tuple[str | None, float | None]:
        """How one answer to a generated task judged it: ``accepted``, ``edited``,
        ``rejected`` or None (it says neither), and for an edit its similarity to the
        model's reply (default: None, None)."""
        return None, None

    # -- model evaluation (the kinds that judge replies: evaluations/) ----------------

    def battle_project(self, criteria: Sequence[str]) -> dict[str, Any]:
        """The params of a project of blind battles between two replies, ties and "both
        bad" allowed, also judged on ``criteria``. A kind that does not override this does
        not serve battles (:func:`assay.kinds.battle_kind`)."""
        raise NotImplementedError(f"{self.name} tasks are not battles")

    def battle_task(self, prompt: Any, reply_a: str | None,
                    reply_b: str | None) -> dict[str, Any]:
        """The data of one battle's task: the prompt and the two replies, nothing else."""
        raise NotImplementedError(f"{self.name} tasks are not battles")

    def battle_verdict(self, answer: Mapping[str, Any]) -> str | None:
        """A battle task's result as ``a``, ``b``, ``tie`` or ``both_bad`` (None: none)."""
        raise NotImplementedError(f"{self.name} tasks are not battles")

    def rating_project(self, low: int, high: int,
                       criteria: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """The params of a project that scores one reply from ``low`` to ``high``, overall
        or on ``criteria`` (``{"id", "description", "weight"}``). A kind that does not
        override this does not serve rubric rating (:func:`assay.kinds.rating_kind`)."""
        raise NotImplementedError(f"{self.name} tasks do not rate replies")

    def rating_task(self, prompt: Any, reply: str | None) -> dict[str, Any]:
        """The data of one rating task: the prompt and the reply, nothing else."""
        raise NotImplementedError(f"{self.name} tasks do not rate replies")

    def rating_scores(self, answer: Mapping[str, Any]) -> dict[str, float]:
        """A rating task's result as scores by criterion id (``rating`` without
        criteria)."""
        raise NotImplementedError(f"{self.name} tasks do not rate replies")

    # -- results ----------------------------------------------------------------------

    @abstractmethod
    def aggregate(self, params: dict[str, Any], answers: list[dict[str, Any]]) -> Aggregate:
        """Combine the normalized answers of one task into an :class:`Aggregate`: the
        result a task completes with unless the quality engine decides it."""

    def categorical(self, params: dict[str, Any]) -> Categorical | None:
        """The key and classes the categorical models read, or None when this project's
        answers are not one choice among fixed classes (the default)."""
        return None

    @abstractmethod
    def match(self, params: Mapping[str, Any], expected: Mapping[str, Any],
              answer: Mapping[str, Any], policy: MatchPolicy = DEFAULT_POLICY) -> Match:
        """How much of ``expected`` the ``answer`` gets right (both normalized), and
        whether that counts as right under ``policy``: gold, training and review checks."""

    # -- figures and the project form ---------------------------------------------------

    def tally_labels(self, params: dict[str, Any]) -> list[str]:
        """The labels the dashboard counts answers by, in order; empty: no such chart."""
        return []

    def answer_labels(self, answer: Mapping[str, Any]) -> list[str]:
        """The labels of :meth:`tally_labels` one normalized answer gives."""
        return []

    def params_from_form(self, values: Mapping[str, str]) -> dict[str, Any] | None:
        """The params the project form's :attr:`form_fields` describe; None (the kind's
        defaults) for a kind without form fields."""
        if not self.form_fields:
            return None
        params: dict[str, Any] = {}
        for field in self.form_fields:
            value = values.get(field.name, "")
            if field.input == "lines":
                params[field.key] = [line.strip() for line in value.splitlines()
                                     if line.strip()]
            elif field.input == "criteria":
                params[field.key] = [_criterion(line) for line in value.splitlines()
                                     if line.strip()]
            elif field.input == "number":
                if value.strip():
                    text = value.strip()
                    params[field.key] = int(text) if text.lstrip("-").isdigit() else text
            elif value:
                params[field.key] = True
        return params

    def form_values(self, params: Mapping[str, Any]) -> dict[str, str]:
        """The text of each of :attr:`form_fields` that gives back ``params`` (the settings
        form shows a project's params this way)."""
        values: dict[str, str] = {}
        for field in self.form_fields:
            value = params.get(field.key)
            if field.input == "lines":
                values[field.name] = "\n".join(str(v) for v in value or [])
            elif field.input == "criteria":
                values[field.name] = "\n".join(_criterion_line(c) for c in value or [])
            elif field.input == "number":
                values[field.name] = "" if value is None else str(value)
            else:
                values[field.name] = "1" if value else ""
        return values


def _criterion(line: str) -> dict[str, Any]:
    """``id | description | weight`` as a criterion (weight a number when it reads as one)."""
    parts = [part.strip() for part in line.split("|")]
    out: dict[str, Any] = {"id": parts[0]}
    if len(parts) > 1 and parts[1]:
        out["description"] = parts[1]
    if len(parts) > 2 and parts[2]:
        try:
            out["weight"] = float(parts[2]) if "." in parts[2] else int(parts[2])
        except ValueError:
            out["weight"] = parts[2]
    return out


def _criterion_line(criterion: Any) -> str:
    if not isinstance(criterion, Mapping):
        return str(criterion)
    parts = [str(criterion.get("id", "")), str(criterion.get("description") or "")]
    weight = criterion.get("weight")
    if weight not in (None, 1):
        parts.append(str(weight))
    return " | ".join(parts).rstrip(" |")


def removed_names(old: list[str], new: list[str]) -> list[str]:
    """Return the names in ``old`` that are absent from ``new``, in ``old``'s order."""
    kept = set(new)
    return [name for name in old if name not in kept]
