"""The policy a store is analysed under: the shipped one until ``--policy`` names
another, which then stays in force for later analyses and the review window."""

from __future__ import annotations

from pathlib import Path

from reviewer.domain.models import Conversation, Message
from reviewer.ops import policies, review
from reviewer.ops.analysis import analyze
from reviewer.ops.audit import audit_entries, verify_audit
from reviewer.store import conversations
from reviewer.store.database import Store
from reviewer.suggest.policy import default_policy_path, load_policy

# A custom policy: pattern recognizers only (no spaCy pipeline by that name), so
# the analysis is quick, and reason codes of its own.
CUSTOM = """\
spacy_model: no_such_pipeline
entities:
  EMAIL_ADDRESS: {threshold: 0.4}
reason_codes:
  PRIV: attorney-client privilege
"""


def custom_policy(tmp_path: Path) -> Path:
    path = tmp_path / "matter-policy.yaml"
    path.write_text(CUSTOM, encoding="utf-8")
    return path


def add_chat(store: Store) -> None:
    conv = Conversation("c1", "Mail", (Message(0, "user", "Write to dana@example.com today."),))
    with store.transaction() as conn:
        conversations.add_conversation(conn, conv, None)


def actions(store: Store) -> list[str]:
    return [e.action for e in audit_entries(store)]


def test_a_new_store_is_under_the_shipped_policy(store: Store) -> None:
    assert policies.current_policy(store).hash == load_policy().hash
    assert review.reason_codes(policies.policy_for_review(store)) == review.reason_codes(
        load_policy().policy)


def test_a_named_policy_stays_in_force_until_another_is_named(
        store: Store, tmp_path: Path) -> None:
    custom = load_policy(custom_policy(tmp_path))
    policies.adopt_policy(store, "tester", custom)
    policies.adopt_policy(store, "tester", custom)  # the same again: nothing to record
    in_force = policies.current_policy(store)
    assert (in_force.hash, in_force.path) == (custom.hash, custom.path)
    assert review.reason_codes(policies.policy_for_review(store)) == [
        ("", "no reason"), ("PRIV", "attorney-client privilege")]
    assert review.entity_names(policies.policy_for_review(store)) == ["EMAIL_ADDRESS"]

    policies.adopt_policy(store, "tester", load_policy(default_policy_path()))
    assert policies.current_policy(store).hash == load_policy().hash
    entries = [e for e in audit_entries(store) if e.action == "policy"]
    assert [e.payload["source"] for e in entries] == [str(custom.path.resolve()), "shipped"]
    assert verify_audit(store).ok


def test_analysis_without_a_policy_keeps_the_one_in_force(store: Store, tmp_path: Path) -> None:
    add_chat(store)
    first = analyze(store, "tester", policy_path=custom_policy(tmp_path), workers=1)
    assert first.spans == {"suggested": 1}
    again = analyze(store, "tester", workers=1)
    assert again.policy_hash == first.policy_hash
    assert (again.texts, again.replaced) == (0, 0)
    assert actions(store).count("policy") == 1


def test_an_unreadable_stored_policy_leaves_the_review_window_its_defaults(
        store: Store, tmp_path: Path) -> None:
    policies.adopt_policy(store, "tester", load_policy(custom_policy(tmp_path)))
    with store.transaction() as conn:
        conn.exec_driver_sql(
            "UPDATE meta SET value = 'entities: [' WHERE key = 'custom_policy_text'")
    assert policies.policy_for_review(store) is None
    assert review.reason_codes(None)[0] == ("", "no reason")
