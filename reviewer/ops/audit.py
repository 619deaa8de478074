"""Reading and verifying the audit log."""

from __future__ import annotations

from dataclasses import replace

from reviewer.domain.audit import ChainReport
from reviewer.domain.models import AuditEntry
from reviewer.store import audit
from reviewer.store.database import Store, integrity_problems


def audit_entries(store: Store) -> list[AuditEntry]:
    with store.reading() as conn:
        return list(audit.entries(conn))


def verify_audit(store: Store) -> ChainReport:
    """The audit chain, and the file it is kept in: an intact chain in a store whose
    other pages are damaged is no verified store."""
    with store.reading() as conn:
        report = audit.verify(conn)
    if not report.ok:
        return report
    problems = integrity_problems(store)
    if not problems:
        return report
    return replace(report, ok=False, problem=(
        f"the audit chain is intact ({report.count} entries) but the store file is damaged "
        f"({problems[0]}); restore it from a backup"))
