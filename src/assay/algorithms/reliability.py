"""A worker's accuracy from checked answers (gold, training): a Beta posterior.

With a uniform prior, after ``correct`` right answers out of ``total`` the accuracy ``a``
has posterior Beta(1 + correct, 1 + total - correct). A worker is *confidently below* a bar
``t`` when at least ``min_answers`` were checked and P(a ≥ t) < ``risk``: with few answers
nobody is judged, and an unlucky start rarely pauses an honest worker (an 80% worker is
paused after five checks with probability under 1% at a 0.7 bar).
"""

from __future__ import annotations

from dataclasses import dataclass

from assay.algorithms.errors import InvalidParameterError


@dataclass(frozen=True)
class AccuracyEstimate:
    mean: float          # posterior mean, (1 + correct) / (2 + total)
    low: float           # 2.5% posterior quantile
    high: float          # 97.5% posterior quantile
    p_at_least: float    # P(accuracy ≥ threshold)


def accuracy_posterior(correct: int, total: int, threshold: float) -> AccuracyEstimate:
    """The Beta(1 + correct, 1 + wrong) posterior of a worker's accuracy.

    >>> e = accuracy_posterior(2, 10, 0.7)
    >>> round(e.mean, 3), e.p_at_least < 0.01
    (0.25, True)
    """
    # scipy.special, not scipy.stats (the same Beta functions without the second or so
    # scipy.stats takes to import), and on first use: a server starts without scipy.
    from scipy.special import betaincc, betaincinv

    if total < 0 or correct < 0 or correct > total:
        raise InvalidParameterError(f"need 0 ≤ correct ≤ total, got {correct} of {total}")
    if not 0.0 <= threshold <= 1.0:
        raise InvalidParameterError(f"threshold must be in [0, 1], got {threshold}")
    a, b = 1 + correct, 1 + total - correct
    return AccuracyEstimate(
        mean=a / (a + b),
        low=float(betaincinv(a, b, 0.025)),
        high=float(betaincinv(a, b, 0.975)),
        p_at_least=float(betaincc(a, b, threshold)),
    )


def confidently_below(correct: int, total: int, threshold: float, risk: float = 0.05,
                      min_answers: int = 5) -> bool:
    """True when at least ``min_answers`` were checked and P(accuracy ≥ threshold) < risk.

    >>> confidently_below(0, 2, 0.7), confidently_below(1, 6, 0.7), confidently_below(5, 6, 0.7)
    (False, True, False)
    """
    if threshold <= 0.0 or total < min_answers:
        return False
    return accuracy_posterior(correct, total, threshold).p_at_least < risk
