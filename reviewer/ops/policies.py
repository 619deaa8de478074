"""Which redaction policy a store is analysed under.

The shipped policy (``resources/policy.yaml``) unless ``analyze --policy FILE``
named another: then the store keeps that file's text, and later analyses (the
GUI's included) and the review window's reason codes and entities follow it
until ``--policy`` names another file, or the shipped one again.
"""

from __future__ import annotations

from pathlib import Path

from reviewer.domain.errors import KnownError
from reviewer.domain.policy import Policy
from reviewer.store import analysis as stored
from reviewer.store import audit
from reviewer.store.database import Store
from reviewer.suggest.policy import LoadedPolicy, load_policy, policy_from_text


def current_policy(store: Store) -> LoadedPolicy:
    """The policy in force: the store's custom policy, else the shipped one."""
    with store.reading() as conn:
        custom = stored.custom_policy(conn)
    if custom is None:
        return load_policy()
    source, text = custom
    return policy_from_text(text, Path(source))


def adopt_policy(store: Store, actor: str, loaded: LoadedPolicy) -> None:
    """Make ``loaded`` the policy in force (audited when that changes)."""
    custom = "" if loaded.hash == load_policy().hash else loaded.text
    with store.transaction() as conn:
        before = stored.custom_policy(conn)
        if (before[1] if before else "") == custom:
            return
        source = str(loaded.path.resolve()) if custom else ""
        stored.set_custom_policy(conn, source, custom)
        audit.append(conn, actor, "policy", {
            "policy_hash": loaded.hash, "source": source or "shipped",
        })


def policy_for_review(store: Store) -> Policy | None:
    """The policy in force for the review window's choices, or None when it cannot
    be read: the window then offers the defaults rather than refusing to open."""
    try:
        return current_policy(store).policy
    except KnownError:
        return None
