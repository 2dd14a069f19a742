"""Automatic scorers: how well a model's reply matches a prompt's reference, in ``[0, 1]``.

Each scorer is a pure function ``scorer(reply, reference) -> float``:

- ``exact_match`` — 1 when the two are equal once normalised (:func:`normalize_text`:
  case-folded, punctuation and the English articles dropped, whitespace collapsed; the
  normalisation the SQuAD evaluation introduced), else 0.
- ``f1`` — token F1: the harmonic mean of precision and recall of the normalised reply's
  tokens against the reference's, counting repeated tokens as a multiset (Rajpurkar et al.
  2016). 1 when both are empty, 0 when only one is.
- ``contains`` — 1 when the normalised reference occurs in the normalised reply as whole
  tokens ("Paris" is in "It is Paris." but not in "Parisian").
- ``regex`` — 1 when the reference, read as a Python regular expression, matches anywhere in
  the reply (``re.search``, as written: no normalisation).
- ``numeric`` — 1 when the last number written in the reply is within ``tolerance`` of the
  reference's number: ``|x - y| <= max(abs_tol, rel_tol·|y|)``. Thousands separators
  (``1,234``) are read; a reply with no number scores 0.

:func:`score_replies` scores many replies at once and reports the mean over those that have a
reference, ``None`` when none has.

Reference: P. Rajpurkar, J. Zhang, K. Lopyrev and P. Liang, "SQuAD: 100,000+ questions for
machine comprehension of text", EMNLP 2016 (exact match and token F1).
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Callable, Sequence

from assay.algorithms.errors import InvalidParameterError, LengthMismatchError

__all__ = ["SCORERS", "contains", "exact_match", "normalize_text", "numeric", "regex",
           "score_replies", "token_f1"]

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation)
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?"
                     r"|[-+]?\.\d+(?:[eE][-+]?\d+)?")


def normalize_text(text: str) -> str:
    """Case-folded, without punctuation or articles, whitespace collapsed.

    >>> normalize_text("  The Eiffel-Tower, in PARIS! ")
    'eiffeltower in paris'
    """
    text = text.casefold().translate(_PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(reply: str, reference: str) -> float:
    """1.0 when the normalised texts are equal, else 0.0.

    >>> exact_match("The answer is 4.", "the answer is 4"), exact_match("4", "four")
    (1.0, 0.0)
    """
    return float(normalize_text(reply) == normalize_text(reference))


def token_f1(reply: str, reference: str) -> float:
    """Token F1 of the normalised reply against the normalised reference.

    >>> round(token_f1("a cat sat on the mat", "the cat sat"), 4)  # P = 2/4, R = 2/2
    0.6667
    """
    said, wanted = normalize_text(reply).split(), normalize_text(reference).split()
    if not said or not wanted:
        return float(said == wanted)
    common = sum((Counter(said) & Counter(wanted)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(said), common / len(wanted)
    return 2 * precision * recall / (precision + recall)


def contains(reply: str, reference: str) -> float:
    """1.0 when the normalised reference occurs in the normalised reply as whole tokens.

    >>> contains("I think it is Paris.", "paris"), contains("Parisian food", "Paris")
    (1.0, 0.0)
    """
    wanted = normalize_text(reference)
    if not wanted:
        return 1.0
    return float(f" {wanted} " in f" {normalize_text(reply)} ")


def regex(reply: str, reference: str) -> float:
    """1.0 when the reference, a regular expression, matches somewhere in the reply.

    >>> regex("Answer: B", r"Answer:\\s*B\\b"), regex("Answer: C", r"Answer:\\s*B")
    (1.0, 0.0)
    """
    try:
        pattern = re.compile(reference)
    except re.error as exc:
        raise InvalidParameterError(
            f"the reference is not a valid regular expression: {exc}") from exc
    return float(pattern.search(reply) is not None)


def _last_number(text: str) -> float | None:
    found = _NUMBER.findall(text)
    if not found:
        return None
    value = float(found[-1].replace(",", ""))
    return value if math.isfinite(value) else None


def numeric(reply: str, reference: str, *, rel_tol: float = 1e-6,
            abs_tol: float = 1e-9) -> float:
    """1.0 when the reply's last number is within tolerance of the reference's number.

    >>> numeric("So the total is 1,234.", "1234"), numeric("about 3.14", "3.1416")
    (1.0, 0.0)
    >>> numeric("about 3.14", "3.1416", rel_tol=0.01)
    1.0
    """
    if not (math.isfinite(rel_tol) and rel_tol >= 0 and math.isfinite(abs_tol) and abs_tol >= 0):
        raise InvalidParameterError("rel_tol and abs_tol must be finite and >= 0")
    expected = _last_number(reference)
    if expected is None:
        raise InvalidParameterError(f"the reference {reference!r} holds no number")
    got = _last_number(reply)
    if got is None:
        return 0.0
    return float(abs(got - expected) <= max(abs_tol, rel_tol * abs(expected)))


SCORERS: dict[str, Callable[[str, str], float]] = {
    "exact_match": exact_match,
    "f1": token_f1,
    "contains": contains,
    "regex": regex,
    "numeric": numeric,
}
"""Every reference-based scorer by its name in the API."""


def score_replies(
    name: str, replies: Sequence[str], references: Sequence[str | None],
) -> tuple[list[float | None], float | None]:
    """Score each reply against its reference with the scorer ``name``.

    Returns the score of each reply (``None`` where there is no reference) and their mean
    over the replies that have one (``None`` when none has).

    >>> score_replies("exact_match", ["4", "5", "x"], ["4", "4", None])
    ([1.0, 0.0, None], 0.5)
    """
    if name not in SCORERS:
        raise InvalidParameterError(
            f"unknown scorer {name!r}; known: {', '.join(SCORERS)}")
    if len(replies) != len(references):
        raise LengthMismatchError(
            f"replies and references differ in length: {len(replies)}, {len(references)}")
    scorer = SCORERS[name]
    scores = [None if ref is None else scorer(reply, ref)
              for reply, ref in zip(replies, references, strict=True)]
    known = [s for s in scores if s is not None]
    return scores, (sum(known) / len(known) if known else None)
