"""The passphrase estimator: what it refuses, why, and that it never quotes the passphrase."""

from __future__ import annotations

import pytest

from reviewer.domain.passphrase import ADVICE, MIN_LENGTH, PROBLEMS, TOO_PLAIN, Rating, assess
from tests.conftest import PASSPHRASE

DEMO_PASSPHRASE = "demo matter: synthetic people only"  # reviewer.ops.demo's, checked there too


@pytest.mark.parametrize("passphrase", ["", " ", "x", "short", "Tr0ub4dor&3"])
def test_shorter_than_the_minimum_is_refused_whatever_it_holds(passphrase: str) -> None:
    verdict = assess(passphrase)
    assert not verdict.acceptable
    assert verdict.refusal == ("Passphrase too weak: at least 12 characters, or 4+ words; "
                               f"this one has {len(passphrase)} characters.")


@pytest.mark.parametrize(("passphrase", "why"), [
    ("password1234", "common password"),
    ("P@ssw0rd2024!", "common password"),
    ("Summer2024!!", "common password"),
    ("iloveyouforever", "common password"),
    ("abcdefghijkl", "sequence"),
    ("Abcdefgh1234", "sequence"),
    ("qwertyuiop12", "sequence"),
    ("            ", "repeats"),
    ("abcabcabcabc", "repeats"),
    ("zzzzzzzzzzzzzzzz", "repeats"),
    ("839201746583", "too few kinds"),
    ("purple monkey dishwasher", "common password"),
    ("lantern orbit", "words are quickly guessed"),
])
def test_long_but_guessable_is_refused_with_its_reason(passphrase: str, why: str) -> None:
    verdict = assess(passphrase)
    assert len(passphrase) >= MIN_LENGTH
    assert verdict.rating is Rating.WEAK
    assert why in verdict.problem
    # Built from fixed words only: the passphrase is never quoted back.
    assert verdict.problem in (*PROBLEMS.values(), TOO_PLAIN)
    assert verdict.refusal == f"Passphrase too weak: {ADVICE}; {verdict.problem}."


@pytest.mark.parametrize(("passphrase", "rating"), [
    (PASSPHRASE, Rating.STRONG),
    (DEMO_PASSPHRASE, Rating.STRONG),
    ("kX9#mP2$vL5@", Rating.STRONG),
    ("orbit canyon velvet mango", Rating.STRONG),
    ("Zebra lantern 7 quietly", Rating.GOOD),
    ("orbit canyon velvet", Rating.FAIR),
])
def test_unpredictable_passphrases_pass(passphrase: str, rating: Rating) -> None:
    verdict = assess(passphrase)
    assert verdict.acceptable
    assert verdict.rating is rating
    assert verdict.hint == rating.value


def test_the_hint_and_the_refusal_give_the_same_advice() -> None:
    verdict = assess("short")
    assert verdict.hint.startswith("Too weak: at least 12 characters, or 4+ words; ")
    assert verdict.refusal.startswith("Passphrase too weak: at least 12 characters, or 4+ words; ")
    assert verdict.hint.split("; ", 1)[1] == verdict.refusal.split("; ", 1)[1]


def test_other_scripts_and_long_input_are_priced_without_error() -> None:
    assert not assess("пароль пароль пароль").acceptable
    assert assess("İstanbul'da ß und Straße, 2 Kaffee").acceptable
    assert assess("x" * 5000).rating is Rating.WEAK
