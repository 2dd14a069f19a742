"""Pure truth-inference and agreement algorithms on integer-coded numpy arrays.

Nothing here imports from the rest of ``assay``: no database, no web, no pandas (except the
lazily imported crowd-kit style adapter in :mod:`assay.algorithms.crowdkit_compat`).

Categorical truth inference takes an :class:`Answers` (build one with
:func:`encode_answers`) and returns a :class:`TruthResult` subclass. ``CATEGORICAL_METHODS``
names every method; ``DEFAULT_CATEGORICAL_METHOD`` is the one Assay uses unless a project
says otherwise, chosen from the measurements in ``docs/algorithms.md``.

Importing this package costs nothing: each name is loaded from its module on first use
(:pep:`562`), so that a process that never runs an algorithm (the API server at start-up,
the CLI's ``--help``) imports neither numpy nor scipy; ``tests/test_lazy_imports.py`` keeps
it so.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assay.algorithms.agreement import (
        cohen_kappa,
        fleiss_kappa,
        krippendorff_alpha,
        percent_agreement,
    )
    from assay.algorithms.answers import Answers, DuplicatePolicy, Encoding, encode_answers
    from assay.algorithms.battles import (
        OUTCOMES,
        Battles,
        PairCounts,
        count_battles,
        encode_battles,
    )
    from assay.algorithms.boxes import ConsensusBox, aggregate_boxes
    from assay.algorithms.bradley_terry import BradleyTerryResult, bradley_terry
    from assay.algorithms.dawid_skene import DawidSkeneResult, dawid_skene
    from assay.algorithms.errors import (
        AlgorithmInputError,
        DisconnectedComparisonsError,
        DuplicateAnswerError,
        EmptyTaskError,
        InvalidParameterError,
        LabelOutOfRangeError,
        LengthMismatchError,
        NoAnswersError,
        UnboundedRatingsError,
        UndefinedStatisticError,
    )
    from assay.algorithms.glad import GladResult, glad
    from assay.algorithms.leaderboard import (
        BootstrapResult,
        Leaderboard,
        bootstrap_bradley_terry,
        leaderboard,
    )
    from assay.algorithms.mace import MaceResult, mace
    from assay.algorithms.majority import WeightedVoteResult, majority_vote, weighted_majority_vote
    from assay.algorithms.near_duplicates import (
        NearDuplicates,
        near_duplicates,
        near_duplicates_streamed,
    )
    from assay.algorithms.numeric import (
        NumericResult,
        Ratings,
        bias_corrected_rating,
        encode_ratings,
        mean_rating,
        median_rating,
    )
    from assay.algorithms.one_coin import OneCoinResult, one_coin_dawid_skene
    from assay.algorithms.results import TruthResult
    from assay.algorithms.similarity import (
        box_f1,
        edit_distance,
        label_jaccard,
        span_f1,
        text_similarity,
    )
    from assay.algorithms.spans import ConsensusSpan, aggregate_spans
    from assay.algorithms.text import TextConsensus, aggregate_texts

    CategoricalMethod = Callable[[Answers], TruthResult]

    CATEGORICAL_METHODS: dict[str, CategoricalMethod]
    NUMERIC_METHODS: dict[str, Callable[[Ratings], NumericResult]]

DEFAULT_CATEGORICAL_METHOD = "dawid_skene"
"""The method used for categorical answers by default (see docs/algorithms.md for why)."""

DEFAULT_NUMERIC_METHOD = "mean"
"""The default for numeric ratings: the lowest error on n_emotion (docs/algorithms.md)."""

_MODULE_OF = {
    "AlgorithmInputError": "errors",
    "Answers": "answers",
    "Battles": "battles",
    "BootstrapResult": "leaderboard",
    "BradleyTerryResult": "bradley_terry",
    "ConsensusBox": "boxes",
    "ConsensusSpan": "spans",
    "DawidSkeneResult": "dawid_skene",
    "DisconnectedComparisonsError": "errors",
    "DuplicateAnswerError": "errors",
    "DuplicatePolicy": "answers",
    "EmptyTaskError": "errors",
    "Encoding": "answers",
    "GladResult": "glad",
    "InvalidParameterError": "errors",
    "LabelOutOfRangeError": "errors",
    "Leaderboard": "leaderboard",
    "LengthMismatchError": "errors",
    "MaceResult": "mace",
    "NearDuplicates": "near_duplicates",
    "NoAnswersError": "errors",
    "NumericResult": "numeric",
    "OUTCOMES": "battles",
    "OneCoinResult": "one_coin",
    "PairCounts": "battles",
    "Ratings": "numeric",
    "TextConsensus": "text",
    "TruthResult": "results",
    "UnboundedRatingsError": "errors",
    "UndefinedStatisticError": "errors",
    "WeightedVoteResult": "majority",
    "aggregate_boxes": "boxes",
    "aggregate_spans": "spans",
    "aggregate_texts": "text",
    "bias_corrected_rating": "numeric",
    "bootstrap_bradley_terry": "leaderboard",
    "box_f1": "similarity",
    "bradley_terry": "bradley_terry",
    "cohen_kappa": "agreement",
    "count_battles": "battles",
    "dawid_skene": "dawid_skene",
    "edit_distance": "similarity",
    "encode_answers": "answers",
    "encode_battles": "battles",
    "encode_ratings": "numeric",
    "fleiss_kappa": "agreement",
    "glad": "glad",
    "krippendorff_alpha": "agreement",
    "label_jaccard": "similarity",
    "leaderboard": "leaderboard",
    "mace": "mace",
    "majority_vote": "majority",
    "mean_rating": "numeric",
    "median_rating": "numeric",
    "near_duplicates": "near_duplicates",
    "near_duplicates_streamed": "near_duplicates",
    "one_coin_dawid_skene": "one_coin",
    "percent_agreement": "agreement",
    "span_f1": "similarity",
    "text_similarity": "similarity",
    "weighted_majority_vote": "majority",
}
"""Which module defines each public name."""


def _categorical_methods() -> dict[str, Any]:
    """Every categorical truth-inference method by name; each is called as
    ``method(answers)``."""
    return {name: __getattr__(name) for name in (
        "majority_vote", "weighted_majority_vote", "dawid_skene", "one_coin_dawid_skene",
        "glad", "mace")}


def _numeric_methods() -> dict[str, Any]:
    """Every numeric (``rate``) aggregation by name."""
    return {"mean": __getattr__("mean_rating"), "median": __getattr__("median_rating"),
            "bias_corrected": __getattr__("bias_corrected_rating")}


class _Package(ModuleType):
    """This package, as a module that keeps a function its attribute when the module of the
    same name is imported (``dawid_skene`` the function, not ``assay.algorithms.dawid_skene``
    the module; the import system sets a package's attribute to each submodule it loads)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, ModuleType) and _MODULE_OF.get(name) == name:
            return  # the function stays (or is loaded on first access)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    if name == "CATEGORICAL_METHODS":
        value: Any = _categorical_methods()
    elif name == "NUMERIC_METHODS":
        value = _numeric_methods()
    elif name == "CategoricalMethod":
        value = Callable
    elif name in _MODULE_OF:
        value = getattr(import_module(f"assay.algorithms.{_MODULE_OF[name]}"), name)
    else:
        raise AttributeError(f"module 'assay.algorithms' has no attribute {name!r}")
    globals()[name] = value  # the next access is a plain attribute
    return value


__all__ = [
    "CATEGORICAL_METHODS",
    "DEFAULT_CATEGORICAL_METHOD",
    "DEFAULT_NUMERIC_METHOD",
    "NUMERIC_METHODS",
    "OUTCOMES",
    "AlgorithmInputError",
    "Answers",
    "Battles",
    "BootstrapResult",
    "BradleyTerryResult",
    "CategoricalMethod",
    "ConsensusBox",
    "ConsensusSpan",
    "DawidSkeneResult",
    "DisconnectedComparisonsError",
    "DuplicateAnswerError",
    "DuplicatePolicy",
    "EmptyTaskError",
    "Encoding",
    "GladResult",
    "InvalidParameterError",
    "LabelOutOfRangeError",
    "Leaderboard",
    "LengthMismatchError",
    "MaceResult",
    "NearDuplicates",
    "NoAnswersError",
    "NumericResult",
    "OneCoinResult",
    "PairCounts",
    "Ratings",
    "TextConsensus",
    "TruthResult",
    "UnboundedRatingsError",
    "UndefinedStatisticError",
    "WeightedVoteResult",
    "aggregate_boxes",
    "aggregate_spans",
    "aggregate_texts",
    "bias_corrected_rating",
    "bootstrap_bradley_terry",
    "box_f1",
    "bradley_terry",
    "cohen_kappa",
    "count_battles",
    "dawid_skene",
    "edit_distance",
    "encode_answers",
    "encode_battles",
    "encode_ratings",
    "fleiss_kappa",
    "glad",
    "krippendorff_alpha",
    "label_jaccard",
    "leaderboard",
    "mace",
    "majority_vote",
    "mean_rating",
    "median_rating",
    "near_duplicates",
    "near_duplicates_streamed",
    "one_coin_dawid_skene",
    "percent_agreement",
    "span_f1",
    "text_similarity",
    "weighted_majority_vote",
]
