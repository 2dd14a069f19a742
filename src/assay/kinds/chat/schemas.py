"""``chat``'s shapes (API.md part two, "Kind ``chat``").

- params: ``{"models": [], "candidates": 2, "max_turns": 1, "ranking": true, "rubric": [],
  "write": "optional"}``. ``models``: 0 to 8 unique model endpoint ids; ``candidates``:
  replies per turn, 1 to 8; ``max_turns``: 1 to 50; ``rubric``: criteria
  ``{"id", "description", "weight", "min", "max"}`` (defaults ``""``, 1, 1, 5) on which a
  worker scores each reply; ``write``: ``"never"``, ``"optional"`` or ``"always"`` (the
  worker writes or edits the ideal reply).
- data: ``{"messages": [{"role", "content"}], "candidates"?: [{"model", "content"}]}``;
  given candidates (1 to 8) answer the messages, which must then end with a user turn.
- answer: ``{"turns": [{"prompt"?, "candidates": ["cnd_…"], "ranking": [["cnd_a"],
  ["cnd_b", "cnd_c"]], "scores"?: {"cnd_a": {"<criterion>": 4}}, "ideal"?: "…"}]}``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

from assay.kinds.schema import (
    KindModel,
    Loc,
    Name,
    above_min,
    checked,
    criteria_list,
    field_errors,
    invalid,
    is_int,
    is_number,
    list_of,
    project,
    unique_names,
)

MAX_CANDIDATES = 8
MAX_TURNS = 50
MAX_TEXT = 100_000


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise invalid("must be a string")
    if len(value) > MAX_TEXT:
        raise invalid(f"must be at most {MAX_TEXT} characters long")
    return value


def _written(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid("must be a non-blank string")
    return _text(value)


Text = Annotated[Any, AfterValidator(_text)]
Written = Annotated[Any, AfterValidator(_written)]


class Criterion(KindModel):
    id: Name
    description: str = ""
    weight: Annotated[Any, checked(lambda v: is_number(v) and v > 0,
                                   "must be a number > 0")] = 1
    min: int = 1
    max: Annotated[int, AfterValidator(above_min)] = Field(default=5, validate_default=True)


class Params(KindModel):
    models: Annotated[list[Name], unique_names("models", required=False),
                      checked(lambda v: len(v) <= MAX_CANDIDATES,
                              f"must name at most {MAX_CANDIDATES} models")] = []
    candidates: Annotated[int, Field(ge=1, le=MAX_CANDIDATES)] = 2
    max_turns: Annotated[int, Field(ge=1, le=MAX_TURNS)] = 1
    ranking: bool = True
    rubric: Annotated[list[Criterion], WrapValidator(criteria_list)] = []
    write: Literal["never", "optional", "always"] = "optional"


class Message(KindModel):
    role: Literal["system", "user", "assistant"]
    content: Text


class Given(KindModel):
    model: Name
    content: Written


def _answers_a_user(value: Any, info: ValidationInfo) -> Any:
    messages = info.data.get("messages")
    if messages is not None and (not messages or messages[-1].role != "user"):
        raise invalid("need data.messages to end with a user turn, which they answer")
    return value


class Data(KindModel):
    model_config = ConfigDict(extra="allow")

    messages: Annotated[list[Message], list_of("messages")]
    candidates: Annotated[list[Given], list_of("candidates"),
                          checked(lambda v: 1 <= len(v) <= MAX_CANDIDATES,
                                  f"must hold 1 to {MAX_CANDIDATES} candidates"),
                          AfterValidator(_answers_a_user)] | None = None


# -- answers ----------------------------------------------------------------------------

CandidateId = Annotated[Any, AfterValidator(_written)]


class Turn(KindModel):
    prompt: Written = None
    candidates: Annotated[list[CandidateId], unique_names("candidates", required=True),
                          checked(lambda v: len(v) <= MAX_CANDIDATES,
                                  f"must list at most {MAX_CANDIDATES} candidates")]
    ranking: Annotated[list[list[CandidateId]], list_of("groups")] | None = None
    scores: dict[str, dict[str, Any]] | None = None
    ideal: Written = None


def _turns(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    if not isinstance(value, list):
        raise invalid("must be a list of turns")
    params = project(info)
    errors: list[tuple[Loc, str]] = []
    if not 1 <= len(value) <= params["max_turns"]:
        errors.append(((), f"must hold 1 to {params['max_turns']} turns (params.max_turns)"))
    result = None
    try:
        result = handler(value)
    except ValidationError as exc:
        errors += [(tuple(e["loc"]), e["msg"]) for e in exc.errors()]
    if errors:
        raise field_errors(errors, value)
    bad: list[tuple[Loc, str]] = []
    for i, turn in enumerate(value):
        bad += [((i, *loc), message) for loc, message in choice_errors(params, turn)]
    offered = (info.context or {}).get("offered")
    if offered is not None:
        bad += offered_errors(value, offered)
    if bad:
        raise field_errors(bad, value)
    return result


class Answer(KindModel):
    turns: Annotated[list[Turn], WrapValidator(_turns)]


def ranking_errors(candidates: list[str], ranking: Any) -> list[tuple[Loc, str]]:
    """A ranking must place every candidate of the turn once, in non-empty groups."""
    errors: list[tuple[Loc, str]] = []
    seen: set[str] = set()
    known = set(candidates)
    for g, group in enumerate(ranking):
        if not group:
            errors.append((("ranking", g), "must not be an empty group"))
        for k, item in enumerate(group):
            if item not in known:
                errors.append((("ranking", g, k), f"{item!r} is not one of this turn's "
                                                 "candidates"))
            elif item in seen:
                errors.append((("ranking", g, k), f"ranks {item!r} twice"))
            seen.add(item)
    missing = [c for c in candidates if c not in seen]
    if missing and not errors:
        errors.append((("ranking",), "must rank every candidate of the turn (missing: "
                                     + ", ".join(missing) + ")"))
    return errors


def score_errors(params: dict[str, Any], candidates: list[str],
                 scores: Any) -> list[tuple[Loc, str]]:
    """With a rubric, every candidate is scored on every criterion, within its scale."""
    rubric = params["rubric"]
    if not rubric:
        return [(("scores",), "is not allowed: the project has no rubric")]
    errors: list[tuple[Loc, str]] = []
    for name in scores:
        if name not in candidates:
            errors.append((("scores", name), f"{name!r} is not one of this turn's candidates"))
    for name in candidates:
        given = scores.get(name)
        if not isinstance(given, dict):
            errors.append((("scores", name), "must score this candidate on the rubric"))
            continue
        ids = {c["id"] for c in rubric}
        errors += [(("scores", name, k), "is not a criterion of the rubric")
                   for k in given if k not in ids]
        for c in rubric:
            v = given.get(c["id"])
            if not is_int(v) or not c["min"] <= v <= c["max"]:
                errors.append((("scores", name, c["id"]),
                               f"must be an integer from {c['min']} to {c['max']}"))
    return errors


def choice_errors(params: dict[str, Any], turn: dict[str, Any]) -> list[tuple[Loc, str]]:
    """The rules of one turn's ranking, scores and ideal under the project's params."""
    errors: list[tuple[Loc, str]] = []
    candidates = list(turn.get("candidates") or [])
    if turn.get("ranking") is not None:
        errors += ranking_errors(candidates, turn["ranking"])
    elif params["ranking"]:
        errors.append((("ranking",), "is required (params.ranking)"))
    if turn.get("scores") is not None:
        errors += score_errors(params, candidates, turn["scores"])
    elif params["rubric"]:
        errors.append((("scores",), "is required: the project has a rubric"))
    if turn.get("ideal") is not None and params["write"] == "never":
        errors.append((("ideal",), "is not allowed (params.write is \"never\")"))
    elif turn.get("ideal") is None and params["write"] == "always":
        errors.append((("ideal",), "is required (params.write is \"always\")"))
    if turn.get("ranking") is None and turn.get("ideal") is None and not params["ranking"] \
            and params["write"] == "never" and not params["rubric"]:
        errors.append(((), "must rank, score or write something"))
    return errors


def offered_errors(turns: list[Any], offered: Any) -> list[tuple[Loc, str]]:
    """An answer from an assignment references only what the server offered in it."""
    errors: list[tuple[Loc, str]] = []
    if len(turns) != len(offered):
        errors.append(((), f"must hold the {len(offered)} turn(s) offered in this "
                           "assignment"))
    for i, (turn, shown) in enumerate(zip(turns, offered, strict=False)):
        got = turn.get("candidates") or []
        foreign = [c for c in got if c not in shown.candidates]
        for c in foreign:
            errors.append(((i, "candidates", got.index(c)),
                           f"{c!r} was not offered in this assignment"))
        if not foreign and set(got) != set(shown.candidates):
            errors.append(((i, "candidates"), "must list every candidate offered for this "
                                              "turn"))
        if (turn.get("prompt") or None) != shown.prompt:
            errors.append(((i, "prompt"), "must be the user turn the conversation was "
                                          "generated from" if shown.prompt else
                           "is not allowed: the task's messages supplied this user turn"))
        if shown.choice is not None:
            for key in ("ranking", "ideal"):
                if _groups(turn.get(key)) != _groups(shown.choice.get(key)):
                    errors.append(((i, key), "must be what the conversation continued from"))
    return errors


def _groups(value: Any) -> Any:
    if isinstance(value, list):
        return [sorted(group) for group in value]
    return value
