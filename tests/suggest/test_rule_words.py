"""Every pattern rule has plain words for the inspector's "Why it was suggested"
(domain/explain.RULE_WORDS); a new rule without them would read only "pattern"."""

from __future__ import annotations

from reviewer.domain.explain import RULE_WORDS
from reviewer.suggest import recognizers
from reviewer.suggest.recognizers import Rule


def _rules() -> list[Rule]:
    found = list(recognizers.username_cue_rules(None))
    for value in vars(recognizers).values():
        if isinstance(value, tuple) and value and all(isinstance(r, Rule) for r in value):
            found.extend(value)
    return found


def test_every_pattern_rule_has_plain_words() -> None:
    rules = _rules()
    assert len(rules) > 50
    assert sorted({r.name for r in rules} - set(RULE_WORDS)) == []
