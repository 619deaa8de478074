"""Confidence bounds for quality-control rates, in pure Python.

A QC sample gives k errors (disagreements, or messages with missed personal
data) among n reviewed items. What a producing party can defend is not k/n but
a one-sided upper bound: "at 95% confidence the rate is below u". The exact
(Clopper-Pearson) bound is the p at which seeing k or fewer errors has
probability 5%; it is found here by bisection on the binomial CDF, which is
monotone in p, so no beta-function library is needed. Wilson's score bound is
given beside it as a check (close to the exact one, a little lower for small k).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

CONFIDENCE = 0.95
DEFAULT_TARGET = 0.01  # the rate a report says how much more sampling would show
DECISIONS = "decisions"  # the kinds of sample
ELUSION = "elusion"
KINDS = (DECISIONS, ELUSION)
VERDICTS = ("agree", "disagree", "missed")
VERDICT_RULE = ("On an elusion item --agree means nothing was missed and --disagree is taken "
                "as --missed; --missed is refused on a decision item (use --disagree).")
# The one-sided 95% normal quantile, for Wilson's bound.
Z_95 = 1.6448536269514722
_BISECTIONS = 200


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), summed in log space (n of a million is fine)."""
    if k < 0:
        return 0.0
    if k >= n or p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [_log_choose(n, i) + i * log_p + (n - i) * log_q for i in range(k + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * math.fsum(math.exp(t - top) for t in terms))


def _log_choose(n: int, i: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)


def exact_upper(k: int, n: int, confidence: float = CONFIDENCE) -> float:
    """The one-sided Clopper-Pearson upper bound of a rate seen as k in n.

    With nothing reviewed (n = 0) nothing is known: the bound is 1.
    """
    _check(k, n)
    if k >= n:
        return 1.0
    alpha = 1.0 - confidence
    low, high = k / n, 1.0  # the CDF at the rate itself is above alpha
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        if binomial_cdf(k, n, middle) > alpha:
            low = middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return high


def wilson_upper(k: int, n: int, z: float = Z_95) -> float:
    """The one-sided Wilson score upper bound of a rate seen as k in n (1 when n = 0)."""
    _check(k, n)
    if n == 0:
        return 1.0
    rate = k / n
    z2 = z * z
    centre = rate + z2 / (2 * n)
    spread = z * math.sqrt(rate * (1 - rate) / n + z2 / (4 * n * n))
    return min(1.0, max(rate, (centre + spread) / (1 + z2 / n)))


def more_needed(k: int, n: int, target: float, confidence: float = CONFIDENCE) -> int:
    """How many more items, all without error, bring the exact upper bound below ``target``.

    0 when it is already below. Found by doubling, then bisection: the bound
    falls as clean items are added.
    """
    _check(k, n)
    if not 0.0 < target < 1.0:
        raise ValueError(f"the target rate must be between 0 and 1, not {target}")
    if exact_upper(k, n, confidence) < target:
        return 0
    high = 1
    while exact_upper(k, n + high, confidence) >= target:
        high *= 2
    low = high // 2  # not enough (or 0)
    while high - low > 1:
        middle = (low + high) // 2
        if exact_upper(k, n + middle, confidence) < target:
            high = middle
        else:
            low = middle
    return high


@dataclass(frozen=True)
class Tally:
    """One kind of QC item: how many were drawn, reviewed, and found wrong."""

    sampled: int
    reviewed: int
    errors: int

    @property
    def rate(self) -> float:
        """Errors among the reviewed (0 while nothing is reviewed; the bound is then 1)."""
        return self.errors / self.reviewed if self.reviewed else 0.0

    @property
    def upper_95(self) -> float:
        return exact_upper(self.errors, self.reviewed)

    def more_needed(self, target: float) -> int:
        return more_needed(self.errors, self.reviewed, target)

    def as_dict(self, errors_key: str) -> dict[str, int | float]:
        """The contract's ``qc report --json`` figures, the errors named ``errors_key``."""
        return {"sampled": self.sampled, "reviewed": self.reviewed, errors_key: self.errors,
                "rate": self.rate, "upper_95": self.upper_95}


def _check(k: int, n: int) -> None:
    if n < 0 or not 0 <= k <= max(n, 0):
        raise ValueError(f"{k} errors in {n} items is not a sample")
