"""Redaction Reviewer: find, review and redact personal data in chat logs."""

__version__ = "0.1.0"
