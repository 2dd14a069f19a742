"""Task kinds: what a project's params, a task's data and a worker's answer look like, how a
task's answers are combined and checked, and how the browser labels them. See
``docs/kinds.md``; ``docs/adding-a-kind.md`` says how to add one.

Each kind is one subpackage of this package that exports ``KIND``, an instance of
:class:`~assay.kinds.base.Kind` whose ``name`` is the subpackage's name. The registry
finds them by listing the subpackages, so adding a kind means adding one folder.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from assay.kinds.base import (
    Aggregate,
    Categorical,
    FieldError,
    FormField,
    Kind,
    KindValidationError,
    Match,
    MatchPolicy,
)


def _discover() -> dict[str, Kind]:
    found: list[Kind] = []
    for info in pkgutil.iter_modules(__path__):
        if not info.ispkg:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        kind = getattr(module, "KIND", None)
        if not isinstance(kind, Kind) or kind.name != info.name:
            raise TypeError(f"{module.__name__} must export KIND, a Kind named {info.name!r}")
        found.append(kind)
    found.sort(key=lambda kind: (kind.position, kind.name))
    return {kind.name: kind for kind in found}


_KINDS = _discover()

#: Every kind's name, in the API's order.
KIND_NAMES: tuple[str, ...] = tuple(_KINDS)

if TYPE_CHECKING:
    KindName = str
else:
    #: A kind's name, for request and response schemas (an enum in the OpenAPI document).
    KindName = Literal[KIND_NAMES]


def get_kind(name: str) -> Kind:
    """Return the kind called ``name``; raise ``KeyError`` for an unknown name."""
    try:
        return _KINDS[name]
    except KeyError:
        raise KeyError(f"unknown kind {name!r}; known kinds: {', '.join(KIND_NAMES)}") from None


def all_kinds() -> tuple[Kind, ...]:
    """Every kind, in the API's order."""
    return tuple(_KINDS.values())


def kind_folder(name: str) -> Path:
    """The folder of a kind: its code, its widget (``widget.js``) and styles
    (``widget.css``)."""
    return Path(importlib.import_module(f"{__name__}.{get_kind(name).name}").__path__[0])


def categorical_kinds() -> tuple[str, ...]:
    """The kinds whose answers may be one choice among fixed classes (they implement
    :meth:`Kind.categorical`): the projects the refit fits."""
    return tuple(name for name, kind in _KINDS.items()
                 if type(kind).categorical is not Kind.categorical)


def judged_kinds() -> tuple[str, ...]:
    """The kinds whose tasks give post-training rows (they implement
    :meth:`Kind.judged_turns`)."""
    return tuple(name for name, kind in _KINDS.items()
                 if type(kind).judged_turns is not Kind.judged_turns)


def synthetic_kinds() -> tuple[str, ...]:
    """The kinds a generation job fills (they implement :meth:`Kind.synthetic_task`)."""
    return tuple(name for name, kind in _KINDS.items()
                 if type(kind).synthetic_task is not Kind.synthetic_task)


def _first_with(hook: str) -> Kind:
    for kind in _KINDS.values():
        if getattr(type(kind), hook) is not getattr(Kind, hook):
            return kind
    raise LookupError(f"no kind implements Kind.{hook}")


def battle_kind() -> Kind:
    """The kind an evaluation's blind battles are tasks of: the first (in the API's order)
    that implements :meth:`Kind.battle_project`."""
    return _first_with("battle_project")


def rating_kind() -> Kind:
    """The kind an evaluation's rubric rating tasks are of: the first (in the API's order)
    that implements :meth:`Kind.rating_project`."""
    return _first_with("rating_project")


def converses(name: str) -> bool:
    """Whether a kind's tasks talk to models (it implements :meth:`Kind.conversation`):
    its judged turns read the candidates' sources."""
    return type(get_kind(name)).conversation is not Kind.conversation


__all__ = [
    "KIND_NAMES",
    "Aggregate",
    "Categorical",
    "FieldError",
    "FormField",
    "Kind",
    "KindName",
    "KindValidationError",
    "Match",
    "MatchPolicy",
    "all_kinds",
    "battle_kind",
    "categorical_kinds",
    "converses",
    "get_kind",
    "judged_kinds",
    "kind_folder",
    "rating_kind",
    "synthetic_kinds",
]
