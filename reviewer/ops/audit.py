"""Reading and verifying the audit log."""

from __future__ import annotations

from reviewer.domain.audit import ChainReport
from reviewer.domain.models import AuditEntry
from reviewer.store import audit
from reviewer.store.database import Store


def audit_entries(store: Store) -> list[AuditEntry]:
    with store.reading() as conn:
        return list(audit.entries(conn))


def verify_audit(store: Store) -> ChainReport:
    with store.reading() as conn:
        return audit.verify(conn)
