"""Pure truth-inference and agreement algorithms on integer-coded numpy arrays.

Nothing here imports from the rest of ``assay``: no database, no web, no pandas (except the
lazily imported crowd-kit style adapter in :mod:`assay.algorithms.crowdkit_compat`).

Categorical truth inference takes an :class:`Answers` (build one with
:func:`encode_answers`) and returns a :class:`TruthResult` subclass. ``CATEGORICAL_METHODS``
names every method; ``DEFAULT_CATEGORICAL_METHOD`` is the one Assay uses unless a project
says otherwise, chosen from the measurements in ``docs/algorithms.md``.
"""

from __future__ import annotations

from collections.abc import Callable

from assay.algorithms.agreement import (
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)
from assay.algorithms.answers import Answers, DuplicatePolicy, Encoding, encode_answers
from assay.algorithms.battles import OUTCOMES, Battles, PairCounts, count_battles, encode_battles
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

CATEGORICAL_METHODS: dict[str, CategoricalMethod] = {
    "majority_vote": majority_vote,
    "weighted_majority_vote": weighted_majority_vote,
    "dawid_skene": dawid_skene,
    "one_coin_dawid_skene": one_coin_dawid_skene,
    "glad": glad,
    "mace": mace,
}
"""Every categorical truth-inference method by name; each is called as ``method(answers)``."""

DEFAULT_CATEGORICAL_METHOD = "dawid_skene"
"""The method used for categorical answers by default (see docs/algorithms.md for why)."""

NUMERIC_METHODS: dict[str, Callable[[Ratings], NumericResult]] = {
    "mean": mean_rating,
    "median": median_rating,
    "bias_corrected": bias_corrected_rating,
}
"""Every numeric (``rate``) aggregation by name."""

DEFAULT_NUMERIC_METHOD = "mean"
"""The default for numeric ratings: the lowest error on n_emotion (docs/algorithms.md)."""

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
