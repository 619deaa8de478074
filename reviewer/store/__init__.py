"""The encrypted store: SQLCipher through SQLAlchemy, key derivation, migrations,
repositories that return domain objects, and the audit chain."""
