"""QC bounds against known binomial values, each checked again here by an exact
sum of the binomial probabilities in fractions (no floating point, no scipy)."""

from __future__ import annotations

from fractions import Fraction
from math import comb

import pytest

from reviewer.domain.qc_stats import (
    binomial_cdf,
    exact_upper,
    more_needed,
    wilson_upper,
)


def exact_cdf(k: int, n: int, p: Fraction) -> Fraction:
    return sum((Fraction(comb(n, i)) * p**i * (1 - p) ** (n - i) for i in range(k + 1)),
               Fraction(0))


# 5 in 50 is 0.1988 (P(X <= 5) at 0.1970 is 0.0532, above 5%: 0.1970 is not the bound).
@pytest.mark.parametrize(("k", "n", "known"), [
    (0, 300, 0.00994), (1, 100, 0.0466), (5, 50, 0.1988), (0, 10, 0.2589), (3, 1000, 0.00774)])
def test_the_exact_upper_bound_matches_known_values(k: int, n: int, known: float) -> None:
    upper = exact_upper(k, n)
    assert upper == pytest.approx(known, abs=6e-5)
    # The bound is where P(X <= k) crosses 5%: just above it, at most 5%; just below, more.
    five = Fraction(5, 100)
    assert exact_cdf(k, n, Fraction(upper) + Fraction(1, 10**7)) < five
    assert exact_cdf(k, n, Fraction(upper) - Fraction(1, 10**7)) > five


def test_zero_in_n_is_the_closed_form_and_near_the_rule_of_three() -> None:
    assert exact_upper(0, 300) == pytest.approx(1 - 0.05 ** (1 / 300), rel=1e-9)
    assert exact_upper(0, 300) == pytest.approx(3 / 300, rel=0.01)


def test_the_cdf_agrees_with_an_exact_sum() -> None:
    for k, n, p in [(0, 300, 0.01), (1, 100, 0.03), (5, 50, 0.2), (40, 90, 0.5)]:
        assert binomial_cdf(k, n, p) == pytest.approx(
            float(exact_cdf(k, n, Fraction(p))), rel=1e-9)


def test_edges_nothing_reviewed_everything_wrong_and_nonsense() -> None:
    assert exact_upper(0, 0) == 1.0
    assert exact_upper(7, 7) == 1.0
    assert wilson_upper(0, 0) == 1.0
    with pytest.raises(ValueError, match="not a sample"):
        exact_upper(3, 2)
    with pytest.raises(ValueError, match="not a sample"):
        exact_upper(-1, 2)


@pytest.mark.parametrize(("k", "n"), [(0, 300), (1, 100), (5, 50), (20, 400), (2, 30)])
def test_wilson_is_close_to_the_exact_bound_and_never_below_the_rate(k: int, n: int) -> None:
    wilson, exact = wilson_upper(k, n), exact_upper(k, n)
    assert k / n <= wilson <= exact + 0.01
    assert wilson == pytest.approx(exact, abs=0.02 if k else 0.003)
    assert exact >= k / n


def test_the_sample_needed_for_a_target_bound() -> None:
    # 0 in 300 is already (just) under 1%; 0 in 0 needs 299 clean items (1 - 0.05 ** (1/299) < 1%).
    assert more_needed(0, 300, 0.01) == 0
    assert more_needed(0, 0, 0.01) == 299
    assert exact_upper(0, 298) >= 0.01 > exact_upper(0, 299)
    more = more_needed(1, 100, 0.01)
    assert exact_upper(1, 100 + more) < 0.01 <= exact_upper(1, 100 + more - 1)
    with pytest.raises(ValueError, match="between 0 and 1"):
        more_needed(0, 10, 1.5)


def test_a_tally_gives_the_contract_figures() -> None:
    from reviewer.domain.qc_stats import Tally

    assert Tally(sampled=120, reviewed=100, errors=1).as_dict("disagreed") == {
        "sampled": 120, "reviewed": 100, "disagreed": 1, "rate": 0.01,
        "upper_95": exact_upper(1, 100)}
    empty = Tally(sampled=5, reviewed=0, errors=0)
    assert (empty.rate, empty.upper_95, empty.more_needed(0.01)) == (0.0, 1.0, 299)
